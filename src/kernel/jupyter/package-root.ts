/** Where this copy of wbflow is installed: the directory holding its package.json and dist/. */
import { fileURLToPath } from "node:url";
import path from "node:path";

/** The package root, found from this compiled file's location (dist/kernel/jupyter/ or src/kernel/jupyter/). */
export function wbflowPackageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
}
