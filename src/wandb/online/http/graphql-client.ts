/** GraphQL over the W&B HTTP client: `POST {base}/graphql` with `{query, variables, operationName}`. */
import { WandbApiError, WandbGraphQLError } from "./api-errors.js";
import type { WandbHttpClient } from "./http-client.js";
import { GRAPHQL_RETRY_POLICY, type RetryPolicy } from "./retry-policy.js";

/** Sends one GraphQL operation and returns its `data`; errors become `WandbGraphQLError`. */
export async function graphqlRequest<TData>(
  http: WandbHttpClient,
  document: string,
  variables: Record<string, unknown>,
  policy: RetryPolicy = GRAPHQL_RETRY_POLICY,
): Promise<TData> {
  const operationName = /^\s*(?:query|mutation)\s+(\w+)/.exec(document)?.[1] ?? "anonymous";
  const body = Buffer.from(JSON.stringify({ query: document, variables, operationName }));
  let response;
  try {
    response = await http.send(
      {
        method: "POST",
        url: "/graphql",
        headers: { "content-type": "application/json" },
        body,
        what: `GraphQL ${operationName}`,
      },
      policy,
    );
  } catch (error) {
    // A 400 carries the server's GraphQL errors (e.g. a document the schema refused).
    if (error instanceof WandbApiError && error.status === 400) {
      throw new WandbGraphQLError(operationName, [error.message], 400);
    }
    throw error;
  }
  let parsed: { data?: TData | null; errors?: Array<{ message: string }> };
  try {
    parsed = JSON.parse(response.body.toString("utf8")) as typeof parsed;
  } catch {
    const start = http.redact(response.body.toString("utf8", 0, Math.min(response.body.length, 65_536))).slice(0, 120).trim();
    throw new WandbGraphQLError(operationName, [`the answer is not JSON (it starts with ${JSON.stringify(start)}); is ${http.baseUrl} a W&B API URL?`], response.status);
  }
  if (parsed.errors && parsed.errors.length > 0) {
    throw new WandbGraphQLError(operationName, parsed.errors.map((e) => http.redact(String(e.message))), response.status);
  }
  if (parsed.data === undefined || parsed.data === null) {
    throw new WandbGraphQLError(operationName, ["the response has no data"], response.status);
  }
  return parsed.data;
}
