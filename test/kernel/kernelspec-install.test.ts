import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { installKernelspec, kernelsDirectory } from "../../src/kernel/jupyter/kernelspec-install.js";

const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const temporary: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wbflow-spec-"));
  temporary.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("kernel spec", () => {
  it("ships kernel.json with the display name, language and connection-file argv, plus logos", () => {
    const spec = JSON.parse(readFileSync(path.join(repoRoot, "kernelspec", "kernel.json"), "utf8")) as { argv: string[]; display_name: string; language: string };
    expect(spec.display_name).toBe("TypeScript (wbflow)");
    expect(spec.language).toBe("typescript");
    expect(spec.argv.slice(-3)).toEqual(["kernel", "--config-path", "{connection_file}"]);
    for (const logo of ["logo-32x32.png", "logo-64x64.png"]) {
      expect(readFileSync(path.join(repoRoot, "kernelspec", logo)).subarray(1, 4).toString()).toBe("PNG");
    }
  });

  it("installs into PREFIX/share/jupyter/kernels/wbflow with an argv for this installation, replacing an old spec", () => {
    const prefix = tempDir();
    const destination = installKernelspec({ kind: "prefix", prefix });
    expect(destination).toBe(path.join(prefix, "share", "jupyter", "kernels", "wbflow"));
    writeFileSync(path.join(destination, "stale.txt"), "from an older install");
    installKernelspec({ kind: "prefix", prefix });
    expect(readdirSync(destination).sort()).toEqual(["kernel.json", "logo-32x32.png", "logo-64x64.png"]);
    expect(readdirSync(path.dirname(destination))).toEqual(["wbflow"]); // no staging leftovers
    const spec = JSON.parse(readFileSync(path.join(destination, "kernel.json"), "utf8")) as { argv: string[] };
    expect(spec.argv).toEqual([process.execPath, path.join(repoRoot, "bin", "wbflow.js"), "kernel", "--config-path", "{connection_file}"]);
  });

  it("is found by Jupyter's kernel spec manager through JUPYTER_PATH", () => {
    const prefix = tempDir();
    installKernelspec({ kind: "prefix", prefix });
    // What `jupyter kernelspec list --json` prints (Debian ships the library without that command).
    const list = "import json; from jupyter_client.kernelspec import KernelSpecManager; print(json.dumps(KernelSpecManager().get_all_specs()))";
    const specs = JSON.parse(
      execFileSync("/usr/bin/python3", ["-c", list], { encoding: "utf8", env: { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") } }),
    ) as Record<string, { resource_dir: string; spec: { display_name: string; language: string } }>;
    expect(specs.wbflow?.spec).toMatchObject({ display_name: "TypeScript (wbflow)", language: "typescript" });
    expect(specs.wbflow?.resource_dir).toBe(path.join(prefix, "share", "jupyter", "kernels", "wbflow"));
  });

  it("puts --user specs in the Jupyter data directory", () => {
    expect(kernelsDirectory({ kind: "user" }, { JUPYTER_DATA_DIR: "/x/data" })).toBe("/x/data/kernels");
    if (process.platform === "linux") {
      expect(kernelsDirectory({ kind: "user" }, { HOME: "/home/ada" })).toBe("/home/ada/.local/share/jupyter/kernels");
    }
  });

  it("puts --sys-prefix specs where Jupyter's own Python environment looks", () => {
    const paths = JSON.parse(execFileSync("jupyter", ["--paths", "--json"], { encoding: "utf8" })) as { data: string[] };
    expect(paths.data).toContain(path.dirname(kernelsDirectory({ kind: "sys-prefix" })));
  });

  it("wbflow install explains bad options", () => {
    const cli = path.join(repoRoot, "bin", "wbflow.js");
    const prefix = path.join(tempDir(), "prefix"); // a fixed path such as /tmp/x may be made by anything else on the machine
    const result = spawnSync(process.execPath, [cli, "install", "--user", "--prefix", prefix], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("choose one of --user, --sys-prefix and --prefix DIR");
    expect(existsSync(path.join(prefix, "share/jupyter/kernels/wbflow"))).toBe(false);
  });
});
