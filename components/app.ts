// AppStack: turns an AppSpec into networks, volumes, secrets, images and services on a host,
// with dependencies gated on health (services) and completion (jobs). It owns every secret of
// the app: a file that holds credentials is rendered here from the resolved values.
// App: one application's node in the resource tree, of the app's own type, holding its AppStack.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { DockerHost, SwarmMode } from "./host/docker-host";
import { AppSpec, FileContent, specProblems, startOrder } from "./app-spec";
import { AppNetwork } from "./network";
import { DataVolume } from "./volume";
import { AppSecret } from "./secret";
import { ImageSource, ServiceImage } from "./image";
import { FileUpload, Service, ServiceArgs } from "./service";
import { withSecretEnv } from "./secret-env";
import { Scope, labelMap, physicalName } from "./naming";
import { rolloutPlan, withFrontProxy } from "./runtime/front-proxy";
import { ReleaseRecord } from "./runtime/release";
import { SWARM_SERVICE_NAME_MAX, SwarmService } from "./runtime/swarm";

export interface AppStackArgs {
  readonly host: DockerHost;
  readonly scope: Scope;
  readonly spec: AppSpec;
  /** Override map for pulled image references. */
  readonly imageOverrides?: Readonly<Record<string, string>>;
  /** The stack's secret seed: secrets without a value are derived from it (see AppSecret). */
  readonly secretSeed?: pulumi.Input<string>;
  /** Values the user set for some of the spec's secrets (config secrets), by secret key. */
  readonly secretValues?: Readonly<Record<string, pulumi.Input<string> | undefined>>;
  /**
   * The front proxy's image: services that publish only HTTP roll out with no gap behind it
   * (runtime/front-proxy.ts). Without it every service is replaced the plain way.
   */
  readonly frontProxyImage?: string;
  /**
   * Services (by name) to run a previous release of instead of the spec's image and settings,
   * with the same rollout; only services that roll out keep releases (see Release).
   */
  readonly rollback?: Readonly<Record<string, ReleaseRecord>>;
  /** Tasks per service on a swarm host (by service name). @default 1 */
  readonly replicas?: Readonly<Record<string, number>>;
}

export class AppStack extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:index:AppStack";
  /** Each service: a container (Service), or a swarm service on a swarm host (SwarmService). */
  public readonly services: Readonly<Record<string, Service | SwarmService>>;
  public readonly volumeNames: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: AppStackArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(AppStack.TYPE, name, {}, opts);
    const { host, scope } = args;
    const problems = specProblems(scope.app, args.spec);
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("\n"), this);
    const pathed = Object.keys(args.spec.services).sort().filter((n) => (args.spec.services[n].ports ?? []).some((p) => p.path !== undefined));
    if (host.swarm !== undefined) {
      const swarmProblems = swarmSpecProblems(scope.app, args.spec, host.swarm, args.replicas ?? {});
      if (Object.keys(args.rollback ?? {}).length > 0) swarmProblems.push(`${scope.app}: rollback: a swarm rolls a service back itself (allowed: docker service rollback, or no rollback on target swarm)`);
      if (swarmProblems.length > 0) throw new pulumi.ResourceError(swarmProblems.join("\n"), this);
    }
    if (args.frontProxyImage === undefined && pathed.length > 0) {
      throw new pulumi.ResourceError(`${scope.app}.services.${pathed[0]}.ports.path: routing by path needs the app's front proxy (allowed: give AppStack a frontProxyImage, as the program does from appstacks:proxyImage)`, this);
    }
    if (host.swarm === undefined) {
      const many = Object.keys(args.replicas ?? {}).sort().filter((n) => args.replicas![n] !== 1);
      if (many.length > 0) throw new pulumi.ResourceError(`${scope.app}.replicas.${many[0]}: ${args.replicas![many[0]]} tasks need a swarm (allowed: 1 on one engine, or target swarm)`, this);
    }
    const proxied = args.frontProxyImage;
    const spec = proxied === undefined ? args.spec : this.behindFrontProxy(args.spec, proxied, scope, host.swarm !== undefined);
    if (proxied !== undefined) pulumi.log.info(describeRollouts(scope.app, args.spec), this);
    if (host.swarm !== undefined) {
      const long = swarmNameProblems(scope, spec);
      if (long.length > 0) throw new pulumi.ResourceError(long.join("\n"), this);
    }
    const order = startOrder(scope.app, spec);
    const rollback = args.rollback ?? {};
    for (const svcName of Object.keys(rollback).sort()) {
      if (spec.services[svcName]?.rollout !== true) {
        const rolling = Object.keys(spec.services).sort().filter((n) => spec.services[n].rollout === true);
        throw new pulumi.ResourceError(`${scope.app}: rollback.${svcName}: not a service that rolls out, so it keeps no previous release (allowed: ${rolling.join(", ") || "none"})`, this);
      }
      pulumi.log.info(`${scope.app} ${svcName}: rolled back, runs its previous release (image ${rollback[svcName].image.slice(0, 19)}); \`npm run rollback -- --clear ${scope.app} ${svcName}\` deploys the current settings again`, this);
    }

    const networks = mapValues(spec.networks ?? {}, (n, key) =>
      new AppNetwork(`${name}-${key}`, { host, networkName: physicalName(scope, key), internal: n.internal, overlay: host.swarm !== undefined, labels: labelMap(scope) }, { parent: this }));
    const dropped = Object.keys(spec.volumes ?? {}).sort().filter((key) => spec.volumes![key].keepOnDestroy === false);
    if (dropped.length > 0) {
      pulumi.log.warn(`${scope.app}: destroy deletes data volume(s) ${dropped.map((key) => physicalName(scope, key)).join(", ")} (keepOnDestroy is false)`, this);
    }
    const volumes = mapValues(spec.volumes ?? {}, (v, key) =>
      new DataVolume(`${name}-${key}`, { host, volumeName: physicalName(scope, key), keepOnDestroy: v.keepOnDestroy, labels: labelMap(scope) }, { parent: this }));
    // Until 2026-12 some apps created their secrets beside their AppStack: the alias keeps the
    // state (and so the value) of those.
    const formerly = opts.parent ? [{ parent: opts.parent }] : [];
    const secrets = mapValues(spec.secrets ?? {}, (s, key) =>
      new AppSecret(`${name}-${key}`, { value: s.value ?? args.secretValues?.[key], length: s.length, seed: args.secretSeed }, { parent: this, aliases: formerly }));
    const secretValues = pulumi.all(mapValues(secrets, (s) => s.value));
    const fileText = (content: FileContent): pulumi.Input<string> => {
      if (typeof content === "object" && "fromSecrets" in content) return pulumi.secret(secretValues.apply(content.fromSecrets));
      if (typeof content === "object" && "fromHostFile" in content) return fs.readFileSync(content.fromHostFile, "utf8");
      return content;
    };

    // On a swarm every node must pull what the app builds: it goes through the swarm's registry.
    const onEveryNode = (source: ImageSource, key: string): ImageSource =>
      host.swarm?.registry === undefined || source.build === undefined || source.build.push !== undefined ? source
        : { build: { ...source.build, push: { registry: host.swarm.registry, repository: physicalName(scope, key), tag: "built" } } };
    // Pushes to one repository go one after another (see ServiceImageArgs.pushAfter).
    const lastPush = new Map<string, pulumi.Resource>();
    const image = (key: string, given: ImageSource, dependsOn?: pulumi.Resource[]) => {
      const source = onEveryNode(given, key);
      const push = source.build?.push;
      const repo = push && `${push.registry}/${push.repository}`;
      const before = repo ? lastPush.get(repo) : undefined;
      const img = new ServiceImage(`${name}-${key}`, {
        host, source, tag: builtImageTag(scope, key), overrides: args.imageOverrides, labels: labelMap(scope, key), dependsOn,
        pushAfter: before ? [before] : undefined,
      }, { parent: this });
      if (repo && img.push) lastPush.set(repo, img.push);
      return img;
    };
    const shared = mapValues(spec.images ?? {}, (source, key) => image(key, source));

    const services: Record<string, Service | SwarmService> = {};
    for (const svcName of order) {
      // An image that reads credentials only from variables gets them through the wrapper.
      const svc = withSecretEnv(spec.services[svcName]);
      const deps = (svc.dependsOn ?? []).map((d) => services[d].ready);
      // An image pushed to a registry of the app waits for the service's dependencies (the registry).
      const svcImage = typeof svc.image === "string" ? shared[svc.image] : image(svcName, svc.image, svc.image.build?.push ? deps : undefined);
      const resolved: ServiceArgs = {
        ...svc,
        host,
        containerName: physicalName(scope, svcName),
        image: svcImage.imageId,
        secrets: (svc.secrets ?? []).map((s) => ({ name: s.secret, value: secrets[s.secret].value, pathEnv: s.pathEnv })),
        files: (svc.files ?? []).map((f): FileUpload => ({
          path: f.path, content: fileText(f.content), executable: f.executable, fromSecrets: typeof f.content === "object" && "fromSecrets" in f.content,
        })),
        volumes: Object.entries(svc.volumes ?? {}).map(([key, path]) => ({ volumeName: volumes[key].volumeName, path })),
        networks: svc.networks.map((key) => ({ networkName: networks[key].networkName, networkId: networks[key].networkId, aliases: [svcName] })),
        labels: { ...svc.labels, ...labelMap(scope, svcName) },
        // The container of a dependency exists only once it is healthy (or, for a job, done).
        dependsOn: deps,
        releaseOf: { app: scope.app, service: svcName },
        rollbackTo: rollback[svcName],
      };
      // On a swarm a job runs once, as a container on the manager attached to the app's networks.
      services[svcName] = host.swarm !== undefined && !svc.job
        ? new SwarmService(`${name}-${svcName}`, { ...resolved, swarm: host.swarm, imageRef: svcImage.pinnedRef, replicas: args.replicas?.[svcName], nameKey: args.secretSeed }, { parent: this })
        : new Service(`${name}-${svcName}`, resolved, { parent: this });
    }
    this.services = services;
    this.volumeNames = pulumi.output(mapValues(volumes, (v) => v.volumeName)) as pulumi.Output<Record<string, string>>;
    this.registerOutputs({ volumeNames: this.volumeNames });
  }

  /** The spec behind the app's front proxy; a spec it cannot route stops here in one line naming the app. */
  private behindFrontProxy(spec: AppSpec, image: string, scope: Scope, swarm: boolean): AppSpec {
    try {
      return withFrontProxy(spec, { image, physicalName: (role) => physicalName(scope, role), swarm });
    } catch (e) {
      throw new pulumi.ResourceError(`${scope.app}.${(e as Error).message}`, this);
    }
  }
}

export interface AppArgs extends AppStackArgs {
  /** Entry URLs by output name. */
  readonly urls: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * One application: a component of the app's own Pulumi type (appstacks:stacks:Biostar), so a
 * preview groups the app's resources under it, holding the generic AppStack that builds them.
 */
export class App extends pulumi.ComponentResource {
  public readonly stack: AppStack;
  public readonly urls: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(type: string, name: string, args: AppArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(type, name, {}, opts);
    this.stack = new AppStack(name, args, { parent: this });
    this.urls = mapValues(args.urls, (u) => pulumi.output(u));
    this.registerOutputs({ urls: this.urls });
  }
}

/**
 * What an app asks that a swarm cannot give, one line each: a port bound to one address, an
 * image built without a registry every node pulls from, replicas of a job, of a service that
 * owns a data volume, or of no service.
 */
export function swarmSpecProblems(app: string, spec: AppSpec, swarm: SwarmMode, replicas: Readonly<Record<string, number>>): string[] {
  const problems: string[] = [];
  const names = Object.keys(spec.services).sort();
  for (const name of names) {
    const svc = spec.services[name];
    const at = `${app}.services.${name}`;
    const without = svc.leftOutBy === undefined ? "" : `, or ${app}.${svc.leftOutBy} (no ${name})`;
    for (const p of svc.ports ?? []) {
      if ((p.ip ?? "0.0.0.0") !== "0.0.0.0") problems.push(`${at}.ports.ip: "${p.ip}" cannot be kept on a swarm, whose published ports listen on every address of a node (allowed: 0.0.0.0${without}, or target local, ssh or ec2)`);
    }
    if (svc.ipcMode !== undefined) problems.push(`${at}.ipcMode: "${svc.ipcMode}" is not something a swarm service can set (allowed: no ipcMode on a swarm)`);
  }
  const built = [...Object.entries(spec.images ?? {}).map(([k, s]) => [`images.${k}`, s] as const), ...names.map((n) => [`services.${n}.image`, spec.services[n].image] as const)]
    .filter(([, s]) => typeof s !== "string" && s.build !== undefined && s.build.push === undefined);
  if (swarm.registry === undefined && built.length > 0) problems.push(`${app}.${built[0][0]}: an image built on a swarm manager must be pushed so every node can pull it (allowed: set the swarm's registry, appstacks:swarm.registry)`);
  for (const [name, n] of Object.entries(replicas)) {
    const svc = spec.services[name];
    if (svc === undefined) problems.push(`${app}.replicas.${name}: not a service of ${app} (allowed: ${names.filter((s) => !spec.services[s].job).join(", ")})`);
    else if (!Number.isInteger(n) || n < 1) problems.push(`${app}.replicas.${name}: ${n} is not a number of tasks (allowed: an integer of at least 1)`);
    else if (n > 1 && svc.job) problems.push(`${app}.replicas.${name}: ${n}, but ${name} is a job, which runs once (allowed: 1)`);
    else if (n > 1 && Object.keys(svc.volumes ?? {}).length > 0) problems.push(`${app}.replicas.${name}: ${n}, but ${name} owns a data volume, which one task at a time may write (allowed: 1)`);
  }
  return problems;
}

/**
 * Names a swarm would refuse only once the deploy has begun: its services and networks (the
 * front proxy's among them) are named in at most 63 characters, and ours carry project, stack
 * and app (naming.ts). One line each, before anything is created.
 */
export function swarmNameProblems(scope: Scope, spec: AppSpec): string[] {
  const keys = [
    ...Object.keys(spec.services).sort().filter((n) => !spec.services[n].job).map((n) => [`services.${n}`, n] as const),
    ...Object.keys(spec.networks ?? {}).sort().map((n) => [`networks.${n}`, n] as const),
  ];
  return keys.map(([at, role]) => [at, physicalName(scope, role)] as const).filter(([, name]) => name.length > SWARM_SERVICE_NAME_MAX)
    .map(([at, name]) => `${scope.app}.${at}: its swarm name "${name}" has ${name.length} characters (allowed: at most ${SWARM_SERVICE_NAME_MAX}; a shorter project, stack or app name)`);
}

/** What a change to each long-running service of an app does: the line a preview shows. */
export function describeRollouts(app: string, spec: AppSpec): string {
  const plan = rolloutPlan(spec);
  const verb = plan.rolling.length === 1 ? "rolls" : "roll";
  const rolling = plan.rolling.length > 0 ? `${plan.rolling.join(", ")} ${verb} out with no gap through the front proxy` : "no service rolls out with no gap";
  const gap = plan.gap.map(([name, why]) => `${name} (${why})`).join(", ");
  return `${app}: on a change, ${rolling}${gap ? `; replaced with a gap: ${gap}` : ""}`;
}

/** The local tag of an image the app builds: containers started at run time can name it. */
export function builtImageTag(scope: Scope, key: string): string {
  return `${physicalName(scope, key)}:built`;
}

function mapValues<T, U>(rec: Readonly<Record<string, T>>, f: (v: T, k: string) => U): Record<string, U> {
  return Object.fromEntries(Object.keys(rec).sort().map((k) => [k, f(rec[k], k)]));
}
