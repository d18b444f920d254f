// Host ports another Pulumi stack already holds on a Docker host: the claims read from the
// engine (containers carrying our ownership labels, see naming.ts) and the ports a spec asks for.
// Pure: the engine is read by engine-port-claims.ts; this file parses and compares.
import { PublishedPort } from "../app-spec";
import { LABEL_PREFIX } from "../naming";

/** A host port a container of the engine publishes, with the ownership labels it carries. */
export interface PortClaim {
  readonly port: number;
  /** The host address it is bound to: "" or "0.0.0.0" or "::" for every address. */
  readonly ip: string;
  readonly project: string;
  readonly stack: string;
  readonly app?: string;
  readonly service?: string;
}

/** A published port of a service of an app, as its spec asks for it. */
export interface WantedPort {
  readonly app: string;
  readonly service: string;
  readonly port: PublishedPort;
}

/** The Pulumi stack a check runs for: its own containers (a redeploy) do not count. */
export interface StackIdentity {
  readonly project: string;
  readonly stack: string;
}

/** The key that chooses a published port, as the user writes it: wattrex.webPort, or the service's ports. */
export function wantedPortKey(w: WantedPort): string {
  return w.port.setting !== undefined ? `${w.app}.${w.port.setting}` : `${w.app}.services.${w.service}.ports`;
}

/** Every published port of a spec's services, in the spec's order. */
export function wantedPorts(app: string, services: Readonly<Record<string, { readonly ports?: readonly PublishedPort[] }>>): WantedPort[] {
  return Object.entries(services).flatMap(([service, svc]) => (svc.ports ?? []).map((port) => ({ app, service, port })));
}

const WILDCARDS = ["", "0.0.0.0", "::"];

/** Two bindings of one port collide unless both name a specific, different address. */
function addressesOverlap(a: string, b: string): boolean {
  return WILDCARDS.includes(a) || WILDCARDS.includes(b) || a === b;
}

/**
 * One line per wanted host port that a container of another Pulumi stack (another stack name,
 * or another project) publishes on the same address: the key, the port, the stack, its app and
 * service, and what is allowed. `keyPrefix` is prepended to each key (a config namespace).
 */
export function portClaimProblems(self: StackIdentity, wanted: readonly WantedPort[], claims: readonly PortClaim[], keyPrefix = ""): string[] {
  const others = claims
    .filter((c) => !(c.project === self.project && c.stack === self.stack))
    .slice()
    .sort((a, b) => `${a.stack}\0${a.app ?? ""}\0${a.service ?? ""}`.localeCompare(`${b.stack}\0${b.app ?? ""}\0${b.service ?? ""}`));
  const problems: string[] = [];
  for (const w of wanted) {
    const ip = w.port.ip ?? "0.0.0.0";
    const held = others.find((c) => c.port === w.port.external && addressesOverlap(c.ip, ip));
    if (held === undefined) continue;
    const project = held.project === self.project ? "" : ` of project "${held.project}"`;
    const owner = [held.app !== undefined ? `app ${held.app}` : "", held.service !== undefined ? `service ${held.service}` : ""].filter(Boolean).join(", ");
    problems.push(
      `${keyPrefix}${wantedPortKey(w)}: host port ${w.port.external} is already published by stack "${held.stack}"${project}` +
        `${owner ? ` (${owner})` : ""} on this Docker host (allowed: a port no other stack publishes)`,
    );
  }
  return problems;
}

/**
 * The claims in `docker inspect` output (an array of containers): every TCP host port of a
 * container labelled with a project and a stack. The configured bindings count, not only a
 * running container's: a stopped container takes its ports back when it starts.
 */
export function claimsFromInspect(containers: readonly unknown[]): PortClaim[] {
  const claims: PortClaim[] = [];
  for (const c of containers) {
    const inspect = c as { Config?: { Labels?: Record<string, string> | null }; HostConfig?: { PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null } };
    const labels = inspect.Config?.Labels ?? {};
    const project = labels[`${LABEL_PREFIX}.project`];
    const stack = labels[`${LABEL_PREFIX}.stack`];
    if (project === undefined || stack === undefined) continue;
    for (const [containerPort, bindings] of Object.entries(inspect.HostConfig?.PortBindings ?? {})) {
      if (!containerPort.endsWith("/tcp")) continue;
      for (const b of bindings ?? []) {
        const port = Number(b.HostPort);
        if (!Number.isInteger(port) || port < 1) continue; // "" or "0": an ephemeral port the engine picks
        claims.push({ port, ip: b.HostIp ?? "", project, stack, app: labels[`${LABEL_PREFIX}.app`], service: labels[`${LABEL_PREFIX}.service`] });
      }
    }
  }
  return claims;
}
