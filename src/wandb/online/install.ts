/** Imported for its effect: makes online mode available to `init` (see `online-backend.ts`). */
import { installOnlineBackend } from "./online-backend-factory.js";

installOnlineBackend();
