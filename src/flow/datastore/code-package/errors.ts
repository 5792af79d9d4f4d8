/** Errors of packaging a flow's code, storing it with a run, and extracting it on a worker. */

/** Base class: the flow's code cannot be packaged, found, trusted or run by this worker. */
export class CodePackageError extends Error {
  override name = "CodePackageError";
}

/**
 * A worker's wbflow version differs from the run's: it refuses the job rather than run the flow's
 * code against an engine it was not started with.
 */
export class WbflowVersionMismatchError extends CodePackageError {
  override name = "WbflowVersionMismatchError";
  constructor(
    readonly where: string,
    readonly runVersion: string,
    readonly workerVersion: string,
  ) {
    super(
      `${where} was started with wbflow ${runVersion}, but this worker has wbflow ${workerVersion}. ` +
        `The worker refuses the task so the code runs only against the engine it was written for: ` +
        `install wbflow@${runVersion} where the workers run (npm i wbflow@${runVersion}) and restart them.`,
    );
  }
}
