/**
 * `%flow run Name --executor bullmq` through real Jupyter (nbconvert): a flow written with
 * `%%writefile` runs on a real `wbflow worker` process through Debian's redis-server (password
 * protected, on a random loopback port), with the workers' output and the report in the cell; the
 * Redis password is never shown, whether it comes from $WBFLOW_REDIS_URL or --redis.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { flowProject, killWorkers, startWorker, type WorkerProcess } from "../support/cluster.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { FANOUT_FLOW_CELL } from "./fanout-flow-cell.js";
import { JupyterSandbox, errorOutputs, mimeText, notebookOf, outputsOf } from "./jupyter-harness.js";

const PASSWORD = "nb-redis-pw-7f3a9c";
const OTHER_PASSWORD = "typed-in-cell-pw-51d2";

let redis: RedisServer;
let sandbox: JupyterSandbox;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  redis = await startRedisServer({ password: PASSWORD });
  // The worker runs from a project folder of its own (its code cache resolves `wbflow` there).
  workers.push(startWorker(flowProject({}), ["--queue", "notebook"], { WBFLOW_REDIS_URL: redis.url }));
  await workers[0]!.waitFor(/taking tasks from queue/);
  sandbox = new JupyterSandbox({ WBFLOW_REDIS_URL: redis.url });
});

afterAll(async () => {
  await killWorkers(workers);
  await sandbox?.dispose();
  await redis?.close();
});

it("a %%writefile flow runs on a wbflow worker through Redis from %flow run --executor bullmq", async () => {
  const executed = await sandbox.nbconvert(
    notebookOf(
      FANOUT_FLOW_CELL,
      `import { FanOut } from "./fanout_flow";`,
      `%flow run FanOut --executor bullmq --queue notebook`,
      `import { Flow } from "wbflow";
const latest = await new Flow("FanOut").latestSuccessfulRun();
const data = (await latest!.data())!;
console.log("ys", JSON.stringify(data.ys), "on the worker", (data.pids as number[]).every((pid) => pid !== process.pid));`,
      `%flow run FanOut --executor bullmq --redis http://:${OTHER_PASSWORD}@127.0.0.1:6379`,
    ),
    { allowErrors: true },
  );
  const errors = errorOutputs(executed);
  expect(errors.slice(0, -1)).toEqual([]);
  const printed = mimeText(executed, 2, "stream");
  expect(printed).toContain("squared 2 on a worker"); // the worker's output, forwarded into the cell
  const report = outputsOf(executed, 2).flatMap((o) => ("data" in o ? [String(o.data["text/html"] ?? "")] : [])).join("\n");
  expect(report).toContain("<svg");
  expect(report).toContain("foreach xs");
  expect(mimeText(executed, 3, "stream")).toContain("ys [1,4,9] on the worker true");
  expect(workers[0]!.output()).toMatch(/FanOut\/\d+\/square/);

  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ ename: "MagicUsageError" });
  expect(String((errors[0] as { evalue: string }).evalue)).toBe(
    "%flow run: http://***@127.0.0.1:6379 is not a Redis URL: it must start with redis:// (or rediss:// for TLS).",
  );
  const outputs = JSON.stringify(executed.cells.map((cell) => cell.outputs));
  expect(outputs).not.toContain(PASSWORD);
  expect(outputs).not.toContain(OTHER_PASSWORD);
}, 600_000);
