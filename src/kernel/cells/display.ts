/**
 * `display(value)` for notebook code: shows any value as a rich output (see the display protocol in
 * `display/mime-bundle.ts`) and returns a handle that can replace it in place later.
 */
import { randomUUID } from "node:crypto";
import { mimeBundleOf } from "../../display/mime-bundle.js";
import { activeOutput } from "./active-output.js";

/** A shown output that can be replaced in place (`update_display_data`). */
export interface DisplayHandle {
  /** The Jupyter display id of this output. */
  readonly displayId: string;
  /** Replaces the output with `value`'s representation. */
  update(value: unknown): Promise<void>;
}

/** Options of {@link display}. */
export interface DisplayCallOptions {
  /** Reuse a display id (e.g. to update an output created by another cell). */
  displayId?: string;
}

/**
 * Shows `value` in the notebook as a `display_data` output. Outside a wbflow kernel it prints the
 * `text/plain` representation to stdout instead, so scripts still show something useful.
 */
export async function display(value: unknown, options: DisplayCallOptions = {}): Promise<void> {
  await show(value, options.displayId ?? randomUUID(), false);
}

/** Like {@link display}, and returns a handle to replace the output in place (live progress, status). */
export async function liveDisplay(value: unknown, options: DisplayCallOptions = {}): Promise<DisplayHandle> {
  const displayId = options.displayId ?? randomUUID();
  await show(value, displayId, false);
  return {
    displayId,
    update: (next: unknown) => show(next, displayId, true),
  };
}

async function show(value: unknown, displayId: string, update: boolean): Promise<void> {
  const bundle = await mimeBundleOf(value);
  const output = activeOutput();
  if (output) {
    output.display(bundle, { displayId, update });
    return;
  }
  process.stdout.write(`${String(bundle["text/plain"])}\n`);
}
