/**
 * Graphviz in WebAssembly (`@viz-js/viz`): DOT in, SVG out. The instance is created once and reused,
 * since compiling the WebAssembly module is the expensive part.
 */
import type { Viz } from "@viz-js/viz";

// Loaded on first use: the module embeds the WebAssembly binary, which kernels without graphs never need.
let shared: Promise<Viz> | undefined;

/** Renders DOT source to an SVG document (without the XML prolog, ready to inline in HTML). */
export async function renderDotToSvg(dot: string): Promise<string> {
  shared ??= import("@viz-js/viz").then((viz) => viz.instance());
  const viz = await shared;
  const result = viz.render(dot, { format: "svg" });
  if (result.status !== "success") {
    const messages = result.errors.map((e) => e.message).join("; ");
    throw new Error(`Graphviz could not lay out the graph: ${messages}`);
  }
  return result.output.replace(/^[\s\S]*?(?=<svg)/, "");
}

/** A DOT string literal: quotes and backslashes escaped, newlines kept as DOT line breaks. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}
