import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Notebook and Jupyter tests start real servers and kernels: give them room, but never
    // assert wall-clock limits (benchmarks measure speed; see bench/).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    reporters: ["default", "./test/support/summary-line-reporter.ts"],
  },
});
