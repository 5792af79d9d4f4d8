/** The kernel's magic registry with every built-in magic registered. */
import { MagicRegistry } from "./magic-registry.js";
import { lsmagicMagic } from "./lsmagic.js";
import { FLOW_MAGIC_SUMMARY, WANDB_MAGIC_SUMMARY } from "./summaries.js";

/** A registry holding `%lsmagic` and wbflow's `%wandb` and `%flow` magics (loaded on first use). */
export function createMagicRegistry(): MagicRegistry {
  const registry = new MagicRegistry();
  registry.register(lsmagicMagic(registry));
  registry.register({
    name: "wandb",
    summary: WANDB_MAGIC_SUMMARY,
    modes: ["line", "cell"],
    load: async () => (await import("./wandb-magic.js")).wandbMagic(),
  });
  registry.register({
    name: "flow",
    summary: FLOW_MAGIC_SUMMARY,
    modes: ["line"],
    load: async () => (await import("./flow-magic.js")).flowMagic(),
  });
  registry.register({
    name: "writefile",
    summary: "Write the cell's body to a file (e.g. a flow module for worker processes).",
    modes: ["cell"],
    load: async () => (await import("./writefile-magic.js")).writefileMagic(),
  });
  return registry;
}
