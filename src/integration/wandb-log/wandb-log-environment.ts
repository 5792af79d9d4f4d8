/**
 * What `@wandb_log` takes from its surroundings — where lines are printed, the environment, and the
 * W&B client's injectable clock and ids — replaceable as a whole, for tests and embedding.
 */
import type { InitDependencies } from "../../wandb/run/init.js";

/** The surroundings of `@wandb_log`. */
export interface WandbLogEnvironment {
  /** Prints one output line (default: stdout, which the flow engine also keeps in the task's log). */
  print(line: string): void;
  /** Environment variables read for settings (default: `process.env`, read at each task). */
  env(): NodeJS.ProcessEnv;
  /** Passed to the W&B client's `init` (clock, run ids, working directory...). */
  initDependencies(): InitDependencies;
}

const defaults: WandbLogEnvironment = {
  print: (line) => {
    process.stdout.write(`${line}\n`);
  },
  env: () => process.env,
  initDependencies: () => ({}),
};

let current: WandbLogEnvironment = defaults;

/** The surroundings in use. */
export function wandbLogEnvironment(): WandbLogEnvironment {
  return current;
}

/**
 * Replaces parts of `@wandb_log`'s surroundings; returns a function that restores the previous ones.
 * @example const restore = configureWandbLog({ print: (line) => lines.push(line) });
 */
export function configureWandbLog(overrides: Partial<WandbLogEnvironment>): () => void {
  const previous = current;
  current = { ...previous, ...overrides };
  return () => {
    current = previous;
  };
}
