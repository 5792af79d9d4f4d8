/** The kernel's magic registry with every built-in magic registered. */
import { MagicRegistry } from "../magic-registry.js";
import { flowMagic } from "./flow-magic.js";
import { lsmagicMagic } from "./lsmagic.js";
import { wandbMagic } from "./wandb-magic.js";

/** A registry holding `%lsmagic` and wbflow's `%wandb` and `%flow` magics. */
export function createMagicRegistry(): MagicRegistry {
  const registry = new MagicRegistry();
  registry.register(lsmagicMagic(registry));
  registry.register(wandbMagic());
  registry.register(flowMagic());
  return registry;
}
