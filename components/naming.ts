// Physical names and labels of Docker objects. Pure functions, tested directly.
//
// Every physical name derives from project, Pulumi stack and app, so two Pulumi stacks (dev and
// prod, or two developers) share one daemon without colliding, and every object carries labels
// that say who owns it, so leaks can be found with `docker ps --filter label=appstacks.stack=dev`.

/** Identifies one application stack of one Pulumi stack. */
export interface Scope {
  readonly project: string;
  readonly stack: string;
  readonly app: string;
}

export const LABEL_PREFIX = "appstacks";

/** Docker accepts [a-zA-Z0-9][a-zA-Z0-9_.-]* for container, network and volume names. */
export function dockerName(...parts: string[]): string {
  const joined = parts
    .filter((p) => p !== "")
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .replace(/-+$/, "");
  if (joined === "") throw new Error(`cannot derive a Docker name from ${JSON.stringify(parts)}`);
  return joined;
}

/** The physical name of an object of `scope` with role `role` (a service, volume, network…). */
export function physicalName(scope: Scope, role: string): string {
  return dockerName(scope.project, scope.stack, scope.app, role);
}

/** Labels as a plain map: project, stack, app and (when given) service. */
export function labelMap(scope: Scope, service?: string): Record<string, string> {
  const labels: Record<string, string> = {
    [`${LABEL_PREFIX}.project`]: scope.project,
    [`${LABEL_PREFIX}.stack`]: scope.stack,
    [`${LABEL_PREFIX}.app`]: scope.app,
  };
  if (service !== undefined) labels[`${LABEL_PREFIX}.service`] = service;
  return labels;
}

/** Labels in the list shape the docker provider's resources take, sorted for stable diffs. */
export function toLabelList(labels: Readonly<Record<string, string>> = {}): { label: string; value: string }[] {
  return Object.keys(labels).sort().map((label) => ({ label, value: labels[label] }));
}
