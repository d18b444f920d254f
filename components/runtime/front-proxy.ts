// Zero-downtime rollouts on one Docker host or a swarm, as a pure rewrite of an AppSpec. A service whose
// published ports are all HTTP stops publishing them: the app's front proxy (Traefik, reading
// container labels, the way PEcAn's own stack routes) publishes them instead and routes each to
// the service's containers on an `edge` network. Replacing such a service then starts the new
// release beside the old one under the same name (our provider sets the old one aside), waits
// for its check to pass, and only then lets Pulumi stop the old one with its grace period:
// Traefik routes to every running container of the service and, on a refused connection while
// the old release shuts down, retries on another one. On a swarm the same rewrite puts the app
// behind Traefik's swarm provider, and the swarm's start-first update, gated on the tasks' checks,
// replaces the release (nothing publishes a port on the node but the proxy, so every routed
// service can start its new task beside the old). Tested directly, without Pulumi.
import { AppSpec, HealthCheck, HEALTHCHECK_DEFAULTS, PublishedPort, ServiceSpec } from "../app-spec";

/** Where `--ping` opens Traefik's own entry point (`traefik`, its default :8080): no app entry point may take it. */
const TRAEFIK_PING_PORT = 8080;

/** The key of the proxy service and of its networks in the rewritten spec. */
export const FRONT_PROXY = "front-proxy";
/**
 * The proxy and the services it routes to: internal (no route out), so a service that had none
 * (PEcAn's, on an internal back-end network) gets none by being routed to.
 */
export const EDGE_NETWORK = "edge";
/** The proxy's own network with a route out, where its ports are published. */
export const PUBLIC_NETWORK = "public";
/** Labels our docker provider reads (toolchain/provider-docker/shim/rollout.go). */
export const ROLLOUT_LABEL = "appstacks.rollout";
export const READY_CHECK_LABEL = "appstacks.ready-check";
/** The label that ties a routed container to its app's proxy (the proxy's constraint). */
export const PROXY_LABEL = "appstacks.front-proxy";

/**
 * How often a request that could not reach a release (not listening yet, its listener closed,
 * or its address gone) is sent again, the waits between attempts doubling from 100 ms. Traefik's
 * load balancer picks a server for each attempt and concurrent requests share its rotation, so
 * a request may meet a release that is still starting several times in a row: the growing waits
 * outlast the start (WattRex's web under load: 3 of 2,501 requests failed with 6 attempts 50 ms
 * apart).
 */
export const RETRY_ATTEMPTS = 8;

export interface FrontProxyArgs {
  /** The proxy image reference (config: proxyImage). */
  readonly image: string;
  /** The physical name of an object of the app by role (naming.ts physicalName, bound to the app's scope). */
  readonly physicalName: (role: string) => string;
  /**
   * The app runs on a swarm: the proxy reads the swarm's services and their running tasks
   * (Traefik's swarm provider, on a manager) instead of one engine's containers, and the
   * swarm's own start-first update replaces a release (no provider rollout labels).
   */
  readonly swarm?: boolean;
}

/**
 * How often the proxy on a swarm lists the services and their tasks (Traefik polls a swarm; it
 * watches an engine's events). A task the swarm stops stays among the routes until the next poll,
 * its requests retried on the others meanwhile (RETRY_ATTEMPTS); a new task gets requests from
 * the poll after its check passes. Traefik's default is 15 s.
 */
export const SWARM_REFRESH = "1s";

/** Why a service that publishes ports does not roll out without a gap ("" when it does). */
export function gapReason(svc: ServiceSpec): string {
  const ports = svc.ports ?? [];
  if (svc.job || ports.length === 0) return "";
  if (svc.rollout === false) return "rollout is off for it";
  const other = ports.filter((p) => !p.http && !p.tlsPassthrough);
  if (other.length > 0) return `it publishes non-HTTP port ${other.map((p) => p.external).join(", ")}`;
  if (svc.healthcheck === undefined) return "it has no health check to gate the new release on";
  return "";
}

/** Services that roll out through the proxy: every published port HTTP, a health check, not turned off. */
export function rollsOut(svc: ServiceSpec): boolean {
  return !svc.job && (svc.ports ?? []).length > 0 && gapReason(svc) === "";
}

/** Which long-running services a change rolls out with no gap, and which are replaced with one (and why). */
export function rolloutPlan(spec: AppSpec): { rolling: string[]; gap: [string, string][] } {
  const rolling: string[] = [];
  const gap: [string, string][] = [];
  for (const name of Object.keys(spec.services).sort()) {
    const svc = spec.services[name];
    if (svc.job) continue;
    if (rollsOut(svc)) rolling.push(name);
    else gap.push([name, gapReason(svc) || "it publishes no port"]);
  }
  return { rolling, gap };
}

/** The spec with its rolling services behind a front proxy; unchanged when none rolls. */
export function withFrontProxy(spec: AppSpec, proxy: FrontProxyArgs): AppSpec {
  const rolling = rolloutPlan(spec).rolling;
  for (const [name, svc] of Object.entries(spec.services)) {
    if (!rolling.includes(name) && (svc.ports ?? []).some((p) => p.path !== undefined)) {
      throw new Error(`services.${name}.ports.path: a service routed by path must roll out behind the front proxy (${gapReason(svc) || "it does not"}; allowed: rollout on, a health check, HTTP ports only)`);
    }
  }
  if (rolling.length === 0) return spec;
  for (const key of [FRONT_PROXY]) if (spec.services[key] !== undefined) throw new Error(`services.${key}: the name is taken by the front proxy (allowed: another service name)`);
  for (const key of [EDGE_NETWORK, PUBLIC_NETWORK]) {
    if (spec.networks?.[key] !== undefined) throw new Error(`networks.${key}: the name is taken by the front proxy's network (allowed: another network name)`);
  }
  const proxyName = proxy.physicalName(FRONT_PROXY);
  const provider = proxy.swarm ? "swarm" : "docker";
  const services: Record<string, ServiceSpec> = {};
  const published: PublishedPort[] = [];
  for (const [name, svc] of Object.entries(spec.services)) {
    if (!rolling.includes(name)) {
      services[name] = { ...svc, rollout: false };
      continue;
    }
    const labels: Record<string, string> = {
      "traefik.enable": "true",
      [`traefik.${provider}.network`]: proxy.physicalName(EDGE_NETWORK),
      [PROXY_LABEL]: proxyName,
      [`traefik.http.middlewares.${name}-retry.retry.attempts`]: String(RETRY_ATTEMPTS),
      [`traefik.http.middlewares.${name}-retry.retry.initialinterval`]: "100ms",
    };
    for (const p of svc.ports ?? []) {
      const route = `${name}-${p.external}`;
      if (p.tlsPassthrough) {
        // TLS the service terminates itself: a TCP route that passes every connection through.
        labels[`traefik.tcp.routers.${route}.entrypoints`] = entryPoint(p);
        labels[`traefik.tcp.routers.${route}.rule`] = "HostSNI(`*`)";
        labels[`traefik.tcp.routers.${route}.tls.passthrough`] = "true";
        labels[`traefik.tcp.routers.${route}.service`] = route;
        labels[`traefik.tcp.services.${route}.loadbalancer.server.port`] = String(p.internal);
        published.push({ internal: 80 + published.length, external: p.external, ip: p.ip, setting: p.setting, tlsPassthrough: true });
        continue;
      }
      const router = (suffix: string, rule: string, middlewares: string[]) => {
        labels[`traefik.http.routers.${route}${suffix}.entrypoints`] = entryPoint(p);
        labels[`traefik.http.routers.${route}${suffix}.rule`] = p.host === undefined ? rule : `Host(\`${p.host}\`) && ${rule}`;
        labels[`traefik.http.routers.${route}${suffix}.service`] = route;
        labels[`traefik.http.routers.${route}${suffix}.middlewares`] = middlewares.join(",");
        if (p.tls) labels[`traefik.http.routers.${route}${suffix}.tls`] = "true";
      };
      // Retried first, so a retried request is stripped and given its headers once.
      const middlewares = [`${name}-retry`];
      if (p.stripPrefix) {
        middlewares.push(`${route}-strip`);
        labels[`traefik.http.middlewares.${route}-strip.stripprefix.prefixes`] = p.path!.replace(/\/$/, "");
      }
      if (p.requestHeaders !== undefined) {
        middlewares.push(`${route}-headers`);
        for (const [header, value] of Object.entries(p.requestHeaders)) labels[`traefik.http.middlewares.${route}-headers.headers.customrequestheaders.${header}`] = value;
      }
      router("", `PathPrefix(\`${p.path ?? "/"}\`)`, middlewares);
      labels[`traefik.http.services.${route}.loadbalancer.server.port`] = String(p.internal);
      if (p.redirectRoot && p.path !== undefined) {
        router("-root", "Path(`/`)", [`${route}-root`]);
        labels[`traefik.http.middlewares.${route}-root.redirectregex.regex`] = "^(https?://[^/]+)/$";
        labels[`traefik.http.middlewares.${route}-root.redirectregex.replacement`] = `\${1}${p.path}`;
      }
      // Each host port once (services under distinct paths share it). Inside, the proxy's entry
      // points listen on 80, 81, …: never on TRAEFIK_PING_PORT, where --ping opens Traefik's own entry point.
      if (!published.some((q) => q.external === p.external && (q.ip ?? "0.0.0.0") === (p.ip ?? "0.0.0.0"))) {
        published.push({ internal: 80 + published.length, external: p.external, ip: p.ip, setting: p.setting, http: true, tls: p.tls });
      }
    }
    services[name] = {
      ...svc,
      ports: undefined,
      networks: [...svc.networks, EDGE_NETWORK],
      // On a swarm the task's own check gates the update: no label for our provider to run.
      labels: { ...svc.labels, ...labels, ...(proxy.swarm ? {} : { [READY_CHECK_LABEL]: readyCheck(svc.healthcheck!) }) },
      rollout: true,
    };
  }
  services[FRONT_PROXY] = proxyService(proxy.image, provider, proxyName, proxy.physicalName(EDGE_NETWORK), published);
  return { ...spec, services, networks: { ...spec.networks, [EDGE_NETWORK]: { internal: true }, [PUBLIC_NETWORK]: {} } };
}

function entryPoint(p: PublishedPort): string {
  return `port${p.external}${p.ip === undefined || p.ip === "0.0.0.0" ? "" : `-${p.ip.replace(/[^0-9a-f]/gi, "-")}`}`;
}

/** The check the provider runs before the previous release goes, as the label carries it. */
function readyCheck(hc: HealthCheck): string {
  return JSON.stringify({ test: hc.test, timeout: hc.timeout ?? HEALTHCHECK_DEFAULTS.timeout });
}

/**
 * Traefik with the Docker provider (or, on a swarm, the swarm provider): only containers (swarm
 * services) labelled for this proxy, reached on the edge network, only once running (and healthy,
 * for a container the engine checks; a swarm task runs only once its check passes); one entry
 * point per published port, listening on the same port number inside. Its own check is the
 * ping answered through the official image's BusyBox wget (0.016 s of CPU a check;
 * `traefik healthcheck --ping` starts the whole Traefik binary, 0.047 s, every 30 s on every app). It reads the engine's socket:
 * on a swarm, a manager's (SwarmService places socket readers on managers).
 */
function proxyService(image: string, provider: "docker" | "swarm", proxyName: string, edge: string, ports: PublishedPort[]): ServiceSpec {
  return {
    image: { ref: image },
    command: [
      "--ping=true",
      `--providers.${provider}=true`,
      `--providers.${provider}.exposedbydefault=false`,
      `--providers.${provider}.constraints=Label(\`${PROXY_LABEL}\`,\`${proxyName}\`)`,
      `--providers.${provider}.network=${edge}`,
      // Requests go to the running tasks' own addresses (Traefik lists them unless a service
      // sets lbswarm), never to a virtual IP, which needs IPVS: they work on every kernel.
      ...(provider === "swarm" ? [`--providers.swarm.refreshseconds=${SWARM_REFRESH}`] : []),
      // A release's start and exit reach the routes within this; the default is 2 s.
      "--providers.providersthrottleduration=100ms",
      // A release that has just exited leaves an address nobody answers: a connection to it
      // hangs until the kernel gives up (seconds). Failing the dial quickly lets the retry
      // middleware send the request to the release that runs.
      "--serverstransport.forwardingtimeouts.dialtimeout=1s",
      // A new connection per request: a kept-alive connection that a stopping release closes
      // just as a request is written on it fails after the write, too late for a retry.
      "--serverstransport.maxidleconnsperhost=-1",
      // Offline hosts, and no call home from a user's server.
      "--global.checknewversion=false",
      "--global.sendanonymoususage=false",
      ...ports.map((p) => `--entrypoints.${entryPoint(p)}.address=:${p.internal}`),
    ],
    networks: [PUBLIC_NETWORK, EDGE_NETWORK],
    ports,
    dockerSocket: true,
    healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${TRAEFIK_PING_PORT}/ping`] },
    // Traefik holds the routes and the connections in flight: tens of MiB on these apps.
    memoryMb: 128,
    rollout: false,
  };
}
