import { describe, expect, test } from "vitest";
import { pickFlowClass } from "../../src/cli/flows/flow-file.js";
import { FlowSpec } from "../../src/index.js";

class AFlow extends FlowSpec {}
class BFlow extends FlowSpec {}

describe("the hint for a file with several flows", () => {
  test("quotes a path a shell would split, so the suggested command can be pasted", () => {
    expect(() => pickFlowClass({ AFlow, BFlow }, "my flows/it's.ts", undefined)).toThrow(
      "Name the one to run: wbflow run 'my flows/it'\\''s.ts' FlowName",
    );
    expect(() => pickFlowClass({ AFlow, BFlow }, "flows/two.ts", undefined, "show")).toThrow("Name the one to show: wbflow show flows/two.ts FlowName");
  });
});
