/** Runs the CLI from source (the tests spawn it with tsx, as a real process). */
import { main } from "../../src/cli.js";

process.exitCode = await main(process.argv.slice(2));
