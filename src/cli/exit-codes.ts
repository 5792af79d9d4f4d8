/**
 * Exit codes of every `wbflow` command, so scripts can tell outcomes apart:
 * 0 done; 1 the flow, check or task failed; 2 a usage mistake; 3 the run, step, task or artifact
 * asked for does not exist; 130 the run was interrupted (Ctrl-C), as shells report SIGINT.
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_NOT_FOUND = 3;
export const EXIT_INTERRUPTED = 130;

const byErrorName: Record<string, number> = {
  NotFoundError: EXIT_NOT_FOUND,
  ClientNotFoundError: EXIT_NOT_FOUND,
  DatastoreNotFoundError: EXIT_NOT_FOUND,
  CommandInputError: EXIT_USAGE,
  InvalidPathspecError: EXIT_USAGE,
  InvalidTagError: EXIT_USAGE,
  NamespaceMismatchError: EXIT_USAGE,
  LintError: EXIT_FAILED,
  FlowFileError: EXIT_FAILED,
  FlowDefinitionError: EXIT_FAILED,
  ParameterError: EXIT_USAGE,
  ResumeError: EXIT_NOT_FOUND,
  TaskNotFinishedError: EXIT_FAILED,
  // W&B settings and ~/.netrc problems: the message says which file or setting and what to do.
  NetrcSyntaxError: EXIT_FAILED,
  NetrcFileError: EXIT_FAILED,
  InvalidSettingError: EXIT_USAGE,
  InvalidApiKeyError: EXIT_USAGE,
};

/** The exit code for an error a command reports as one line, or undefined for an unexpected error. */
export function exitCodeOf(error: unknown): number | undefined {
  return error instanceof Error ? byErrorName[error.name] : undefined;
}
