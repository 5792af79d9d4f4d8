/**
 * Names of the artifacts the engine itself writes on every task (Metaflow's conventions); user code
 * cannot assign them, and they are never treated as user artifacts (loading, merging).
 */
export const ENGINE_ARTIFACTS: ReadonlySet<string> = new Set([
  "_task_ok",
  "_success",
  "_exception",
  "_transition",
  "_foreach_stack",
  "_iteration_stack",
  "_foreach_num_splits",
  "_foreach_var",
  "_foreach_values",
  "_graph_info",
]);

/** The flow-name artifact, present on every task. */
export const FLOW_NAME_ARTIFACT = "name";

/** Members of FlowSpec that steps use; artifacts cannot take these names. */
export const FLOW_API_NAMES: ReadonlySet<string> = new Set(["next", "input", "index", "foreachStack", "mergeArtifacts"]);
