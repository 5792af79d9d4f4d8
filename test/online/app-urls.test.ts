import { describe, expect, it } from "vitest";
import { appUrlFor, artifactUrl, projectUrl, runUrl } from "../../src/wandb/online/app-urls.js";

describe("app URLs", () => {
  it("derives the app URL from the API URL as W&B does", () => {
    expect(appUrlFor("https://api.wandb.ai")).toBe("https://wandb.ai");
    expect(appUrlFor("https://api.wandb.ai/")).toBe("https://wandb.ai");
    expect(appUrlFor("https://api.wandb.test")).toBe("https://app.wandb.test");
    expect(appUrlFor("https://api.example.com")).toBe("https://app.example.com");
    expect(appUrlFor("http://localhost:8080")).toBe("http://localhost:8080");
    expect(appUrlFor("https://api.wandb.ai", "https://my.app/")).toBe("https://my.app");
  });

  it("builds run, project and artifact pages with escaped components", () => {
    expect(projectUrl("https://api.wandb.ai", "me", "my proj")).toBe("https://wandb.ai/me/my%20proj");
    expect(runUrl("https://api.wandb.ai", "me", "p", "abc=1+2")).toBe("https://wandb.ai/me/p/runs/abc=1+2");
    expect(runUrl("https://api.wandb.ai", "me", "p", "a b")).toBe("https://wandb.ai/me/p/runs/a%20b");
    expect(artifactUrl("https://api.wandb.ai", "me", "p", "dataset", "raw_df", 3)).toBe("https://wandb.ai/me/p/artifacts/dataset/raw_df/v3");
  });
});
