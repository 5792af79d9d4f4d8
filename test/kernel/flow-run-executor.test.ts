/** `%flow run`'s executor flags read like `wbflow run`'s, and a bad Redis URL is refused before any run, masked. */
import { expect, test } from "vitest";
import { executorRunOptions } from "../../src/kernel/magics/flow-run-executor.js";
import { parseArguments, tokenizeArguments } from "../../src/kernel/magics/magic-arguments.js";
import { flowMagic } from "../../src/kernel/magics/flow-magic.js";

const ENV_URL = "redis://:env-secret-pw@127.0.0.1:6390/1";

/** The run options `%flow run F <flags>` asks for, with `env` as the kernel's environment. */
function optionsOf(flags: string, env: NodeJS.ProcessEnv = {}) {
  const args = parseArguments(tokenizeArguments(`F ${flags}`), flowMagic().subcommands!.run!.arguments, "%flow run");
  return { options: executorRunOptions(args.options, env), parameters: args.extraOptions };
}

test("bullmq takes --redis, else $WBFLOW_REDIS_URL, and --queue; flow parameters stay parameters", () => {
  expect(optionsOf("--executor bullmq --queue gpu --alpha 2", { WBFLOW_REDIS_URL: ENV_URL })).toEqual({
    options: { executor: "bullmq", redis: ENV_URL, queue: "gpu" },
    parameters: { alpha: "2" },
  });
  expect(optionsOf("--executor bullmq --redis redis://127.0.0.1:6391", { WBFLOW_REDIS_URL: ENV_URL }).options).toEqual({
    executor: "bullmq",
    redis: "redis://127.0.0.1:6391",
  });
  expect(optionsOf("--executor processes --max-workers 3", { WBFLOW_REDIS_URL: ENV_URL }).options).toEqual({ executor: "processes", maxWorkers: 3 });
});

test("--package-suffixes: file endings for bullmq; refused elsewhere or when not endings", () => {
  expect(optionsOf("--executor bullmq --package-suffixes .json,.bin", { WBFLOW_REDIS_URL: ENV_URL }).options).toEqual({
    executor: "bullmq",
    redis: ENV_URL,
    packageSuffixes: [".json", ".bin"],
  });
  expect(() => optionsOf("--package-suffixes .json")).toThrow("%flow run --package-suffixes is for --executor bullmq (workers elsewhere)");
  expect(() => optionsOf("--executor bullmq --package-suffixes csv", { WBFLOW_REDIS_URL: ENV_URL })).toThrow(
    `%flow run: Package suffix "csv" is not a file name ending: give ones like .json or .csv.`,
  );
});

test("bullmq without a Redis, or with a URL that is none, is refused before the run and never shows the password", () => {
  expect(() => optionsOf("--executor bullmq")).toThrow(
    "%flow run: --executor bullmq needs the workers' Redis: give --redis URL, or set $WBFLOW_REDIS_URL in the kernel's environment.",
  );
  let message = "";
  try {
    optionsOf("--executor bullmq", { WBFLOW_REDIS_URL: "redis//:env-secret-pw@127.0.0.1:6390" });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/^%flow run: .* is not a Redis URL/);
  expect(message).not.toContain("env-secret-pw");
  expect(() => optionsOf("--executor threads")).toThrow("%flow run --executor is in-process, processes or bullmq; got threads.");
});
