/** A short message a magic shows as its result: text, and HTML when there are links or tables. */
import { escapeHtml } from "../../display/html-escape.js";
import type { MimeBundle } from "../../display/mime-bundle.js";

/** A magic's message; `html` must already be escaped (built from display/ renderers). */
export class Notice {
  constructor(readonly text: string, readonly html: string = `<pre>${escapeHtml(text)}</pre>`) {}

  toMimeBundle(): MimeBundle {
    return { "text/plain": this.text, "text/html": this.html };
  }
}

/** A failure the user can fix; shown as an error without a stack trace. */
export class MagicUsageError extends Error {
  override name = "MagicUsageError";
  readonly userFacing = true;
}
