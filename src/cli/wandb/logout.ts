/** `wbflow logout [--host URL]`: removes the server's API key from ~/.netrc. */
import { netrcMachine, netrcPath, readNetrcPassword, removeNetrcEntry } from "../../wandb/settings/netrc.js";
import { DEFAULT_BASE_URL } from "../../wandb/settings/settings.js";
import { CliUsageError, type CliCommand } from "../command.js";
import { parseHostOption, validateHost } from "./host-option.js";

/** `wbflow logout`. */
export const logoutCommand: CliCommand = {
  name: "logout",
  summary: "Remove the saved W&B API key from ~/.netrc",
  usage: [
    "Usage: wbflow logout [--host URL]",
    "",
    "Deletes the ~/.netrc entry of the W&B server (default: WANDB_BASE_URL or https://api.wandb.ai).",
    "Other entries of the file are kept.",
  ].join("\n"),
  async run(args) {
    const { host: hostOption, rest } = parseHostOption(args);
    if (rest.length > 0) throw new CliUsageError(`unexpected argument ${rest[0]}`);
    const host = validateHost(hostOption ?? process.env["WANDB_BASE_URL"] ?? DEFAULT_BASE_URL);
    const netrc = netrcPath();
    const machine = netrcMachine(host);
    if ((await readNetrcPassword(machine, netrc)) === undefined) {
      console.log(`No key for ${machine} in ${netrc}; nothing to remove.`);
    } else {
      await removeNetrcEntry(machine, netrc);
      console.log(`Removed the key for ${machine} from ${netrc}.`);
    }
    if (process.env["WANDB_API_KEY"]) {
      console.log("Note: WANDB_API_KEY is set in this environment, so runs will still use that key until you unset it.");
    }
    return 0;
  },
};
