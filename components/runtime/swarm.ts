// SwarmService: a long-running service on a Docker Swarm, as one swarm service (docker.Service).
// The engine places its tasks on the nodes, restarts them, and replaces them on a change with
// its own rolling update, gated on the health check and rolled back when the new tasks fail it.
// Secrets and files become swarm secrets and configs named by a hash of their content: a change
// creates a new object, rolls the service onto it, and the old one goes (Pulumi replaces it).
// Jobs are not swarm services: AppStack runs them as containers on the manager (see SwarmMode).
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { onHost, SwarmMode } from "../host/docker-host";
import { toLabelList } from "../naming";
import { HEALTHCHECK_DEFAULTS, RestartPolicy, stopGraceFor } from "../app-spec";
import { SECRETS_DIR } from "../secret-env";
import { DOCKER_SOCKET, DOCKER_SOCKET_LABEL, envEntries, ServiceArgs } from "../service";

/** What a swarm service takes besides the resolved service: its replica count and the swarm's modes. */
export interface SwarmServiceArgs extends ServiceArgs {
  readonly swarm: SwarmMode;
  /** Image reference every node can pull (not a local image ID). */
  readonly imageRef: pulumi.Input<string>;
  /** @default 1 */
  readonly replicas?: number;
  /**
   * The key secrets' names are hashed with (the stack's secret seed). Without one a secret's
   * name is a plain hash of its value, kept secret, and a preview shows the task spec as secret.
   */
  readonly nameKey?: pulumi.Input<string>;
}

/**
 * How often the engine probes a task's health on a swarm. A swarm task counts as started only
 * once its check passes, and Docker 20.10 has no start_interval: the first probe waits one whole
 * interval, so the services' 30 s (HEALTHCHECK_DEFAULTS) would add 30 s to every deploy and
 * rolling step. 3 s keeps a deploy quick at the price of an exec per task every 3 s.
 */
export const SWARM_HEALTH_INTERVAL = "3s";

/**
 * Secrets and configs are replaced new-before-old: the service moves onto the new object, then
 * the old one goes. The docker provider replaces them delete-first by default, and a swarm
 * refuses to delete an object a service still uses (measured: "config … is in use by the
 * following service"); their names carry a content hash, so old and new never clash.
 */
const NEW_BEFORE_OLD: pulumi.CustomResourceOptions = { deleteBeforeReplace: false };

/** The longest name a swarm gives a secret or config. */
export const SWARM_NAME_MAX = 64;
/** The longest name a swarm gives a service or a network (measured: "name must be 63 characters or fewer"). */
export const SWARM_SERVICE_NAME_MAX = 63;

/**
 * A swarm object's name: the base and a hash of the content, so new content is a new object.
 * With a key (the stack's secret seed) the hash is an HMAC: a secret's name then says nothing
 * about its value, even a guessable one, and need not be kept secret itself.
 */
export function contentName(base: string, content: string, key?: string): string {
  const hash = key === undefined ? crypto.createHash("sha256") : crypto.createHmac("sha256", key);
  // A swarm allows 64 characters; the hash is what must survive.
  const head = base.slice(0, SWARM_NAME_MAX - 13).replace(/[-_.]+$/, "");
  return `${head}-${hash.update(content).digest("hex").slice(0, 12)}`;
}

/** The swarm's restart condition for a container's restart policy. */
export function restartCondition(policy: RestartPolicy | undefined): "none" | "on-failure" | "any" {
  if (policy === "no") return "none";
  if (policy === "on-failure") return "on-failure";
  return "any";
}

/**
 * The rolling update order: start-first (the new task beside the old, which stops once the new
 * one is healthy) unless two tasks at once cannot be: a data volume (two writers on one store)
 * or a port published on the node itself (the new task could not bind it).
 */
export function updateOrder(svc: Pick<SwarmServiceArgs, "volumes" | "ports">, mode: SwarmMode): "start-first" | "stop-first" {
  if ((svc.volumes ?? []).length > 0) return "stop-first";
  if (mode.publishMode === "host" && (svc.ports ?? []).length > 0) return "stop-first";
  return "start-first";
}

export class SwarmService extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:runtime:SwarmService";
  public readonly serviceName: pulumi.Output<string>;
  /** The swarm service: it exists once its tasks run and pass their health check (converged). */
  public readonly service: docker.Service;
  /** What dependents wait for: the service, converged once its tasks pass their check. */
  public get ready(): pulumi.CustomResource {
    return this.service;
  }

  constructor(name: string, args: SwarmServiceArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(SwarmService.TYPE, name, {}, opts);
    const labels = toLabelList({ ...args.labels, ...(args.dockerSocket ? { [DOCKER_SOCKET_LABEL]: "true" } : {}) });
    const base = args.containerName;
    const key = args.nameKey === undefined ? undefined : pulumi.output(args.nameKey);
    // HMAC-named with the key: the name is no secret. Without a key it stays one.
    const secretName = (objBase: string, value: pulumi.Output<string>): pulumi.Output<string> =>
      key === undefined ? value.apply((v) => contentName(objBase, v)) : pulumi.unsecret(pulumi.all([value, key]).apply(([v, k]) => contentName(objBase, v, k)));
    const secrets = (args.secrets ?? []).map((s): SecretRef => {
      const value = pulumi.secret(s.value);
      const secret = new docker.Secret(`${name}-secret-${s.name}`, {
        name: secretName(`${base}-${s.name}`, value),
        data: value.apply((v) => Buffer.from(v).toString("base64")),
        labels,
      }, onHost(args.host, this, NEW_BEFORE_OLD));
      return { secretId: secret.id, secretName: secret.name, fileName: `${SECRETS_DIR}/${s.name}`, fileMode: 0o444 };
    });
    // Files rendered from secrets are swarm secrets too; the other files are configs.
    const fileSecrets: SecretRef[] = [];
    const configs: ConfigRef[] = [];
    (args.files ?? []).forEach((f, i) => {
      const content = f.fromSecrets ? pulumi.secret(f.content) : pulumi.output(f.content);
      const data = content.apply((c) => Buffer.from(c).toString("base64"));
      const fileMode = f.executable ? 0o555 : 0o444;
      if (f.fromSecrets) {
        const objName = secretName(`${base}-file${i}`, content.apply((c) => `${f.path}\0${c}`));
        const secret = new docker.Secret(`${name}-file${i}`, { name: objName, data, labels }, onHost(args.host, this, NEW_BEFORE_OLD));
        fileSecrets.push({ secretId: secret.id, secretName: secret.name, fileName: f.path, fileMode });
      } else {
        const objName = content.apply((c) => contentName(`${base}-file${i}`, `${f.path}\0${c}`));
        const config = new docker.ServiceConfig(`${name}-file${i}`, { name: objName, data, labels }, onHost(args.host, this, NEW_BEFORE_OLD));
        configs.push({ configId: config.id, configName: config.name, fileName: f.path, fileMode });
      }
    });
    const hc = args.healthcheck;
    const volumes = args.volumes ?? [];
    const timeout = args.timeoutSeconds ?? 120;
    const order = updateOrder(args, args.swarm);
    const monitor = "5s";
    this.service = new docker.Service(`${name}-service`, {
      name: args.containerName,
      labels,
      mode: { replicated: { replicas: args.replicas ?? 1 } },
      taskSpec: {
        containerSpec: {
          image: args.imageRef,
          // Only what is set: an unset key would reach the provider as null and differ from its state.
          ...(args.entrypoint !== undefined ? { commands: args.entrypoint } : {}),
          ...(args.command !== undefined ? { args: args.command } : {}),
          env: envMap(args),
          secrets: [...secrets, ...fileSecrets],
          configs,
          mounts: [
            ...volumes.map((v) => ({ type: "volume", source: v.volumeName, target: v.path, readOnly: v.readOnly ?? false })),
            ...(args.dockerSocket ? [{ type: "bind", source: DOCKER_SOCKET, target: DOCKER_SOCKET, readOnly: false }] : []),
          ],
          ...(hc !== undefined ? {
            healthcheck: {
              tests: hc.test,
              interval: hc.interval ?? SWARM_HEALTH_INTERVAL,
              timeout: hc.timeout ?? HEALTHCHECK_DEFAULTS.timeout,
              retries: hc.retries ?? HEALTHCHECK_DEFAULTS.retries,
              startPeriod: hc.startPeriod ?? HEALTHCHECK_DEFAULTS.startPeriod,
            },
          } : {}),
          ...(args.sysctls !== undefined ? { sysctl: args.sysctls } : {}),
          ...(args.init !== undefined ? { init: args.init } : {}),
          labels,
          stopGracePeriod: `${stopGraceFor(args, volumes.length > 0)}s`,
        },
        networksAdvanceds: (args.networks ?? []).map((n) => ({ id: n.networkId ?? n.networkName, aliases: n.aliases })),
        placement: {
          constraints: placementConstraints(args),
          prefs: ["spread=node.id"],
        },
        resources: args.memoryMb === undefined && args.cpus === undefined ? undefined : {
          limits: {
            memoryBytes: args.memoryMb === undefined ? undefined : args.memoryMb * 1024 * 1024,
            nanoCpus: args.cpus === undefined ? undefined : Math.round(args.cpus * 1e9),
          },
        },
        // window as the swarm reports it back (0s: every restart counts), so state round-trips.
        restartPolicy: { condition: restartCondition(args.restart), delay: "1s", window: "0s" },
      },
      endpointSpec: {
        mode: args.swarm.endpointMode,
        ports: (args.ports ?? []).map((p) => ({ targetPort: p.internal, publishedPort: p.external, publishMode: args.swarm.publishMode, protocol: "tcp" })),
      },
      updateConfig: { parallelism: 1, order, failureAction: "rollback", monitor, delay: "0s" },
      rollbackConfig: { parallelism: 1, order, failureAction: "pause", monitor, delay: "0s" },
      // Created (and updated) only once every task runs and passes its check: dependents wait.
      convergeConfig: { delay: "1s", timeout: `${timeout}s` },
    }, onHost(args.host, this, { dependsOn: args.dependsOn }));
    this.serviceName = this.service.name;
    this.registerOutputs({ serviceName: this.serviceName });
  }
}

/**
 * Where the tasks may run: a data volume's service on the data node; a service that reads the
 * engine's socket (the front proxy) on a manager, the only engine that answers for the swarm.
 */
export function placementConstraints(args: Pick<SwarmServiceArgs, "volumes" | "dockerSocket" | "swarm">): string[] {
  return [
    ...((args.volumes ?? []).length > 0 ? [`node.labels.${args.swarm.dataNodeLabel}==true`] : []),
    ...(args.dockerSocket ? ["node.role==manager"] : []),
  ];
}

type SecretRef = { secretId: pulumi.Input<string>; secretName: pulumi.Input<string>; fileName: string; fileMode: number };
type ConfigRef = { configId: pulumi.Input<string>; configName: pulumi.Input<string>; fileName: string; fileMode: number };

/** The service's variables as the swarm takes them (a map); secrets appear only as *_FILE paths. */
function envMap(args: ServiceArgs): pulumi.Output<Record<string, string>> {
  return pulumi.all(Object.fromEntries(envEntries(args.env, args.secrets)));
}
