/**
 * `%%writefile path` (IPython's cell magic): writes the cell's body to a file, e.g. a flow module that
 * worker processes can import (`executor: "processes"` needs the flow class in a module file).
 * `-a`/`--append` appends instead. The file is written relative to the kernel's working folder.
 */
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import type { Magic } from "./magic.js";
import { MagicUsageError, Notice } from "./notice.js";

/** Creates `%%writefile`. */
export function writefileMagic(): Magic {
  return {
    name: "writefile",
    summary: "Write the cell's body to a file (e.g. a flow module for worker processes).",
    modes: ["cell"],
    main: {
      summary: "Write (or with -a, append) the cell's body to PATH.",
      takesCellBody: true,
      arguments: {
        positionals: [{ name: "path", help: "the file to write, relative to the notebook's folder" }],
        options: [{ long: "append", short: "a", help: "append to the file instead of replacing it" }],
      },
      async run(args, _context, body) {
        if (body === undefined) throw new MagicUsageError("%%writefile is a cell magic: put %%writefile PATH on the first line of a cell, the file's text below it.");
        const file = path.resolve(args.positionals.path!);
        const existed = existsSync(file);
        const text = body.endsWith("\n") ? body : `${body}\n`;
        try {
          await mkdir(path.dirname(file), { recursive: true });
          if (args.options.append === true) await appendFile(file, text);
          else await writeFile(file, text);
        } catch (error) {
          throw cannotWrite(file, error);
        }
        const verb = args.options.append === true ? "Appending to" : existed ? "Overwriting" : "Writing";
        return new Notice(`${verb} ${args.positionals.path!}`);
      },
    },
  };
}

/** A file-system refusal as one line that says what is in the way (the cell's text is still in the cell). */
function cannotWrite(file: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === "EISDIR"
      ? "it is a folder. Give a file's path, e.g. " + path.join(file, "flow.ts")
      : code === "EEXIST" || code === "ENOTDIR"
        ? "a part of its path is a file, not a folder. Choose another folder"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied. Choose a folder you may write to"
          : undefined;
  if (reason === undefined) return error as Error;
  return new MagicUsageError(`%%writefile: cannot write ${file}: ${reason}.`);
}
