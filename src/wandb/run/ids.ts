/** Random ids: W&B run ids (8 of `[a-z0-9]`) and artifact client ids (128 of them), without modulo bias. */
import { randomInt } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Returns `length` characters of `[a-z0-9]`, each uniformly chosen by `pick(36)`. */
export function randomId(length: number, pick: (bound: number) => number = randomInt): string {
  let id = "";
  for (let i = 0; i < length; i++) id += ALPHABET[pick(ALPHABET.length)];
  return id;
}

/** A new W&B run id: 8 characters of `[a-z0-9]`. */
export function generateRunId(): string {
  return randomId(8);
}
