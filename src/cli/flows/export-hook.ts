/**
 * Reaching the flow classes a file defines without exporting them, without writing any file: a
 * module loader hook serves the file under `<url>?wbflow-export=A,B` with `export { A, B };`
 * appended to its (compiled) source. The module keeps its own folder, so its relative and package
 * imports resolve as usual, and nothing is left beside the user's file if the process is killed.
 */
import { register } from "node:module";

const PARAMETER = "wbflow-export";

/** The hook module, registered from a data: URL (it runs in the loader thread, apart from this file). */
const hookSource = `
export async function load(url, context, nextLoad) {
  const parsed = new URL(url);
  const names = parsed.searchParams.get(${JSON.stringify(PARAMETER)});
  if (names === null) return nextLoad(url, context);
  parsed.searchParams.delete(${JSON.stringify(PARAMETER)});
  const loaded = await nextLoad(parsed.href, context);
  if (loaded.source === null || loaded.source === undefined) return loaded;
  const text = typeof loaded.source === "string" ? loaded.source : new TextDecoder().decode(loaded.source);
  return { ...loaded, source: text + "\\nexport { " + names + " };\\n" };
}`;

let registered = false;

/** The URL under which `fileUrl` is served with `names` exported. Registers the hook once. */
export function urlExporting(fileUrl: string, names: readonly string[]): string {
  if (!registered) {
    // Registered after tsx's hooks, so it runs first and hands tsx the plain URL to compile.
    register(`data:text/javascript,${encodeURIComponent(hookSource)}`);
    registered = true;
  }
  const url = new URL(fileUrl);
  url.searchParams.set(PARAMETER, names.join(","));
  return url.href;
}
