/**
 * The sender's table of server version numbers by record client id: waiters get the number when the
 * server answers, at once when it already did, and undefined (keep the local number) once the
 * sender stopped — never a promise that hangs.
 */
import { expect, it } from "vitest";
import { VersionNumbers } from "../../src/wandb/online/artifacts/version-numbers.js";

it("answers waiters when settled, later callers at once, and everyone still waiting with undefined when the sender stops", async () => {
  const numbers = new VersionNumbers();
  const early = numbers.of("a", false);
  numbers.settle("a", { versionIndex: 3, deduplicated: false });
  await expect(early).resolves.toEqual({ versionIndex: 3, deduplicated: false });
  await expect(numbers.of("a", true)).resolves.toEqual({ versionIndex: 3, deduplicated: false });

  const pending = numbers.of("b", false);
  numbers.giveUp();
  await expect(pending).resolves.toBeUndefined();
  await expect(numbers.of("c", false)).resolves.toBeUndefined();
  // Known answers survive the stop.
  await expect(numbers.of("a", false)).resolves.toEqual({ versionIndex: 3, deduplicated: false });
});

it("a sender that already stopped answers undefined for a version it never numbered", async () => {
  await expect(new VersionNumbers().of("x", true)).resolves.toBeUndefined();
});
