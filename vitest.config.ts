import { defineConfig } from "vitest/config";

/**
 * The online tests that move artifact and run-file bytes, rerun with the protocol test server's
 * storage under `/storage` on the API's own origin (like W&B Server with local storage), where
 * any `Authorization` header is refused: the API key must never reach a signed URL.
 */
const STORAGE_ON_API_ORIGIN = [
  "test/online/artifact-upload.test.ts",
  "test/online/flow-end-to-end.test.ts",
  "test/online/online-sender.test.ts",
  "test/online/online-vs-sync.test.ts",
  "test/online/server-failure.test.ts",
  "test/online/sync-vectors.test.ts",
  "test/online/use-artifact-by-name.test.ts",
  "test/integration/online.test.ts",
  "test/integration/server-version-numbers.test.ts",
  "test/online/server-numbers.test.ts",
  // The CLI's online commands (login, sync, run with @wandb_log) and the other tests that upload.
  "test/online/cli.test.ts",
  "test/online/upload-progress.test.ts",
  "test/online/concurrent-sync.test.ts",
  "test/online/lineage-sync-order.test.ts",
  "test/online/wandb-sync-staging.test.ts",
  "test/online/writer-fidelity.test.ts",
  "test/integration/flow-run-report.test.ts",
  "test/kernel/wandb-recent-run.test.ts",
  "test/kernel/wandb-sync-magic.test.ts",
];

export default defineConfig({
  test: {
    // Notebook and Jupyter tests start real servers and kernels: give them room, but never
    // assert wall-clock limits (benchmarks measure speed; see bench/).
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    reporters: ["default", "./test/support/summary-line-reporter.ts"],
    projects: [
      { extends: true, test: { name: "wbflow", include: ["test/**/*.test.ts"] } },
      {
        extends: true,
        test: { name: "storage-on-api-origin", include: STORAGE_ON_API_ORIGIN, env: { WBFLOW_TEST_STORAGE_LAYOUT: "api-origin" } },
      },
    ],
  },
});
