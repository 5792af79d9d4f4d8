/** The latest-attempt rule, checked against a model on random sequences of attempt events. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Datastore, TaskNotFinishedError, type TaskKey } from "../../src/flow/datastore/datastore.js";

type AttemptEvent = { kind: "start" | "finish"; attempt: number };

describe("Datastore attempt visibility (property)", () => {
  it("shows exactly the latest started attempt, and only once it is finished", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ kind: fc.constantFrom<"start" | "finish">("start", "finish"), attempt: fc.integer({ min: 0, max: 3 }) }), { maxLength: 12 }),
        async (events: AttemptEvent[]) => {
          const root = await mkdtemp(join(tmpdir(), "wbflow-attempts-"));
          try {
            const store = new Datastore({ root });
            const key: TaskKey = { flowName: "P", runId: "1", stepName: "s", taskId: "1" };
            const started = new Set<number>();
            const finished = new Set<number>();
            for (const { kind, attempt } of events) {
              if (kind === "start") {
                await store.startAttempt(key, attempt);
                started.add(attempt);
                finished.delete(attempt); // restarting an attempt number begins it afresh
              } else if (started.has(attempt)) {
                const value = await store.putValue("P", `attempt ${attempt}`);
                await store.finishAttempt(key, attempt, { artifacts: { v: { name: "v", producedBy: "P/1/s/1", ...value } }, metadata: { attempt } });
                finished.add(attempt);
              }
            }
            if (started.size === 0) {
              await expect(store.readTask(key)).rejects.toThrow();
              return;
            }
            const latest = Math.max(...started);
            if (finished.has(latest)) {
              const stored = await store.readTask(key);
              expect(stored.attempt).toBe(latest);
              expect(await store.getValue("P", stored.artifacts.v!)).toBe(`attempt ${latest}`);
            } else {
              await expect(store.readTask(key)).rejects.toBeInstanceOf(TaskNotFinishedError);
            }
          } finally {
            await rm(root, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
