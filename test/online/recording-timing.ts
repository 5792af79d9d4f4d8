/** NetworkTiming for tests: sleeps return at once and are recorded; time and jitter are fixed. */
import type { NetworkTiming } from "../../src/wandb/online/http/network-timing.js";

export interface RecordingTiming extends NetworkTiming {
  sleeps: number[];
}

export function recordingTiming(startMs = 1_700_000_000_000): RecordingTiming {
  let now = startMs;
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    now: () => now,
    random: () => 0.5,
  };
}
