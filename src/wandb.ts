/**
 * `wbflow/wandb`: the W&B client (runs, artifacts, offline store, read API) and `@wandb_log`.
 * Each layer adds its public exports below (one `export ... from` line per module).
 */
