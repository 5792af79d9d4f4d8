/**
 * Stopping a job a worker is running, because its run was interrupted. The runner publishes a cancel
 * event on the queue's event stream (every worker listens); the worker holding the job kills the
 * child process running it. A kill, not a request to the child: a step busy in synchronous code
 * never reads one, and the processes executor stops its tasks the same way. The child names its pid
 * as the job's first progress update, since BullMQ keeps its child processes to itself.
 */

/** The custom queue event a runner publishes to stop one of its running jobs. */
export const CANCEL_EVENT = "wbflow-cancel";

/** The progress update a job's child process sends first: who to kill to stop it. */
export interface ChildStarted {
  pid: number;
}

/** Whether a job's progress update is a {@link ChildStarted}. */
export function isChildStarted(progress: unknown): progress is ChildStarted {
  return typeof progress === "object" && progress !== null && typeof (progress as ChildStarted).pid === "number";
}

// A cancel can reach a worker just before it reports the job active (it took it from the queue as the
// runner gave up withdrawing it): remembered this long, so the job is stopped once its child starts.
const REMEMBER_CANCEL_MS = 60_000;

/** A worker's bookkeeping of its jobs' child processes and the cancels it was sent. */
export class JobStopper {
  private readonly children = new Map<string, number>();
  private readonly cancelled = new Map<string, number>();

  constructor(private readonly onStop: (jobId: string, pid: number) => void) {}

  /** A job's child process reported its pid. */
  childStarted(jobId: string, pid: number): void {
    this.children.set(jobId, pid);
    if (this.cancelled.has(jobId)) this.stop(jobId, pid);
  }

  /** The runner asked to stop `jobId` (which may be another worker's). */
  cancel(jobId: string): void {
    const now = Date.now();
    for (const [id, at] of this.cancelled) if (now - at > REMEMBER_CANCEL_MS) this.cancelled.delete(id);
    this.cancelled.set(jobId, now);
    const pid = this.children.get(jobId);
    if (pid !== undefined) this.stop(jobId, pid);
  }

  /** Whether the job's end was a stop this worker made. */
  wasStopped(jobId: string): boolean {
    return this.cancelled.has(jobId) && this.children.has(jobId);
  }

  /** The job ended (either way). */
  ended(jobId: string): void {
    this.children.delete(jobId);
    this.cancelled.delete(jobId);
  }

  private stop(jobId: string, pid: number): void {
    try {
      process.kill(pid, "SIGKILL");
      this.onStop(jobId, pid);
    } catch {
      // The child already ended: its job settles by itself.
    }
  }
}
