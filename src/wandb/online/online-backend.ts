/**
 * The online `RunBackend` (see `run/run-backend.ts`): each run's records also go to the W&B server
 * through the online sender. Loaded only when a run's settings ask for online mode.
 */
import type { RunBackend } from "../run/run-backend.js";
import { createOnlineSink } from "./online-backend-factory.js";

/** Sends every online run to the server its settings name. */
export const onlineBackend: RunBackend = {
  openSink: async (settings, context) => createOnlineSink(settings, context),
};
