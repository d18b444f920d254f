// Service: one container, or a one-shot job that runs to completion before its dependents.
// Health-gated: with a health check the container is created only when healthy (`wait`), so
// everything that depends on it starts after that, the compose `service_healthy` condition.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DockerHost, onHost } from "./host/docker-host";
import { toLabelList } from "./naming";
import { HEALTHCHECK_DEFAULTS, ServiceSpec, stopGraceFor } from "./app-spec";
import { SECRETS_DIR } from "./secret-env";
import { ROLLOUT_LABEL } from "./runtime/front-proxy";
import { keepPreviousImage, Release, ReleaseRecord } from "./runtime/release";

export interface SecretFile {
  /** File name under /run/secrets. */
  readonly name: string;
  readonly value: pulumi.Input<string>;
  /** An environment variable set to the file's path, e.g. POSTGRES_PASSWORD_FILE. */
  readonly pathEnv?: string;
}

export interface FileUpload {
  readonly path: string;
  readonly content: pulumi.Input<string>;
  readonly executable?: boolean;
  /** Rendered from the app's secrets: never part of a release record, always current. */
  readonly fromSecrets?: boolean;
}

export interface VolumeMount {
  readonly volumeName: pulumi.Input<string>;
  readonly path: string;
  readonly readOnly?: boolean;
}

export interface NetworkAttachment {
  readonly networkName: pulumi.Input<string>;
  /** The network's id, where known: a swarm service attaches by id (by name it would be replaced on every update). */
  readonly networkId?: pulumi.Input<string>;
  /** Names the service answers to on that network. */
  readonly aliases?: string[];
}

/**
 * What AppStack resolved of a ServiceSpec: the image built or pulled, the secrets' values, the
 * files' texts, the app's volumes, networks and labels, and the containers to wait for.
 */
export interface ResolvedService {
  readonly host: DockerHost;
  /** Physical container name; derive it from project, stack and app. */
  readonly containerName: string;
  /** Image ID or reference. */
  readonly image: pulumi.Input<string>;
  readonly secrets?: readonly SecretFile[];
  readonly files?: readonly FileUpload[];
  readonly volumes?: readonly VolumeMount[];
  readonly networks?: readonly NetworkAttachment[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly dependsOn?: pulumi.Resource[];
  /** For a rolling service: the release record's names (app, service), see Release. */
  readonly releaseOf?: { readonly app: string; readonly service: string };
  /** A previous release to run instead of the spec's image and settings (npm run rollback). */
  readonly rollbackTo?: ReleaseRecord;
}

/** A service as the app describes it (ServiceSpec, whose fields say what they do), resolved. */
export type ServiceArgs = Omit<ServiceSpec, keyof ResolvedService> & ResolvedService;

/** Where the engine's API socket is on a Docker host, and where a declared mount puts it. */
export const DOCKER_SOCKET = "/var/run/docker.sock";
export const DOCKER_SOCKET_LABEL = "appstacks.allow-docker-socket";

export class Service extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:index:Service";
  public readonly containerName: pulumi.Output<string>;
  /** The container resource: dependents wait on it (it is created only once healthy). */
  public readonly container: docker.Container;
  /** The release record of a rolling service. */
  public readonly release?: Release;
  /** What dependents wait for: the container, created only once healthy (a job: done). */
  public get ready(): pulumi.CustomResource {
    return this.container;
  }

  constructor(name: string, args: ServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Service.TYPE, name, {}, opts);
    const job = args.job ?? false;
    const timeout = args.timeoutSeconds ?? 120;
    // A rolling container has no engine health check: the front proxy would keep it out of its
    // routes until the engine's first probe, a whole interval; the provider runs the check from
    // its ready-check label instead (runtime/front-proxy.ts).
    const rolling = args.rollout === true;
    const hc = rolling ? undefined : args.healthcheck;
    // Rolled back: the previous release's image and settings, with the current secrets.
    const pinned = rolling ? args.rollbackTo : undefined;
    this.container = new docker.Container(`${name}-container`, {
      name: args.containerName,
      image: pinned ? pinned.image : args.image,
      command: pinned ? pinned.command?.slice() : args.command,
      entrypoints: pinned ? pinned.entrypoint?.slice() : args.entrypoint,
      envs: pinned ? pinned.env.slice() : renderEnv(args.env, args.secrets),
      uploads: [
        ...(args.secrets ?? []).map((s) => ({ file: `${SECRETS_DIR}/${s.name}`, content: pulumi.secret(s.value), permissions: "0444" })),
        ...(args.files ?? []).filter((f) => !pinned || f.fromSecrets).map((f) => ({ file: f.path, content: f.content, executable: f.executable ?? false })),
        ...(pinned?.files ?? []).map((f) => ({ file: f.path, content: f.content, executable: f.executable })),
      ],
      volumes: [
        ...(args.volumes ?? []).map((v) => ({ volumeName: v.volumeName, containerPath: v.path, readOnly: v.readOnly ?? false })),
        ...(args.dockerSocket ? [{ hostPath: DOCKER_SOCKET, containerPath: DOCKER_SOCKET, readOnly: false }] : []),
      ],
      networksAdvanced: (args.networks ?? []).map((n) => ({ name: n.networkName, aliases: n.aliases })),
      ports: (args.ports ?? []).map((p) => ({ internal: p.internal, external: p.external, ip: p.ip ?? "0.0.0.0" })),
      healthcheck: hc && {
        tests: hc.test,
        interval: hc.interval ?? HEALTHCHECK_DEFAULTS.interval,
        timeout: hc.timeout ?? HEALTHCHECK_DEFAULTS.timeout,
        retries: hc.retries ?? HEALTHCHECK_DEFAULTS.retries,
        startPeriod: hc.startPeriod ?? HEALTHCHECK_DEFAULTS.startPeriod,
      },
      restart: args.restart ?? (job ? "no" : "unless-stopped"),
      memory: args.memoryMb,
      cpus: args.cpus === undefined ? undefined : String(args.cpus),
      sysctls: args.sysctls,
      ipcMode: args.ipcMode,
      init: args.init,
      labels: toLabelList({
        ...args.labels,
        ...(args.dockerSocket ? { [DOCKER_SOCKET_LABEL]: "true" } : {}),
        ...(rolling ? { [ROLLOUT_LABEL]: "start-first" } : {}),
      }),
      // Stop signal, then this long before SIGKILL, on delete and replace. (A job's container has
      // exited before it is in the state: with `attach` the provider removes it without a stop.)
      destroyGraceSeconds: stopGraceFor(args, (args.volumes ?? []).length > 0),
      // Jobs: attach waits for the exit; they are not expected to keep running.
      attach: job ? true : undefined,
      mustRun: !job,
      // Never copy container logs into Pulumi state: they may echo what the process read.
      logs: false,
      wait: !job && hc !== undefined,
      waitTimeout: timeout,
    }, onHost(args.host, this, { dependsOn: args.dependsOn, deleteBeforeReplace: !rolling }));
    if (job) {
      // A job that failed must fail the deployment, not let its dependents start.
      this.container.exitCode.apply((code) => {
        if (code !== undefined && code !== null && code !== 0) {
          throw new pulumi.ResourceError(`job ${args.containerName} exited with code ${code}: see docker logs ${args.containerName}`, this);
        }
      });
    }
    if (rolling && args.releaseOf) {
      // Recorded once the release is up and ready: a release that failed never becomes current.
      const after = onHost(args.host, this, { dependsOn: [this.container] });
      this.release = new Release(`${name}-release`, { ...args.releaseOf, current: releaseOf(args) }, after);
      keepPreviousImage(`${name}-rollback-image`, this.release, args.containerName, onHost(args.host, this, { dependsOn: [this.release] }));
    }
    this.containerName = this.container.name;
    this.registerOutputs({ containerName: this.containerName });
  }
}

/**
 * The release a rolling service runs: the one rolled back to, else its image and settings now
 * (files rendered from secrets aside, see FileUpload.fromSecrets).
 */
function releaseOf(args: ServiceArgs): pulumi.Output<ReleaseRecord> {
  if (args.rollbackTo) return pulumi.output(args.rollbackTo);
  const plain = (args.files ?? []).filter((f) => !f.fromSecrets);
  return pulumi.all([args.image, renderEnv(args.env, args.secrets), pulumi.all(plain.map((f) => f.content))]).apply(([image, env, contents]) => ({
    image,
    env,
    ...(args.command ? { command: args.command } : {}),
    ...(args.entrypoint ? { entrypoint: args.entrypoint } : {}),
    files: plain.map((f, i) => ({ path: f.path, content: contents[i], executable: f.executable ?? false })),
  }));
}

/** A service's variables: its plain settings, and each secret only as the *_FILE path to its file. */
export function envEntries(env: Readonly<Record<string, pulumi.Input<string>>> = {}, secrets: readonly SecretFile[] = []): [string, pulumi.Input<string>][] {
  const entries: [string, pulumi.Input<string>][] = Object.entries(env);
  for (const s of secrets) {
    if (s.pathEnv !== undefined) entries.push([s.pathEnv, `${SECRETS_DIR}/${s.name}`]);
  }
  return entries;
}

/**
 * KEY=value lines, sorted so a reordered map is no change. Secrets appear only as *_FILE paths.
 */
export function renderEnv(env: Readonly<Record<string, pulumi.Input<string>>> = {}, secrets: readonly SecretFile[] = []): pulumi.Output<string[]> {
  const entries = envEntries(env, secrets);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return pulumi.all(entries.map(([k, v]) => pulumi.interpolate`${k}=${v}`));
}
