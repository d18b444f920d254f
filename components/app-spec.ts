// The typed description of one application stack, and its pure checks: references resolve,
// ports do not clash, dependencies form no cycle. Tested directly, without Pulumi.
import * as pulumi from "@pulumi/pulumi";
import { ImageSource } from "./image";
import { secretEnvProblems } from "./secret-env";

export interface SecretSpec {
  /**
   * A fixed value (a setting that is sensitive once deployed). When absent, the value set in
   * config (AppStackArgs.secretValues) or one derived from the stack's secret seed (or generated).
   */
  readonly value?: pulumi.Input<string>;
  /** @default 32 */
  readonly length?: number;
}

/** A DNS host name (labels of letters, digits and inner hyphens, at most 253 characters): what a route's host may be. */
export const DNS_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export interface PublishedPort {
  readonly internal: number;
  readonly external: number;
  /** @default "0.0.0.0" */
  readonly ip?: string;
  /** The app setting that chooses `external` (e.g. "webPort"): named when two apps ask for one host port. */
  readonly setting?: string;
  /**
   * The port serves HTTP: the app's front proxy may publish it and route to the service, so the
   * service rolls out with no gap (components/runtime/front-proxy.ts). @default false
   */
  readonly http?: boolean;
  /**
   * An HTTP port's path prefix, e.g. "/bety/": the front proxy routes the requests under it to
   * this service, so several services may share one host port, each under its own path (the
   * way PEcAn's stack serves /pecan/, /bety/ and /api/ on one port). @default all paths
   */
  readonly path?: string;
  /** With `path`: a request for / on this host port is redirected to `path` (the app's front page). @default false */
  readonly redirectRoot?: boolean;
  /**
   * An HTTP port's host name, e.g. "pecan.example.org": the front proxy routes only requests for
   * this name (and `path`) to the service, as PEcAn's stack routes by TRAEFIK_HOST. @default any host name
   */
  readonly host?: string;
  /** With `path`: the front proxy removes the prefix before passing the request on (an app that serves at its root). @default false */
  readonly stripPrefix?: boolean;
  /** Request headers the front proxy sets on the way in, e.g. RStudio's X-RStudio-Root-Path. @default none */
  readonly requestHeaders?: Readonly<Record<string, string>>;
  /**
   * The front proxy ends TLS on this HTTP host port (HTTPS) and passes plain HTTP on, with its own
   * certificate (Traefik's default, self-signed, until a deployment gives it one). @default false
   */
  readonly tls?: boolean;
  /**
   * The port serves TLS that the service terminates itself (HTTPS with its own certificate): the
   * front proxy may publish it and pass the connections through untouched, so the service still
   * rolls out with no gap. @default false
   */
  readonly tlsPassthrough?: boolean;
}

/**
 * What a health check does when the spec does not say. While a deployment waits for a container,
 * our docker provider runs its check itself every 0.25 s (toolchain/provider-docker/shim), so the
 * engine's own interval only has to notice a service that goes bad later: 30 s keeps an idle
 * deployment idle (a 2 s interval cost every container an exec, often an interpreter, every 2 s).
 */
export const HEALTHCHECK_DEFAULTS = { interval: "30s", timeout: "5s", retries: 3, startPeriod: "0s" } as const;

/**
 * How long a stopping container may take when the spec does not say (see stopGraceFor). A
 * service that mounts a data volume (a database, a broker, the registry) gets the time its
 * engine needs to checkpoint and close its files; any other service, a job included, the time
 * to finish the requests or the unit of work in hand. Without a grace period the provider sends
 * SIGKILL right after the stop signal.
 */
export const STOP_GRACE_DEFAULTS = { dataVolume: 30, other: 10 } as const;

/** The grace period of a service: its own stopGraceSeconds, else the default for its kind. */
export function stopGraceFor(svc: { readonly stopGraceSeconds?: number }, mountsDataVolume: boolean): number {
  return svc.stopGraceSeconds ?? (mountsDataVolume ? STOP_GRACE_DEFAULTS.dataVolume : STOP_GRACE_DEFAULTS.other);
}

/** A health check; each field unset takes its HEALTHCHECK_DEFAULTS value. */
export interface HealthCheck {
  /** In Docker's form: ["CMD", ...] or ["CMD-SHELL", "..."]. */
  readonly test: string[];
  readonly interval?: string;
  readonly timeout?: string;
  readonly retries?: number;
  readonly startPeriod?: string;
}

export type RestartPolicy = "no" | "always" | "unless-stopped" | "on-failure";

/**
 * A file's text: given, rendered from the app's resolved secrets (a credentials file: the text
 * is a secret), or read from a file of this repository (relative to the program's directory).
 */
export type FileContent =
  | pulumi.Input<string>
  | { readonly fromSecrets: (secrets: Readonly<Record<string, string>>) => string }
  | { readonly fromHostFile: string };

export interface FileSpec {
  readonly path: string;
  readonly content: FileContent;
  readonly executable?: boolean;
  /**
   * For an image that reads this value only from an environment variable: the variable the
   * wrapper of components/secret-env.ts sets from the file at start (the service must give its
   * image's own `entrypoint`). The value never enters the container's configuration.
   */
  readonly env?: string;
}

export interface VolumeSpec {
  /** @default true: data outlives `pulumi destroy` */
  readonly keepOnDestroy?: boolean;
}

export interface NetworkSpec {
  /** Internal networks have no route out. @default false */
  readonly internal?: boolean;
}

/** A secret given to a service: always a file under /run/secrets/<secret>. */
export interface SecretUse {
  readonly secret: string;
  /** Environment variable the image reads the file's path from (e.g. POSTGRES_PASSWORD_FILE). */
  readonly pathEnv?: string;
  /** For an image that reads the secret only from a variable (e.g. PGPASSWORD): see FileSpec.env. */
  readonly env?: string;
}

export interface ServiceSpec {
  /** An image source of its own, or the key of an image the app shares between services. */
  readonly image: ImageSource | string;
  readonly command?: string[];
  readonly entrypoint?: string[];
  /** Plain settings. Secrets go in `secrets`, never here. */
  readonly env?: Readonly<Record<string, pulumi.Input<string>>>;
  readonly secrets?: readonly SecretUse[];
  readonly files?: readonly FileSpec[];
  /** Mounts of the app's volumes: volume key → path in the container. */
  readonly volumes?: Readonly<Record<string, string>>;
  /** Keys of the app's networks; the service answers to its own name on each. */
  readonly networks: readonly string[];
  /** Only what must be reachable from outside the host. @default none */
  readonly ports?: readonly PublishedPort[];
  readonly healthcheck?: HealthCheck;
  /** Services and jobs that must be healthy (or completed) first. */
  readonly dependsOn?: readonly string[];
  /** @default "unless-stopped" for services, "no" for jobs */
  readonly restart?: RestartPolicy;
  /** Memory limit in MiB. @default none */
  readonly memoryMb?: number;
  /** CPU limit, e.g. 0.5. @default none */
  readonly cpus?: number;
  /**
   * Extra container labels, e.g. a declaration the policy pack reads
   * (appstacks.allow-published-database, appstacks.allow-docker-socket). The ownership labels
   * (appstacks.project/stack/app/service) always win.
   */
  readonly labels?: Readonly<Record<string, string>>;
  /** Runs to completion (exit code 0) before its dependents; a failure fails the deployment. @default false */
  readonly job?: boolean;
  /** How long to wait for healthy (services) or completion (jobs). @default 120 */
  readonly timeoutSeconds?: number;
  /**
   * Mount the host engine's socket (/var/run/docker.sock): full control of the host's Docker, for
   * a controller that starts containers at run time. Declared, never implied: the container is
   * labelled appstacks.allow-docker-socket=true, the declaration the policy pack (policy/) requires.
   * @default false
   */
  readonly dockerSocket?: boolean;
  /**
   * Docker's init (tini) as PID 1, passing the stop signal on: for an image whose command runs
   * under `/bin/sh -c` (a shell-form CMD), where the shell would be PID 1, ignore SIGTERM and
   * hold every stop for the whole grace period. @default false
   */
  readonly init?: boolean;
  /**
   * Seconds between the image's stop signal (SIGTERM unless its STOPSIGNAL says otherwise, e.g.
   * SIGINT for postgres) and SIGKILL when Pulumi deletes or replaces the container. The process
   * is expected to exit as soon as it has shut down: this is an upper bound, not a wait.
   * @default STOP_GRACE_DEFAULTS: 30 for a service that mounts a data volume, 10 for any other
   */
  readonly stopGraceSeconds?: number;
  /**
   * Kernel parameters of the container's own namespaces (`docker run --sysctl`), e.g. a higher
   * fs.mqueue.msg_max for a process that opens large POSIX message queues. Only the keys Docker
   * namespaces are allowed (NAMESPACED_SYSCTLS): specProblems names any other. @default none
   */
  readonly sysctls?: Readonly<Record<string, string>>;
  /**
   * The IPC namespace (`docker run --ipc`): "private", "shareable", "none", "host" (the host's
   * message queues and shared memory, and its limits: no IPC sysctls then) or "container:<name>".
   * @default the engine's ("private" or "shareable")
   */
  readonly ipcMode?: string;
  /**
   * Replace the service with no gap: its new release starts beside the old one behind the app's
   * front proxy, takes traffic once its health check passes, and the old one then stops with its
   * grace period. Only for a service whose published ports are all `http` and that has a health
   * check; false replaces it the plain way (stop, then start), with a gap.
   * @default true for a service whose published ports are all HTTP
   */
  readonly rollout?: boolean;
  /**
   * The app's setting that leaves this service out, as `key: value` (e.g. the lab's own registry:
   * "registry: host"): named where a host cannot run the service, as the way around it.
   * @default none
   */
  readonly leftOutBy?: string;
}

export interface AppSpec {
  readonly services: Readonly<Record<string, ServiceSpec>>;
  /** Images several services run (a web app and its migration job): built or pulled once. */
  readonly images?: Readonly<Record<string, ImageSource>>;
  readonly networks?: Readonly<Record<string, NetworkSpec>>;
  readonly volumes?: Readonly<Record<string, VolumeSpec>>;
  readonly secrets?: Readonly<Record<string, SecretSpec>>;
}

/**
 * The sysctls Docker lets a container set, because they belong to the container's own IPC or
 * network namespace (Docker's `--sysctl` reference; runc refuses the rest).
 */
export const NAMESPACED_SYSCTLS = {
  ipc: ["kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"],
  ipcPrefix: "fs.mqueue.",
  netPrefix: "net.",
} as const;

/** Linux's bounds of the POSIX message queue limits (ipc/mqueue.c: HARD_MSGMAX, HARD_MSGSIZEMAX). */
const MQUEUE_BOUNDS: Readonly<Record<string, readonly [number, number]>> = {
  "fs.mqueue.msg_max": [1, 65536],
  "fs.mqueue.msgsize_max": [128, 16777216],
  "fs.mqueue.queues_max": [0, 2147483647],
};

const IPC_MODES = "private, shareable, none, host, container:<name>";

/** The problems of a service's sysctls and IPC mode, each one line naming the key, the value and what is allowed. */
export function sysctlProblems(at: string, svc: Pick<ServiceSpec, "sysctls" | "ipcMode">): string[] {
  const problems: string[] = [];
  const mode = svc.ipcMode;
  if (mode !== undefined && !["private", "shareable", "none", "host"].includes(mode) && !/^container:[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(mode)) {
    problems.push(`${at}.ipcMode: "${mode}" is not an IPC mode (allowed: ${IPC_MODES})`);
  }
  for (const [key, value] of Object.entries(svc.sysctls ?? {})) {
    const ipc = (NAMESPACED_SYSCTLS.ipc as readonly string[]).includes(key) || key.startsWith(NAMESPACED_SYSCTLS.ipcPrefix);
    const net = key.startsWith(NAMESPACED_SYSCTLS.netPrefix);
    if (!ipc && !net) {
      problems.push(`${at}.sysctls: ${key}=${value} is not a namespaced sysctl Docker allows (allowed: ${NAMESPACED_SYSCTLS.ipc.join(", ")}, ${NAMESPACED_SYSCTLS.ipcPrefix}*, ${NAMESPACED_SYSCTLS.netPrefix}*)`);
    } else if (ipc && mode === "host") {
      problems.push(`${at}.sysctls: ${key}=${value} cannot be set with ipcMode "host", whose IPC namespace is the host's (allowed: a private or shareable IPC mode)`);
    } else if (MQUEUE_BOUNDS[key] !== undefined) {
      const [min, max] = MQUEUE_BOUNDS[key];
      if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) problems.push(`${at}.sysctls: ${key}=${value} is out of range (allowed: an integer from ${min} to ${max})`);
    } else if (value.trim() === "") {
      problems.push(`${at}.sysctls: ${key} has an empty value (allowed: the value the kernel parameter takes)`);
    }
  }
  return problems;
}

/** Every problem of a spec, each one line naming the key, the value and what is allowed. */
export function specProblems(app: string, spec: AppSpec): string[] {
  const problems: string[] = [];
  const nets = new Set(Object.keys(spec.networks ?? {}));
  const vols = new Set(Object.keys(spec.volumes ?? {}));
  const secrets = new Set(Object.keys(spec.secrets ?? {}));
  const services = new Set(Object.keys(spec.services));
  const images = new Set(Object.keys(spec.images ?? {}));
  const ports = new Map<string, { by: string; routes?: Set<string>; tls: boolean }>();
  const list = (s: Set<string>) => (s.size ? [...s].join(", ") : "none defined");
  for (const [name, svc] of Object.entries(spec.services)) {
    const at = `${app}.services.${name}`;
    if (typeof svc.image === "string" && !images.has(svc.image)) problems.push(`${at}.image: "${svc.image}" is not an image of ${app} (allowed: ${list(images)})`);
    for (const n of svc.networks) if (!nets.has(n)) problems.push(`${at}.networks: "${n}" is not a network of ${app} (allowed: ${list(nets)})`);
    for (const v of Object.keys(svc.volumes ?? {})) if (!vols.has(v)) problems.push(`${at}.volumes: "${v}" is not a volume of ${app} (allowed: ${list(vols)})`);
    for (const s of svc.secrets ?? []) if (!secrets.has(s.secret)) problems.push(`${at}.secrets: "${s.secret}" is not a secret of ${app} (allowed: ${list(secrets)})`);
    problems.push(...secretEnvProblems(at, svc));
    for (const d of svc.dependsOn ?? []) {
      if (!services.has(d)) problems.push(`${at}.dependsOn: "${d}" is not a service of ${app} (allowed: ${list(services)})`);
      else if (d === name) problems.push(`${at}.dependsOn: a service cannot depend on itself`);
    }
    if (svc.memoryMb !== undefined && (!Number.isInteger(svc.memoryMb) || svc.memoryMb < 6)) {
      problems.push(`${at}.memoryMb: ${svc.memoryMb} is not a memory limit (allowed: an integer of at least 6, in MiB)`);
    }
    problems.push(...sysctlProblems(at, svc));
    if (svc.stopGraceSeconds !== undefined && (!Number.isInteger(svc.stopGraceSeconds) || svc.stopGraceSeconds < 1)) {
      problems.push(`${at}.stopGraceSeconds: ${svc.stopGraceSeconds} is not a grace period (allowed: an integer of at least 1, in seconds; 0 would mean SIGKILL with no wait)`);
    }
    if (svc.cpus !== undefined && !(svc.cpus > 0)) problems.push(`${at}.cpus: ${svc.cpus} is not a CPU limit (allowed: a number above 0, e.g. 0.5)`);
    for (const p of svc.ports ?? []) {
      for (const [key, port] of [["external", p.external], ["internal", p.internal]] as const) {
        if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`${at}.ports.${key}: ${port} is not a port (allowed: an integer from 1 to 65535)`);
      }
      if (p.path !== undefined && (!p.http || !/^\/([A-Za-z0-9._~-]+\/)*$/.test(p.path))) {
        problems.push(`${at}.ports.path: ${JSON.stringify(p.path)} is not a path prefix of an HTTP port (allowed: on a port with http: true, a path such as /bety/ or /, starting and ending with /)`);
      }
      if (p.host !== undefined && (!p.http || !DNS_NAME.test(p.host))) {
        problems.push(`${at}.ports.host: ${JSON.stringify(p.host)} is not a host name of an HTTP port (allowed: on a port with http: true, a DNS name such as pecan.example.org)`);
      }
      if ((p.stripPrefix || p.requestHeaders !== undefined || p.tls) && !p.http) {
        problems.push(`${at}.ports: stripPrefix, requestHeaders and tls are what the front proxy does to HTTP (allowed: on a port with http: true)`);
      }
      if (p.stripPrefix && (p.path === undefined || p.path === "/")) problems.push(`${at}.ports.stripPrefix: true needs a path to remove (allowed: with path, e.g. /monitor/)`);
      if (p.tlsPassthrough && (p.http || p.path !== undefined)) problems.push(`${at}.ports.tlsPassthrough: a port is either HTTP or TLS passed through, not both (allowed: http, or tlsPassthrough without a path)`);
      if (p.redirectRoot && p.path === undefined) problems.push(`${at}.ports.redirectRoot: true needs a path to redirect to (allowed: with path, e.g. /pecan/)`);
      const hostPort = `${p.ip ?? "0.0.0.0"}:${p.external}`;
      const other = ports.get(hostPort);
      // One host port, several services: only through the front proxy, each under its own host
      // name and path, and all of them HTTPS or none.
      const route = p.path === undefined ? undefined : `${p.host ?? "*"}${p.path}`;
      const shared = other !== undefined && other.routes !== undefined && route !== undefined && !other.routes.has(route);
      if (other !== undefined && !shared) problems.push(`${at}.ports.external: ${p.external} is already published by ${other.by} (allowed: a free host port, or HTTP ports with distinct paths)`);
      else if (other === undefined) ports.set(hostPort, { by: `${app}.services.${name}`, routes: route === undefined ? undefined : new Set([route]), tls: p.tls ?? false });
      else if ((p.tls ?? false) !== other.tls) problems.push(`${at}.ports.tls: ${p.tls ?? false} on port ${p.external}, where ${other.by} has ${other.tls} (allowed: the same for every service on one host port)`);
      else other.routes!.add(route!);
    }
  }
  return problems;
}

/** Services in an order where each comes after everything it depends on; throws on a cycle. */
export function startOrder(app: string, spec: AppSpec): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      throw new Error(`${app}.services: dependency cycle ${[...path.slice(path.indexOf(name)), name].join(" -> ")} (allowed: dependencies without cycles)`);
    }
    state.set(name, "visiting");
    for (const d of spec.services[name]?.dependsOn ?? []) visit(d, [...path, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of Object.keys(spec.services).sort()) visit(name, []);
  return order;
}
