/** What `%wandb` remembers within one kernel session (who logged in; the rest lives in WANDB_* env vars). */
import type { ViewerInfo } from "../../wandb/online/viewer.js";

/** The session's W&B state. */
export const wandbSession: { viewer: ViewerInfo | undefined } = { viewer: undefined };
