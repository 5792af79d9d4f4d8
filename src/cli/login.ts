/**
 * `wbflow login [KEY] [--relogin] [--host URL]`: verifies an API key with the server (the Viewer
 * query) and saves it in ~/.netrc for that host. Without KEY it asks for it (hidden on a terminal).
 * The key is never printed.
 */
import { createInterface } from "node:readline";
import { ApiKey, InvalidApiKeyError } from "../wandb/settings/api-key.js";
import { netrcMachine, readNetrcPassword } from "../wandb/settings/netrc.js";
import { appUrlFor } from "../wandb/online/app-urls.js";
import { WandbAuthError } from "../wandb/online/api-errors.js";
import { verifyApiKey } from "../wandb/online/viewer.js";
import { DEFAULT_BASE_URL, saveApiKey } from "../wandb/settings/settings.js";
import { netrcPath } from "../wandb/settings/netrc.js";
import { CliUsageError, type CliCommand } from "./command.js";
import { parseHostOption, validateHost } from "./host-option.js";

/** Reads one line from stdin; on a terminal the typed characters are not echoed. */
async function promptForKey(question: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    process.stderr.write(question);
    const lines = createInterface({ input, terminal: false });
    for await (const line of lines) {
      lines.close();
      return line;
    }
    return "";
  }
  process.stderr.write(question);
  return new Promise<string>((resolve, reject) => {
    let typed = "";
    input.setRawMode(true);
    input.resume();
    input.setEncoding("utf8");
    const done = (result: string | Error) => {
      input.setRawMode(false);
      input.pause();
      input.off("data", onData);
      process.stderr.write("\n");
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") return done(typed);
        if (ch === "\u0003") return done(new Error("login cancelled (Ctrl-C)"));
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on("data", onData);
  });
}

/** `wbflow login`. */
export const loginCommand: CliCommand = {
  name: "login",
  summary: "Verify a W&B API key and save it in ~/.netrc",
  usage: [
    "Usage: wbflow login [KEY] [--relogin] [--host URL]",
    "",
    "Checks the key with the W&B server and stores it in ~/.netrc (mode 0600) for that server.",
    "Without KEY you are asked for it; on a terminal the key is not shown while you type.",
    "  --relogin   ask for a key even if one is already saved for the server",
    "  --host URL  the server's API URL (default: WANDB_BASE_URL or https://api.wandb.ai)",
  ].join("\n"),
  async run(args) {
    const { host: hostOption, rest } = parseHostOption(args);
    const relogin = rest.includes("--relogin");
    const positional = rest.filter((a) => a !== "--relogin");
    const unknown = positional.find((a) => a.startsWith("-"));
    if (unknown) throw new CliUsageError(`unknown option ${unknown}`);
    if (positional.length > 1) throw new CliUsageError("give at most one API key");
    const host = validateHost(hostOption ?? process.env["WANDB_BASE_URL"] ?? DEFAULT_BASE_URL);
    const netrc = netrcPath();

    if (positional.length === 0 && !relogin) {
      const saved = process.env["WANDB_API_KEY"] ?? (await readNetrcPassword(netrcMachine(host), netrc));
      if (saved !== undefined) {
        try {
          const viewer = await verifyApiKey(host, ApiKey.parse(saved, "the saved key").reveal());
          console.log(`Already logged in to ${host} as ${viewer.username} (entity ${viewer.entity}). Use --relogin to change the key.`);
          return 0;
        } catch (error) {
          if (!(error instanceof WandbAuthError || error instanceof InvalidApiKeyError)) throw error;
          console.error(`The saved key for ${host} is not usable (${error.message}); enter a new one.`);
        }
      }
    }

    const typed =
      positional[0] ??
      (await promptForKey(`Paste an API key from ${appUrlFor(host)}/authorize (it will not be shown): `));
    let key: ApiKey;
    try {
      key = ApiKey.parse(typed, positional[0] !== undefined ? "the command line" : "the prompt");
    } catch (error) {
      if (!(error instanceof InvalidApiKeyError)) throw error;
      console.error(`wbflow login: ${error.message}`);
      return 1;
    }
    try {
      const viewer = await verifyApiKey(host, key.reveal());
      await saveApiKey(key.reveal(), { base_url: host, netrc_path: netrc });
      console.log(`Logged in to ${host} as ${viewer.username} (entity ${viewer.entity}); the key is saved in ${netrc}.`);
      return 0;
    } catch (error) {
      if (error instanceof WandbAuthError) {
        console.error(`wbflow login: ${host} refused the key; nothing was saved. Copy the key again from ${appUrlFor(host)}/authorize.`);
        return 1;
      }
      throw error;
    }
  },
};
