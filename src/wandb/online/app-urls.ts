/**
 * Links shown to users (reference §1.1, §6): the app URL derived from the API base URL as W&B
 * derives it, and run, project and artifact-version pages under it.
 */

/** The UI URL for an API base URL (`WANDB_APP_URL`, when given, wins). */
export function appUrlFor(baseUrl: string, appUrlOverride?: string): string {
  if (appUrlOverride) return appUrlOverride.replace(/\/+$/, "");
  const base = baseUrl.replace(/\/+$/, "");
  if (base.includes("://api.wandb.test")) return base.replace("://api.", "://app.");
  if (base.includes("://api.wandb.")) return base.replace("://api.", "://");
  if (base.includes("://api.")) return base.replace("://api.", "://app.");
  return base;
}

/** Escapes one path component; W&B keeps `=+&$@` readable in run ids. */
function component(value: string, safe = ""): string {
  return [...value].map((ch) => (safe.includes(ch) ? ch : encodeURIComponent(ch))).join("");
}

/** `{app}/{entity}/{project}` */
export function projectUrl(baseUrl: string, entity: string, project: string, appUrlOverride?: string): string {
  return `${appUrlFor(baseUrl, appUrlOverride)}/${component(entity)}/${component(project)}`;
}

/** `{app}/{entity}/{project}/runs/{runId}` */
export function runUrl(baseUrl: string, entity: string, project: string, runId: string, appUrlOverride?: string): string {
  return `${projectUrl(baseUrl, entity, project, appUrlOverride)}/runs/${component(runId, "=+&$@")}`;
}

/** `{app}/{entity}/{project}/artifacts/{type}/{name}/v{N}` */
export function artifactUrl(
  baseUrl: string,
  entity: string,
  project: string,
  type: string,
  name: string,
  versionIndex: number,
  appUrlOverride?: string,
): string {
  return `${projectUrl(baseUrl, entity, project, appUrlOverride)}/artifacts/${component(type)}/${component(name)}/v${versionIndex}`;
}
