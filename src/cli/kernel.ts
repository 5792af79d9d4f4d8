/** `wbflow kernel --config-path FILE`: the process Jupyter starts for a notebook (see kernelspec/). */
import { CliUsageError, type CliCommand } from "./command.js";

export const kernelCommand: CliCommand = {
  name: "kernel",
  summary: "Start the Jupyter kernel (Jupyter runs this; see `wbflow install`)",
  usage: [
    "Usage: wbflow kernel --config-path CONNECTION_FILE",
    "",
    "Starts the TypeScript kernel with %wandb and %flow magics on the ports named in the",
    "connection file. Jupyter runs this command from the installed kernel spec.",
  ].join("\n"),
  async run(args) {
    const at = args.indexOf("--config-path");
    const configPath = at === -1 ? undefined : args[at + 1];
    if (configPath === undefined || args.length !== 2) {
      throw new CliUsageError("expected exactly `--config-path CONNECTION_FILE`");
    }
    const { startKernel } = await import("../kernel/jupyter/start-kernel.js");
    const server = await startKernel(configPath);
    await server.closed;
    return 0;
  },
};
