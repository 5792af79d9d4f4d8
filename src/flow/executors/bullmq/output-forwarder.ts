/**
 * A task's live output, from a worker's child process to the runner: gathered for a moment and sent
 * as the job's progress (BullMQ carries it to the runner's QueueEvents), so a chatty step costs a
 * few Redis writes a second rather than one per line. The task's logs in the datastore hold all of it
 * regardless.
 */
import type { AttemptEvent } from "../task-request.js";

/** What one progress update carries: the output of each stream since the last one. */
export interface OutputChunk {
  stdout: string;
  stderr: string;
}

/** Sends output every `intervalMs` while there is some. */
export class OutputForwarder {
  private pending: OutputChunk = { stdout: "", stderr: "" };
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly send: (chunk: OutputChunk) => Promise<unknown>,
    private readonly intervalMs = 100,
  ) {}

  /** Adds printed output. */
  add(event: AttemptEvent): void {
    this.pending[event.stream] += event.text;
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Sends what is pending now; resolves when everything added so far was sent. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const chunk = this.pending;
    this.pending = { stdout: "", stderr: "" };
    if (chunk.stdout || chunk.stderr) {
      // Sent in order; a lost update loses only live printing, never the stored logs.
      this.sending = this.sending.then(() => this.send(chunk)).catch(() => undefined);
    }
    await this.sending;
  }
}
