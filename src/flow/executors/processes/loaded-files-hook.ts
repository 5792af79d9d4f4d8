/** Module resolve hook (see loaded-files.ts): posts every `file:` URL a worker resolves to the worker's main thread. */
import type { MessagePort } from "node:worker_threads";

let port: MessagePort | undefined;

/** Receives the port of the worker's main thread. */
export function initialize(data: { port: MessagePort }): void {
  port = data.port;
}

type Next = (specifier: string, context: unknown) => Promise<{ url: string }>;

/** Resolves as the next hook does, then reports a file it resolved to. */
export async function resolve(specifier: string, context: unknown, next: Next): Promise<{ url: string }> {
  const resolved = await next(specifier, context);
  if (resolved.url.startsWith("file:")) port?.postMessage(resolved.url);
  return resolved;
}
