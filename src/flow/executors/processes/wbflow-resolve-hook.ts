/** Module resolve hook (see link-wbflow.ts): `wbflow[/...]` resolves from wbflow's own package.json (its `exports`). */
let packageJson = "";

/** Receives the package.json URL of this copy of wbflow. */
export function initialize(data: { packageJson: string }): void {
  packageJson = data.packageJson;
}

type Next = (specifier: string, context: { parentURL?: string }) => Promise<unknown>;

/** Resolves `wbflow` as if imported by the package itself (a self-reference through its exports). */
export function resolve(specifier: string, context: { parentURL?: string }, next: Next): Promise<unknown> {
  const linked = specifier === "wbflow" || specifier.startsWith("wbflow/");
  return next(specifier, linked ? { ...context, parentURL: packageJson } : context);
}
