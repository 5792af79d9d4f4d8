/** `%lsmagic`: lists the registered magics, like IPython (text plus an `application/json` bundle). */
import type { Magic, MagicSummary } from "./magic.js";
import type { MagicRegistry } from "./magic-registry.js";

/** Creates `%lsmagic` for `registry`. */
export function lsmagicMagic(registry: MagicRegistry): Magic {
  return {
    name: "lsmagic",
    summary: "List the available magics.",
    modes: ["line"],
    main: {
      summary: "List line and cell magics.",
      arguments: {},
      run: async () => new MagicListing(registry.list()),
    },
  };
}

class MagicListing {
  constructor(private readonly magics: MagicSummary[]) {}

  toMimeBundle(): Record<string, unknown> {
    const line = this.magics.filter((m) => m.modes.includes("line"));
    const cell = this.magics.filter((m) => m.modes.includes("cell"));
    const text = [
      `Available line magics:\n${line.map((m) => `%${m.name}`).join("  ")}`,
      "",
      `Available cell magics:\n${cell.map((m) => `%%${m.name}`).join("  ") || "(none)"}`,
      "",
      "Magic lines go at the top of a cell or after a statement ending in `;`. %NAME? shows help.",
      ...this.magics.map((m) => `  %${m.name.padEnd(8)} ${m.summary}`),
    ].join("\n");
    return {
      "text/plain": text,
      "application/json": {
        line: Object.fromEntries(line.map((m) => [m.name, m.summary])),
        cell: Object.fromEntries(cell.map((m) => [m.name, m.summary])),
      },
    };
  }
}
