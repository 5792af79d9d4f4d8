/**
 * `wbflow login [KEY] [--relogin] [--host URL] [--no-verify]`: the terminal front end of the login flow
 * shared with `%wandb login` (wandb/settings/login.ts): same options, same messages. Without KEY it
 * asks for it (hidden on a terminal). The key is never printed.
 */
import { createInterface } from "node:readline";
import { login, LoginError, InvalidServerUrlError, type LoginFrontEnd } from "../../wandb/settings/login.js";
import { CliUsageError, type CliCommand } from "../command.js";
import { parseHostOption } from "./host-option.js";

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
  // Echo goes off before the question shows: a key typed (or pasted) the moment it appears is never echoed.
  input.setRawMode(true);
  process.stderr.write(question);
  return new Promise<string>((resolve, reject) => {
    let typed = "";
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
        if (ch === "\u0003") return done(new LoginError("login cancelled (Ctrl-C); nothing was saved"));
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on("data", onData);
  });
}

/** The terminal: information and warnings on stderr, the result on stdout. */
const terminal: LoginFrontEnd = {
  command: "wbflow login",
  givenKeySource: "the command line",
  env: process.env,
  inform: (text) => process.stderr.write(`${text}\n`),
  warn: (text) => process.stderr.write(`${text}\n`),
  askForKey: promptForKey,
};

/** `wbflow login`. */
export const loginCommand: CliCommand = {
  name: "login",
  summary: "Verify a W&B API key and save it in ~/.netrc",
  usage: [
    "Usage: wbflow login [KEY] [--relogin] [--host URL] [--no-verify]",
    "",
    "Checks the key with the W&B server and stores it in ~/.netrc (mode 0600) for that server.",
    "Without KEY you are asked for it; on a terminal the key is not shown while you type.",
    "  --relogin    ask for a key even if one is already configured for the server",
    "  --host URL   the server's API URL (default: WANDB_BASE_URL or https://api.wandb.ai)",
    "  --no-verify  save the key without asking the server (offline machines)",
  ].join("\n"),
  async run(args) {
    const { host, rest } = parseHostOption(args);
    const flags = new Set(["--relogin", "--no-verify"]);
    const positional = rest.filter((a) => !flags.has(a));
    const unknown = positional.find((a) => a.startsWith("-"));
    if (unknown) throw new CliUsageError(`unknown option ${unknown}`);
    if (positional.length > 1) throw new CliUsageError("give at most one API key");
    try {
      const result = await login(
        {
          ...(positional[0] !== undefined ? { key: positional[0] } : {}),
          ...(host !== undefined ? { host } : {}),
          relogin: rest.includes("--relogin"),
          verify: !rest.includes("--no-verify"),
        },
        terminal,
      );
      console.log(result.message);
      return 0;
    } catch (error) {
      if (error instanceof InvalidServerUrlError) throw new CliUsageError(error.message);
      if (!(error instanceof LoginError)) throw error;
      console.error(`wbflow login: ${error.message}`);
      return 1;
    }
  },
};
