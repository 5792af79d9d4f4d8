/**
 * Per-task capture of stdout/stderr: while a task runs, what it writes (console.* and direct stream
 * writes) is copied into the task's buffers and still passed through, so it shows in the notebook.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";

/** Text a task wrote, per stream. */
export interface CapturedOutput {
  stdout: string[];
  stderr: string[];
  /** Called with each piece as it is written (e.g. to stream it out of a worker process). */
  live?: (stream: "stdout" | "stderr", text: string) => void;
}

function keep(output: CapturedOutput, stream: "stdout" | "stderr", text: string): void {
  output[stream].push(text);
  output.live?.(stream, text);
}

interface CaptureState {
  output: CapturedOutput;
  /** Set while a console method runs, so its own stream write is not captured twice. */
  inConsole: boolean;
}

const storage = new AsyncLocalStorage<CaptureState>();
let installed = false;

function teeStream(stream: NodeJS.WriteStream, name: "stdout" | "stderr"): void {
  const original = stream.write;
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const state = storage.getStore();
    if (state && !state.inConsole) {
      keep(state.output, name, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    }
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof stream.write;
}

// Test runners and notebook kernels may route console.* elsewhere than process.stdout, so the
// console methods are captured too.
function teeConsole(method: "log" | "info" | "debug" | "warn" | "error", name: "stdout" | "stderr"): void {
  const original = console[method];
  console[method] = function (this: Console, ...args: unknown[]) {
    const state = storage.getStore();
    if (!state || state.inConsole) return original.apply(this, args);
    keep(state.output, name, `${format(...args)}\n`);
    state.inConsole = true;
    try {
      return original.apply(this, args);
    } finally {
      state.inConsole = false;
    }
  };
}

/** Runs `work` capturing what it writes to stdout and stderr into `output`. */
export function captureOutput<T>(output: CapturedOutput, work: () => T): T {
  if (!installed) {
    installed = true;
    teeStream(process.stdout, "stdout");
    teeStream(process.stderr, "stderr");
    for (const method of ["log", "info", "debug"] as const) teeConsole(method, "stdout");
    for (const method of ["warn", "error"] as const) teeConsole(method, "stderr");
  }
  return storage.run({ output, inConsole: false }, work);
}
