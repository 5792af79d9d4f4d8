// Preloaded into a benchmarked child process (`node --import`): at exit, writes the process's peak
// resident memory (VmHWM, KiB) to $WBFLOW_BENCH_PEAK_FILE.
import { readFileSync, writeFileSync } from "node:fs";

process.on("exit", () => {
  const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
  if (process.env.WBFLOW_BENCH_PEAK_FILE && kib) writeFileSync(process.env.WBFLOW_BENCH_PEAK_FILE, kib);
});
