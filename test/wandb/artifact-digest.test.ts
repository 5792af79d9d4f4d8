import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { artifactDigest, compareUtf8, manifestV1 } from "../../src/wandb/artifacts/artifact-digest.js";
import { digestFile, base64DigestToHex } from "../../src/wandb/artifacts/file-digest.js";
import { tempDir } from "./helpers/fixtures.js";

describe("artifact digests (reference §4.2–§4.4)", () => {
  it("hashes files to base64 MD5 as W&B does", async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, "a.txt"), "hello\n");
    expect(await digestFile(path.join(dir, "a.txt"))).toEqual({ digest: "sZRqySSS0jR8YjW00mERhA==", size: 6 });
    expect(base64DigestToHex("sZRqySSS0jR8YjW00mERhA==")).toBe("b1946ac92492d2347c6235b4d2611184");
  });

  it("computes the reference's worked artifact digest, whatever the entry order", () => {
    const entries = [
      { path: "data/b.txt", digest: "WReFt5RgHiErJg4lklY2/Q==" },
      { path: "a.txt", digest: "sZRqySSS0jR8YjW00mERhA==" },
    ];
    expect(artifactDigest(entries)).toBe("c9a124ec5e535fb59d644c76c08dd2bf");
    expect(artifactDigest([...entries].reverse())).toBe("c9a124ec5e535fb59d644c76c08dd2bf");
  });

  it("orders paths by UTF-8 bytes, not UTF-16 code units", () => {
    const astral = "\u{1F600}.txt"; // UTF-16 starts with 0xD83D, UTF-8 with 0xF0
    const bmp = "\uFF21.txt"; // U+FF21: UTF-16 0xFF21 (sorts after 0xD83D), UTF-8 0xEF (sorts before 0xF0)
    expect([astral, bmp].sort()).toEqual([astral, bmp]);
    expect([astral, bmp].sort(compareUtf8)).toEqual([bmp, astral]);
    const manifest = manifestV1([
      { path: astral, digest: "x", size: 1 },
      { path: bmp, digest: "y", size: 1 },
    ]);
    expect(Object.keys(manifest.contents)).toEqual([bmp, astral]);
  });

  it("writes manifest v1 JSON in W&B's shape", () => {
    const manifest = manifestV1([
      { path: "data/b.txt", digest: "WReFt5RgHiErJg4lklY2/Q==", size: 6 },
      { path: "a.txt", digest: "sZRqySSS0jR8YjW00mERhA==", size: 6 },
    ]);
    expect(JSON.stringify(manifest)).toBe(
      '{"version":1,"storagePolicy":"wandb-storage-policy-v1","storagePolicyConfig":{"storageLayout":"V2"},' +
        '"contents":{"a.txt":{"digest":"sZRqySSS0jR8YjW00mERhA==","size":6},"data/b.txt":{"digest":"WReFt5RgHiErJg4lklY2/Q==","size":6}}}',
    );
  });
});
