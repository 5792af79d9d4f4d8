/**
 * Output read by a program that stops early (`wbflow runs | head`, `wbflow run ... | grep -m1`): once
 * the reader closes the pipe, every write to it fails with EPIPE. Unhandled, the first one ended the
 * command with a stack trace, and `wbflow run` died mid-run, leaving its run "running" for ever.
 * Output nobody reads any more is dropped instead; the command finishes its work (a run ends and
 * records its status, logs and artifacts) and exits with its own code.
 */

/** Whether `error` says the reader of a stream is gone. */
function readerGone(error: NodeJS.ErrnoException): boolean {
  return error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED";
}

/** Drops what is written to standard output or error after its reader closed it. */
export function ignoreClosedOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listeners("error").includes(onError)) continue;
    stream.on("error", onError);
  }
}

function onError(error: NodeJS.ErrnoException): void {
  if (!readerGone(error)) throw error;
}
