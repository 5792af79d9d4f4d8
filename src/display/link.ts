/** Links to W&B pages (or local paths) as HTML and text. */
import { escapeHtml, safeUrl } from "./html-escape.js";
import type { TableCell } from "./html-table.js";

/** An `<a target=_blank>` with escaped text and a URL limited to http(s)/relative. */
export function linkHtml(url: string, text: string = url): string {
  return `<a href="${safeUrl(url)}" target="_blank" rel="noopener">${escapeHtml(text)}</a>`;
}

/** A table cell holding a link, whose text form is the URL. */
export function linkCell(url: string, text: string = url): TableCell {
  return { html: linkHtml(url, text), text: url };
}

/** A local path shown as code (offline runs have directories, not URLs). */
export function pathCell(localPath: string): TableCell {
  return { html: `<code>${escapeHtml(localPath)}</code>`, text: localPath };
}
