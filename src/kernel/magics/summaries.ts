/** One-line summaries of the lazily loaded magics, shared by the registry (%lsmagic) and the magics. */
export const WANDB_MAGIC_SUMMARY = "Weights & Biases: login, logout, status, offline/online, project, sync, and inline run pages.";
export const FLOW_MAGIC_SUMMARY = "Flows in this notebook: show the graph, check it, run or resume it, spin one step again, list past runs, read logs and artifacts.";
