/** `wbflow spin FILE [FlowName] STEP [--task PATHSPEC]`: one step again, from a finished task's inputs. */
import { Datastore } from "../../flow/datastore/datastore.js";
import { spinFailedMessage, spinFlowStep, spinReportText } from "../../commands/spin.js";
import type { CliCommand } from "../command.js";
import { EXIT_FAILED, EXIT_OK } from "../exit-codes.js";
import { loadFlowClass } from "./flow-file.js";
import { DATASTORE_OPTION, openDatastore, parseOptions } from "../parse-options.js";

const usage = `Usage: wbflow spin FILE [FlowName] STEP [--task Flow/run/step/task]

Runs one step again with the current code, starting from the stored inputs of a finished task of
that step (by default the first one in the flow's latest run that has one), for fast iteration on a
step. Nothing is written to the original run: the inputs are copied into a new run in the spin
datastore (DIR-spin beside the datastore), where the new task's artifacts and logs are kept.
Decorators wrap the step as in a run; a failure is not retried.

Options:
  --task PATHSPEC       the finished task whose inputs to start from
  --datastore DIR       where runs are stored (default $WBFLOW_DATASTORE or ./.wbflow)
  --spin-datastore DIR  where the spin run is written (default: the datastore's folder + "-spin")`;

async function spin(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    { ...DATASTORE_OPTION, task: { type: "string" }, "spin-datastore": { type: "string" } },
    { min: 2, max: 3, what: "the flow file and the step to run (wbflow spin FILE STEP)" },
  );
  const [file, flowName, step] = positionals.length === 3 ? positionals : [positionals[0], undefined, positionals[1]];
  const flow = await loadFlowClass(file!, flowName, "spin");
  const spinDatastore = values["spin-datastore"] === undefined ? undefined : new Datastore({ root: values["spin-datastore"] });
  const outcome = await spinFlowStep(flow, step!, {
    datastore: openDatastore(values.datastore),
    ...(spinDatastore ? { spinDatastore } : {}),
    ...(values.task === undefined ? {} : { task: values.task }),
  });
  if (!outcome.ok) {
    console.error(spinFailedMessage(outcome));
    return EXIT_FAILED;
  }
  console.log(await spinReportText(outcome));
  return EXIT_OK;
}

/** The `wbflow spin` command. */
export const spinCommand: CliCommand = { name: "spin", summary: "Run one step again from a finished task's stored inputs", usage, run: spin };
