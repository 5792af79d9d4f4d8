/**
 * The W&B backend is chosen by settings, and the online client is loaded only when a run asks for
 * online mode: a program that imports `wbflow/wandb` and logs offline never loads the HTTP client,
 * the sender or the online backend (checked in a real child process with a module-resolve hook on
 * the built package).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { backendFor, offlineBackend } from "../../src/wandb/run/run-backend.js";
import { onlineBackend } from "../../src/wandb/online/online-backend.js";
import { resolveSettings } from "../../src/wandb/settings/settings.js";
import { tempDir } from "./helpers/fixtures.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Runs `script` (an ES module) in a fresh Node process; returns every module URL it resolved. */
function modulesLoadedBy(script: string, cwd: string): string[] {
  const log = path.join(cwd, "loaded.txt");
  writeFileSync(log, "");
  writeFileSync(
    path.join(cwd, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + "\\n");
  return result;
}`,
  );
  writeFileSync(path.join(cwd, "register.mjs"), `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`);
  writeFileSync(path.join(cwd, "main.mjs"), script);
  execFileSync(process.execPath, ["--import", "./register.mjs", "main.mjs"], {
    cwd,
    env: { PATH: process.env["PATH"], HOME: cwd, NETRC: path.join(cwd, "netrc"), WANDB_MODE: "offline" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return readFileSync(log, "utf8").split("\n").filter((line) => line !== "");
}

describe("W&B backend chosen by settings", () => {
  it("importing wbflow/wandb and logging an offline run loads no online code", () => {
    const dir = tempDir();
    const entry = JSON.stringify(path.join(repo, "dist", "wandb.js"));
    const loaded = modulesLoadedBy(
      `const { init } = await import(${entry});
const run = await init({ project: "p", dir: ${JSON.stringify(dir)} });
run.log({ loss: 0.5 });
await run.finish();`,
      dir,
    );
    expect(loaded.some((url) => url.endsWith("/dist/wandb/run/init.js"))).toBe(true);
    const online = loaded.filter((url) => url.includes("/dist/wandb/online/") && !url.endsWith("/api-errors.js"));
    expect(online).toEqual([]);
  });

  it("offline and disabled settings get the offline backend, online settings the online one", async () => {
    const dir = tempDir();
    const surroundings = { cwd: dir, home: dir, env: { NETRC: path.join(dir, "netrc"), WANDB_API_KEY: "k".repeat(40) } };
    expect(await backendFor(await resolveSettings({ mode: "offline" }, surroundings))).toBe(offlineBackend);
    expect(await backendFor(await resolveSettings({ mode: "disabled" }, surroundings))).toBe(offlineBackend);
    expect(await backendFor(await resolveSettings({ mode: "online" }, surroundings))).toBe(onlineBackend);
  });
});
