/**
 * A file a command was told to read or write (`--svg OUT`, `--file OUT`, `--datastore DIR`) that the
 * system refuses: one line naming the path and what to do, instead of Node's stack trace.
 */

const REASONS: Record<string, string> = {
  ENOENT: "no such file or folder. Check the path (create the folder first when writing into one)",
  ENOTDIR: "a part of the path is a file, not a folder. Check the path",
  EISDIR: "it is a folder. Give a file's path",
  EACCES: "permission denied. Choose a path you may use",
  EPERM: "not permitted. Choose a path you may use",
  EROFS: "the file system is read-only. Choose another path",
  ENOSPC: "the disk is full. Free some space and run the command again",
};

/** One line for a Node file-system error with a path, or undefined for any other error. */
export function fileSystemErrorMessage(error: unknown): string | undefined {
  const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== "string" || typeof path !== "string" || !(code in REASONS)) return undefined;
  return `cannot use ${path}: ${REASONS[code]} (${code}).`;
}
