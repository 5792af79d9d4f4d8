/** The `Viewer` query: verifies an API key and tells which user and default entity it belongs to. */
import { WandbAuthError } from "./http/api-errors.js";
import { graphqlRequest } from "./http/graphql-client.js";
import { WandbHttpClient } from "./http/http-client.js";
import type { NetworkTiming } from "./http/network-timing.js";
import { GRAPHQL_RETRY_POLICY, LOGIN_RETRY_POLICY, type RetryPolicy } from "./http/retry-policy.js";

const VIEWER = `query Viewer {
  viewer { id entity username email flags teams { edges { node { name } } } }
}`;

/** Who an API key belongs to. */
export interface ViewerInfo {
  username: string;
  /** The user's default entity (where runs go when no entity is set). */
  entity: string;
  email: string | null;
  teams: string[];
}

interface ViewerData {
  viewer: {
    username: string | null;
    entity: string | null;
    email: string | null;
    teams: { edges: Array<{ node: { name: string } | null }> } | null;
  } | null;
}

/** Asks the server who the client's key belongs to. Throws `WandbAuthError` if it belongs to no one. */
export async function queryViewer(http: WandbHttpClient, policy: RetryPolicy = GRAPHQL_RETRY_POLICY): Promise<ViewerInfo> {
  const data = await graphqlRequest<ViewerData>(http, VIEWER, {}, policy);
  const viewer = data.viewer;
  if (!viewer) {
    throw new WandbAuthError(
      `The W&B server at ${http.baseUrl} does not recognise this API key. ` +
        "Copy a key from the authorize page and run `wbflow login --relogin`.",
    );
  }
  return {
    username: viewer.username ?? viewer.entity ?? "",
    entity: viewer.entity ?? viewer.username ?? "",
    email: viewer.email,
    teams: (viewer.teams?.edges ?? []).flatMap((e) => (e.node ? [e.node.name] : [])),
  };
}

/**
 * Verifies `apiKey` against the server at `host` (its API base URL) for `wbflow login`.
 * A refused key fails fast (no retries); a server that does not answer fails after three tries.
 */
export async function verifyApiKey(host: string, apiKey: string, timing?: NetworkTiming): Promise<ViewerInfo> {
  const http = new WandbHttpClient({ baseUrl: host, apiKey, ...(timing ? { timing } : {}) });
  return queryViewer(http, LOGIN_RETRY_POLICY);
}
