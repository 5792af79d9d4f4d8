/**
 * Per-task capture of stdout/stderr: while a task runs, what it writes (console.log included) is
 * copied into the task's buffers and still written through, so it shows in the notebook.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Text a task wrote, per stream. */
export interface CapturedOutput {
  stdout: string[];
  stderr: string[];
}

const storage = new AsyncLocalStorage<CapturedOutput>();
let installed = false;

function tee(stream: NodeJS.WriteStream, name: keyof CapturedOutput): void {
  const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const capture = storage.getStore();
    if (capture) capture[name].push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    return original(chunk, ...rest);
  }) as typeof stream.write;
}

/** Runs `work` capturing what it writes to stdout and stderr into `output`. */
export function captureOutput<T>(output: CapturedOutput, work: () => T): T {
  if (!installed) {
    installed = true;
    tee(process.stdout, "stdout");
    tee(process.stderr, "stderr");
  }
  return storage.run(output, work);
}
