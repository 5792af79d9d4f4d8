/** `%wandb`: W&B login, session settings, sync and inline pages (see each action's file). */
import type { Magic } from "./magic.js";
import { WANDB_MAGIC_SUMMARY } from "./summaries.js";
import { loginAction, type KeyVerifier } from "./wandb-login.js";
import { logoutAction, offlineAction, onlineAction, projectAction, statusAction } from "./wandb-session.js";
import { embedAction, syncAction } from "./wandb-sync-and-embed.js";

/** Creates `%wandb`; `verify` checks keys with the server (the online client by default). */
export function wandbMagic(verify?: KeyVerifier): Magic {
  return {
    name: "wandb",
    summary: WANDB_MAGIC_SUMMARY,
    modes: ["line", "cell"],
    subcommands: {
      login: loginAction(verify),
      logout: logoutAction,
      status: statusAction,
      offline: offlineAction,
      online: onlineAction,
      project: projectAction,
      sync: syncAction,
    },
    main: embedAction,
  };
}
