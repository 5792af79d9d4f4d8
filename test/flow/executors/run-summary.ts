/** What the drivers (run-driver.ts, pool-driver.ts) print about a run, as plain JSON. */
export function runSummary(run: any): object {
  const tasks = run.tasks.map((t: any) => ({
    stepName: t.stepName,
    taskId: t.taskId,
    pathspecIndex: t.pathspecIndex,
    ok: t.ok,
    attempts: t.attempts,
    cloned: t.cloned === true,
    artifacts: t.artifacts,
    error: t.error && { name: t.error.name, message: t.error.message },
  }));
  const error = run.error && { name: run.error.name, message: run.error.message, cause: run.error.cause && { name: run.error.cause.name, message: run.error.cause.message } };
  return { flowName: run.flowName, runId: run.runId, successful: run.successful, error, tasks };
}
