/** Environment variables through which a worker process configures its child processes (sandboxed-processor.ts). */
export const CHILD_ENV = {
  /** Where run code is unpacked. */
  codeCache: "WBFLOW_WORKER_CODE_CACHE",
  /** Where this machine mounts the shared datastore, when not at the path jobs name. */
  datastore: "WBFLOW_WORKER_DATASTORE",
} as const;
