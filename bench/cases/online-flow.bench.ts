/**
 * An online `@wandb_log` flow against the loopback protocol test server, next to the same flow
 * offline: start → an 8-way foreach whose tasks each log a distinct table → join (uses all 8) → end.
 * Online, each task uploads its version and waits for the number the server gave it before its line
 * and record (issue 13, item 4); the ratio is what being online costs a whole flow run here.
 *
 * Run `npm run bench -- "online flow"`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as aq from "arquero";
import { Datastore } from "../../src/flow/datastore/datastore.js";
import { FlowSpec } from "../../src/flow/define/spec.js";
import { step } from "../../src/flow/define/step.js";
import { configureWandbLog } from "../../src/integration/wandb-log/wandb-log-environment.js";
import { wandb_log } from "../../src/integration/wandb-log/wandb-log.js";
import { tuneOnlineRuns } from "../../src/wandb/online/online-backend-factory.js";
import { startProtocolServer, TEST_USER, type ProtocolServer } from "../../test/support/protocol-server/protocol-server.js";
import { timeMs, type BenchCase } from "../harness.js";

const SPLITS = 8;

type AnyFlow = typeof FlowSpec & { run: typeof FlowSpec.run };
type LegacyMethodDecorator = (target: object, key: string, descriptor: PropertyDescriptor) => void;

/** start → make (foreach) → join → end, with `@wandb_log({ datasets: true })` on the class. */
function foreachFlow(): AnyFlow {
  const flow = new Function(
    "FlowSpec",
    "aq",
    `return class OnlineForeachBenchFlow extends FlowSpec {
      start() { this.parts = Array.from({ length: ${SPLITS} }, (_, i) => i); this.next(this.make, { foreach: "parts" }); }
      make() { this.tbl = aq.table({ part: [this.input], at: [Date.now() + Math.random()] }); this.next(this.join); }
      join(inputs) { this.total = inputs.reduce((n, i) => n + i.tbl.numRows(), 0); this.next(this.end); }
      end() {}
    }`,
  )(FlowSpec, aq) as Function;
  const proto = flow.prototype as object;
  const names = ["start", "make", "join", "end"];
  names.forEach((name, i) => {
    const marks = i === 0 ? { start: true } : i === names.length - 1 ? { end: true } : {};
    (step(marks) as unknown as LegacyMethodDecorator)(proto, name, Object.getOwnPropertyDescriptor(proto, name)!);
  });
  (wandb_log({ datasets: true }) as unknown as (ctor: Function) => void)(flow);
  return flow as AnyFlow;
}

let server: ProtocolServer;
let dir = "";
let restore: () => void = () => undefined;
let online = false;

function side(mode: "offline" | "online"): () => Promise<number> {
  const flow = foreachFlow();
  return async () => {
    online = mode === "online";
    const datastore = new Datastore({ root: path.join(dir, ".wbflow") });
    return timeMs(() => flow.run({}, { datastore }));
  };
}

export const cases: BenchCase[] = [
  {
    name: "online flow: 8-way foreach logging a table per task",
    unit: "ms/run",
    aim: "report",
    repeats: 5,
    async setup() {
      server = await startProtocolServer({ keepBytes: false });
      dir = await mkdtemp(path.join(tmpdir(), "wbflow-bench-online-flow-"));
      const base = { WANDB_DIR: dir, NETRC: path.join(dir, "netrc"), WANDB_DATA_DIR: path.join(dir, "data") };
      const offlineEnv = { ...base, WANDB_MODE: "offline" };
      const onlineEnv = { ...base, WANDB_MODE: "online", WANDB_API_KEY: TEST_USER.apiKey, WANDB_BASE_URL: server.url };
      tuneOnlineRuns({ notify: () => undefined });
      restore = configureWandbLog({
        print: () => undefined,
        env: () => (online ? onlineEnv : offlineEnv),
        initDependencies: () => ({ env: online ? onlineEnv : offlineEnv, home: dir, cwd: dir, print: () => undefined }),
      });
    },
    async teardown() {
      restore();
      tuneOnlineRuns({});
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
    baseline: { label: "same flow offline", run: side("offline") },
    measured: { label: "online (loopback server)", run: side("online") },
  },
];
