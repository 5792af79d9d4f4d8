/** Runs the wbflow CLI from source in a child process (tests spawn it with `node --import tsx`). */
import { main } from "../../src/cli.js";

process.exitCode = await main(process.argv.slice(2));
