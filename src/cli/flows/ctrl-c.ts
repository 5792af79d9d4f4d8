/**
 * Ctrl-C during `wbflow run` / `wbflow resume`: the first one interrupts the run (no task starts any
 * more, tasks in worker processes are ended, in-process ones finish), which then ends as interrupted
 * with its usual message saying how to resume; a second one exits at once (worker processes are still
 * ended on the way out). Without this, SIGINT would kill the CLI mid-task and leave busy workers to
 * finish their step before they noticed.
 */
import { interruptActiveRuns } from "../../flow/runtime/active-runs.js";
import { EXIT_INTERRUPTED } from "../exit-codes.js";

/** Runs `action` with Ctrl-C interrupting the flow runs it starts; see the file's comment. */
export async function interruptibleByCtrlC<T>(action: () => Promise<T>): Promise<T> {
  let pressed = false;
  const onInterrupt = () => {
    if (pressed) process.exit(EXIT_INTERRUPTED);
    pressed = true;
    process.stderr.write("Interrupting the run: no task starts any more; tasks in worker processes are ended. Ctrl-C again exits at once.\n");
    void interruptActiveRuns(new Error("Interrupted by Ctrl-C (SIGINT)."));
  };
  process.on("SIGINT", onInterrupt);
  try {
    return await action();
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}
