/** The code package: a flow's module and its local imports, stored per content with the run, unpacked by workers. */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Datastore } from "../../src/flow/datastore/datastore.js";
import {
  buildCodePackage,
  readCodePackage,
  readRunCode,
  storeRunCode,
} from "../../src/flow/datastore/code-package/code-package.js";
import { CodePackageError, WbflowVersionMismatchError } from "../../src/flow/datastore/code-package/errors.js";
import { checkWbflowVersion, extractCodePackage } from "../../src/flow/datastore/code-package/extract.js";
import { WBFLOW_VERSION } from "../../src/flow/datastore/code-package/wbflow-version.js";
import { SUFFIX_FILES_LIMIT } from "../../src/flow/datastore/code-package/suffix-files.js";

/** A small flow project: flow.ts -> lib/model.ts -> lib/math/add.ts (+ a JSON file), npm imports, an unused file. */
function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wbflow-codepkg-"));
  mkdirSync(path.join(dir, "flows"));
  mkdirSync(path.join(dir, "lib", "math"), { recursive: true });
  const write = (file: string, text: string) => writeFileSync(path.join(dir, file), text);
  write("package.json", JSON.stringify({ name: "my-flows", type: "module", dependencies: { arquero: "^8" } }));
  write("tsconfig.json", JSON.stringify({ compilerOptions: { experimentalDecorators: true } }));
  write(
    "flows/train.ts",
    `import { FlowSpec, step } from "wbflow";\nimport * as aq from "arquero";\nimport { fit } from "../lib/model.js";\n` +
      `export class TrainFlow extends FlowSpec { @step start() { this.next(this.end); } @step end() { fit(aq); } }\n`,
  );
  write("lib/model.ts", `import { add } from "./math/add";\nimport defaults from "./defaults.json";\nexport const fit = (x: unknown) => add(1, defaults.k);\n`);
  write("lib/defaults.json", `{ "k": 2 }`);
  write("lib/math/add.ts", `export function add(a: number, b: number): number { return a + b; }\n`);
  write("lib/unused.ts", `export const never = 1;\n`);
  return dir;
}

async function datastoreWithRun(runId = "100"): Promise<Datastore> {
  const datastore = new Datastore({ root: mkdtempSync(path.join(tmpdir(), "wbflow-codepkg-store-")) });
  await datastore.createRun({ flowName: "TrainFlow", runId, createdAt: 1, userName: "u", tags: [], systemTags: [] });
  return datastore;
}

describe("code package", () => {
  it("holds the module, its local imports followed transitively and the project files, not npm packages", async () => {
    const dir = project();
    const built = await buildCodePackage(path.join(dir, "flows", "train.ts"));
    const content = JSON.parse(built.bytes.toString("utf8"));
    expect(built.entry).toBe("flows/train.ts");
    expect(Object.keys(content.files).sort()).toEqual([
      "flows/train.ts",
      "lib/defaults.json",
      "lib/math/add.ts",
      "lib/model.ts",
      "package.json",
      "tsconfig.json",
    ]);
    // Only the module type of package.json travels: its name must not capture the workers' imports.
    expect(JSON.parse(content.files["package.json"])).toEqual({ type: "module" });
    expect(built.sha).toBe(createHash("sha256").update(built.bytes).digest("hex"));
  });

  it("with package suffixes, holds the files under the module's folder that end in them, text and binary byte for byte; not node_modules, hidden folders or the datastore", async () => {
    const dir = project();
    const flows = path.join(dir, "flows");
    const write = (file: string, bytes: string | Buffer) => {
      mkdirSync(path.dirname(path.join(flows, file)), { recursive: true });
      writeFileSync(path.join(flows, file), bytes);
    };
    const weights = Buffer.from([0, 255, 128, 1, 0xc3, 0x28]); // not UTF-8
    write("config.json", `{ "lr": 0.1 }`);
    write("data/weights.bin", weights);
    write("data/notes.txt", "not selected");
    write("node_modules/pkg/x.json", "{}");
    write(".cache/y.json", "{}");
    write("store/Flow/1/_meta.json", "{}");
    const datastore = await datastoreWithRun();
    const storeInside = new Datastore({ root: path.join(flows, "store") });
    const built = await buildCodePackage(path.join(flows, "train.ts"), { suffixes: [".json", ".bin"], exclude: [storeInside.root] });
    const content = JSON.parse(built.bytes.toString("utf8"));
    expect(content.files["flows/config.json"]).toBe(`{ "lr": 0.1 }`);
    expect(content.binary).toEqual({ "flows/data/weights.bin": weights.toString("base64") });
    expect(Object.keys(content.files).filter((file) => !file.startsWith("lib/") && !file.startsWith("package") && !file.startsWith("tsconfig")).sort()).toEqual([
      "flows/config.json",
      "flows/train.ts",
    ]);
    // A worker unpacks them beside the module, byte for byte.
    const code = await storeRunCode(datastore, "TrainFlow", "100", path.join(flows, "train.ts"), [".json", ".bin"]);
    const entry = await extractCodePackage(datastore, "TrainFlow", code, path.join(dir, ".wbflow-code"));
    expect(readFileSync(path.join(path.dirname(entry), "data", "weights.bin")).equals(weights)).toBe(true);
    expect(readFileSync(path.join(path.dirname(entry), "config.json"), "utf8")).toBe(`{ "lr": 0.1 }`);
    // Without suffixes, none of them.
    expect(JSON.parse((await buildCodePackage(path.join(flows, "train.ts"))).bytes.toString("utf8")).files["flows/config.json"]).toBeUndefined();
  });

  it("with package suffixes, follows symbolic links to files and folders (a loop back up is searched once) and skips a link to nothing", async () => {
    const dir = project();
    const flows = path.join(dir, "flows");
    const shared = mkdtempSync(path.join(tmpdir(), "wbflow-codepkg-shared-"));
    writeFileSync(path.join(shared, "prompts.txt"), "be brief");
    mkdirSync(path.join(shared, "tables"));
    writeFileSync(path.join(shared, "tables", "labels.csv"), "id,label\n1,cat\n");
    symlinkSync(path.join(shared, "prompts.txt"), path.join(flows, "prompts.txt")); // a config linked in
    symlinkSync(path.join(shared, "tables"), path.join(flows, "tables")); // a data folder linked in
    symlinkSync(flows, path.join(flows, "loop")); // a link back up: must not loop
    symlinkSync(path.join(shared, "gone.txt"), path.join(flows, "dangling.txt"));
    const built = await buildCodePackage(path.join(flows, "train.ts"), { suffixes: [".txt", ".csv"] });
    const content = JSON.parse(built.bytes.toString("utf8"));
    const data = Object.keys(content.files).filter((file) => file.endsWith(".txt") || file.endsWith(".csv"));
    expect(data.sort()).toEqual(["flows/prompts.txt", "flows/tables/labels.csv"]);
    expect(content.files["flows/prompts.txt"]).toBe("be brief");
    expect(content.files["flows/tables/labels.csv"]).toBe("id,label\n1,cat\n");
  });

  it("refuses a suffix that is not a file ending, and more data by suffix than a package should carry", async () => {
    const dir = project();
    const entry = path.join(dir, "flows", "train.ts");
    await expect(buildCodePackage(entry, { suffixes: ["json"] })).rejects.toThrow(`Package suffix "json" is not a file name ending: give ones like .json or .csv.`);
    await expect(buildCodePackage(entry, { suffixes: ["./x"] })).rejects.toThrow(CodePackageError);
    const big = Buffer.alloc(SUFFIX_FILES_LIMIT.bytes / 2 + 1);
    writeFileSync(path.join(dir, "flows", "a.dat"), big);
    writeFileSync(path.join(dir, "flows", "b.dat"), big);
    await expect(buildCodePackage(entry, { suffixes: [".dat"] })).rejects.toThrow(
      /The files ending in \.dat under .*flows come to over 2000 files or 64 MiB, too much for the code package every worker reads\. Narrow the suffixes/,
    );
  });

  it("is content-addressed: the same code gives the same sha and is stored once; a changed import gives another", async () => {
    const dir = project();
    const entry = path.join(dir, "flows", "train.ts");
    const datastore = await datastoreWithRun("100");
    await datastore.createRun({ flowName: "TrainFlow", runId: "101", createdAt: 2, userName: "u", tags: [], systemTags: [] });
    const first = await storeRunCode(datastore, "TrainFlow", "100", entry);
    const second = await storeRunCode(datastore, "TrainFlow", "101", entry);
    expect(second.sha).toBe(first.sha);
    expect(readdirSync(path.join(datastore.root, "TrainFlow", "code", first.sha.slice(0, 2)))).toEqual([`${first.sha}.json`]);

    writeFileSync(path.join(dir, "lib", "math", "add.ts"), `export function add(a: number, b: number): number { return a - b; }\n`);
    const changed = await buildCodePackage(entry);
    expect(changed.sha).not.toBe(first.sha);
  });

  it("records the run's package and wbflow version, and a worker unpacks exactly that code", async () => {
    const dir = project();
    const datastore = await datastoreWithRun();
    const stored = await storeRunCode(datastore, "TrainFlow", "100", path.join(dir, "flows", "train.ts"));
    const recorded = await readRunCode(datastore, "TrainFlow", "100");
    expect(recorded).toEqual(stored);
    expect(recorded!.wbflowVersion).toBe(WBFLOW_VERSION);

    const cache = mkdtempSync(path.join(tmpdir(), "wbflow-codepkg-cache-"));
    const entry = await extractCodePackage(datastore, "TrainFlow", recorded!, cache);
    expect(entry).toBe(path.join(cache, stored.sha, "flows", "train.ts"));
    expect(readFileSync(entry, "utf8")).toBe(readFileSync(path.join(dir, "flows", "train.ts"), "utf8"));
    expect(readFileSync(path.join(cache, stored.sha, "lib", "math", "add.ts"), "utf8")).toContain("a + b");
    // A second worker on the machine reuses the unpacked folder; no staging folder is left behind.
    expect(await extractCodePackage(datastore, "TrainFlow", recorded!, cache)).toBe(entry);
    expect(readdirSync(cache)).toEqual([stored.sha]);
  });

  it("a run without a code package records none", async () => {
    expect(await readRunCode(await datastoreWithRun(), "TrainFlow", "100")).toBeUndefined();
  });

  it("refuses an altered package, a missing one, and a file path that leaves the package", async () => {
    const dir = project();
    const datastore = await datastoreWithRun();
    const stored = await storeRunCode(datastore, "TrainFlow", "100", path.join(dir, "flows", "train.ts"));
    const file = path.join(datastore.root, "TrainFlow", "code", stored.sha.slice(0, 2), `${stored.sha}.json`);
    const original = readFileSync(file, "utf8");

    writeFileSync(file, original.replace("a + b", "a * b"));
    await expect(readCodePackage(datastore, "TrainFlow", stored.sha)).rejects.toThrow(/was altered/);

    const evil = JSON.stringify({ ...JSON.parse(original), files: { "../escape.ts": "x", "flows/train.ts": "y" } });
    const evilSha = createHash("sha256").update(evil).digest("hex");
    const evilFile = path.join(datastore.root, "TrainFlow", "code", evilSha.slice(0, 2), `${evilSha}.json`);
    mkdirSync(path.dirname(evilFile), { recursive: true });
    writeFileSync(evilFile, evil);
    const cache = mkdtempSync(path.join(tmpdir(), "wbflow-codepkg-cache-"));
    await expect(extractCodePackage(datastore, "TrainFlow", { ...stored, sha: evilSha }, cache)).rejects.toThrow(
      /"\.\.\/escape\.ts", outside the package/,
    );
    expect(readdirSync(cache)).toEqual([]);

    const missing = "0".repeat(64);
    await expect(extractCodePackage(datastore, "TrainFlow", { ...stored, sha: missing }, cache)).rejects.toThrow(
      /is missing from .*Workers must mount the same datastore/,
    );
  });

  it("a worker with another wbflow version refuses with a message that says what to install", () => {
    const code = { sha: "a".repeat(64), size: 1, entry: "flow.ts", wbflowVersion: "9.9.9" };
    const refuse = () => checkWbflowVersion(code, "Task TrainFlow/100/start/1", "0.1.0");
    expect(refuse).toThrow(WbflowVersionMismatchError);
    expect(refuse).toThrow(
      "Task TrainFlow/100/start/1 was started with wbflow 9.9.9, but this worker has wbflow 0.1.0. The worker refuses the task",
    );
    expect(refuse).toThrow(/npm i wbflow@9\.9\.9/);
    expect(() => checkWbflowVersion({ ...code, wbflowVersion: "0.1.0" }, "x", "0.1.0")).not.toThrow();
  });

  it("refuses a flow that reaches wbflow's own files by a relative path, and names a file that does not parse", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "wbflow-codepkg-"));
    const source = path.resolve("src/index.ts");
    writeFileSync(path.join(dir, "flow.ts"), `import { FlowSpec } from ${JSON.stringify(source)};\nexport class F extends FlowSpec {}\n`);
    await expect(buildCodePackage(path.join(dir, "flow.ts"))).rejects.toThrow(/imports wbflow's own file .* import it by name instead/);

    writeFileSync(path.join(dir, "broken.ts"), `import { x } from "./nowhere";\nexport const y = x;\n`);
    const error = await buildCodePackage(path.join(dir, "broken.ts")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CodePackageError);
    expect((error as Error).message).toMatch(/broken\.ts cannot be packaged for workers: .*nowhere/);
  });
});
