/**
 * Installs the kernel spec (kernelspec/ plus an argv pointing at this installation) where Jupyter
 * looks for kernels, like `jupyter kernelspec install` / `tslab install` do.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { wbflowPackageRoot } from "./package-root.js";

/** The name of the kernel directory (`jupyter kernelspec list` shows it). */
export const KERNEL_NAME = "wbflow";

/** Where to install: the user's Jupyter data dir, Python's sys.prefix, a given prefix, or system-wide. */
export type InstallTarget = { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix"; prefix: string } | { kind: "system" };

/** Installing the kernel spec failed; the message says where and why. */
export class KernelspecInstallError extends Error {
  override name = "KernelspecInstallError";
}

/** The `kernels/` directory for `target`, following Jupyter's path rules. */
export function kernelsDirectory(target: InstallTarget, env: NodeJS.ProcessEnv = process.env): string {
  switch (target.kind) {
    case "prefix":
      return path.resolve(target.prefix, "share", "jupyter", "kernels");
    case "system":
      return path.join("/usr/local/share/jupyter/kernels");
    case "user":
      return path.join(userDataDirectory(env), "kernels");
    case "sys-prefix":
      return path.join(pythonSysPrefix(env), "share", "jupyter", "kernels");
  }
}

function userDataDirectory(env: NodeJS.ProcessEnv): string {
  if (env.JUPYTER_DATA_DIR) return env.JUPYTER_DATA_DIR;
  const home = env.HOME ?? os.homedir();
  if (process.platform === "darwin") return path.join(home, "Library", "Jupyter");
  if (process.platform === "win32") return path.join(env.APPDATA ?? home, "jupyter");
  return path.join(env.XDG_DATA_HOME ?? path.join(home, ".local", "share"), "jupyter");
}

/** The Python that runs `jupyter` (its shebang), so --sys-prefix means Jupyter's environment; else python3. */
function jupyterPython(env: NodeJS.ProcessEnv): string {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "jupyter");
    if (!existsSync(candidate)) continue;
    const firstLine = readFileSync(candidate, "utf8").slice(0, 200).split("\n")[0] ?? "";
    const interpreter = /^#!\s*(\S*python[\d.]*)\s*$/.exec(firstLine)?.[1];
    return interpreter ?? "python3";
  }
  return "python3";
}

function pythonSysPrefix(env: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(jupyterPython(env), ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8" }).trim();
  } catch (error) {
    throw new KernelspecInstallError(
      `--sys-prefix needs python3 to find sys.prefix, and running it failed (${(error as Error).message}). ` +
        "Use --user or --prefix DIR instead.",
    );
  }
}

/** The kernel.json to install: runs this installation's CLI with the current Node binary. */
export function kernelJson(packageRoot: string = wbflowPackageRoot(), nodePath: string = process.execPath): object {
  const template = JSON.parse(readFileSync(path.join(packageRoot, "kernelspec", "kernel.json"), "utf8")) as { argv: string[] };
  return { ...template, argv: [nodePath, path.join(packageRoot, "bin", "wbflow.js"), ...template.argv.slice(1)] };
}

/**
 * Writes the spec into `<kernels dir>/wbflow`, replacing an older one. The new directory is built
 * beside the destination and renamed into place, so Jupyter never sees a half-written spec.
 */
export function installKernelspec(target: InstallTarget, env: NodeJS.ProcessEnv = process.env): string {
  const packageRoot = wbflowPackageRoot();
  const kernels = kernelsDirectory(target, env);
  const destination = path.join(kernels, KERNEL_NAME);
  const staging = `${destination}.installing-${process.pid}`;
  const previous = `${destination}.previous-${process.pid}`;
  try {
    mkdirSync(kernels, { recursive: true });
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    const source = path.join(packageRoot, "kernelspec");
    for (const file of readdirSync(source)) {
      if (file !== "kernel.json") cpSync(path.join(source, file), path.join(staging, file));
    }
    writeFileSync(path.join(staging, "kernel.json"), `${JSON.stringify(kernelJson(packageRoot), null, 2)}\n`);
    if (existsSync(destination)) renameSync(destination, previous);
    renameSync(staging, destination);
    rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (error instanceof KernelspecInstallError) throw error;
    throw new KernelspecInstallError(
      `could not install the kernel spec into ${destination}: ${(error as Error).message}. ` +
        "Check that the directory is writable, or choose another place with --user or --prefix DIR.",
    );
  }
  return destination;
}
