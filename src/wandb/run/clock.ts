/** The time source of runs: injectable so tests write byte-identical logs. */
export interface Clock {
  /** Milliseconds since the Unix epoch (may be fractional). */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
