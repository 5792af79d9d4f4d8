/** `wbflow install [--user | --sys-prefix | --prefix DIR]`: registers the kernel with Jupyter. */
import { CliUsageError, type CliCommand } from "./command.js";
import { installKernelspec, type InstallTarget } from "../kernel/jupyter/kernelspec-install.js";

function parseTarget(args: string[]): InstallTarget {
  const chosen: InstallTarget[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--user") chosen.push({ kind: "user" });
    else if (arg === "--sys-prefix") chosen.push({ kind: "sys-prefix" });
    else if (arg === "--prefix" || arg.startsWith("--prefix=")) {
      const prefix = arg === "--prefix" ? args[++i] : arg.slice("--prefix=".length);
      if (!prefix) throw new CliUsageError("--prefix needs a directory");
      chosen.push({ kind: "prefix", prefix });
    } else throw new CliUsageError(`unknown option ${arg}`);
  }
  if (chosen.length > 1) throw new CliUsageError("choose one of --user, --sys-prefix and --prefix DIR");
  // Like tslab: per-user unless running as root, where the system-wide directory is the default.
  return chosen[0] ?? (process.getuid?.() === 0 ? { kind: "system" } : { kind: "user" });
}

export const installCommand: CliCommand = {
  name: "install",
  summary: "Install the TypeScript (wbflow) kernel for Jupyter",
  usage: [
    "Usage: wbflow install [--user | --sys-prefix | --prefix DIR]",
    "",
    "Writes the kernel spec 'wbflow' (display name \"TypeScript (wbflow)\") where Jupyter finds it:",
    "  --user        your Jupyter data directory (default unless running as root)",
    "  --sys-prefix  the share/jupyter of python3's sys.prefix (a virtualenv or conda env)",
    "  --prefix DIR  DIR/share/jupyter/kernels (add DIR/share/jupyter to JUPYTER_PATH)",
    "As root without an option it installs system-wide into /usr/local/share/jupyter/kernels.",
  ].join("\n"),
  async run(args) {
    const destination = installKernelspec(parseTarget(args));
    console.log(`Installed the kernel spec "TypeScript (wbflow)" in ${destination}`);
    return 0;
  },
};
