/** Time and randomness the online client depends on, injectable so tests never sleep. */
export interface NetworkTiming {
  /** Waits `ms` milliseconds (backoff between retries, file_stream pacing). */
  sleep(ms: number): Promise<void>;
  /** Current time in milliseconds since the epoch. */
  now(): number;
  /** A number in [0, 1) for jitter. */
  random(): number;
}

/** Real time. */
export const realTiming: NetworkTiming = {
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  random: () => Math.random(),
};
