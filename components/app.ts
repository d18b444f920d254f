// AppStack: turns an AppSpec into networks, volumes, secrets, images and services on a host,
// with dependencies gated on health (services) and completion (jobs).
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "./host/docker-host";
import { AppSpec, specProblems, startOrder } from "./app-spec";
import { AppNetwork } from "./network";
import { DataVolume } from "./volume";
import { AppSecret } from "./secret";
import { ImageSource, ServiceImage } from "./image";
import { Service } from "./service";
import { Scope, labelMap, physicalName } from "./naming";

export interface AppStackArgs {
  readonly host: DockerHost;
  readonly scope: Scope;
  readonly spec: AppSpec;
  /** Override map for pulled image references. */
  readonly imageOverrides?: Readonly<Record<string, string>>;
  /** The stack's secret seed: generated secrets are derived from it (see AppSecret). */
  readonly secretSeed?: pulumi.Input<string>;
}

export class AppStack extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:index:AppStack";
  public readonly services: Readonly<Record<string, Service>>;
  public readonly volumeNames: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: AppStackArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(AppStack.TYPE, name, {}, opts);
    const { host, scope, spec } = args;
    const problems = specProblems(scope.app, spec);
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("\n"), this);
    const order = startOrder(scope.app, spec);

    const networks = mapValues(spec.networks ?? {}, (n, key) =>
      new AppNetwork(`${name}-${key}`, { host, networkName: physicalName(scope, key), internal: n.internal, labels: labelMap(scope) }, { parent: this }));
    const dropped = Object.keys(spec.volumes ?? {}).sort().filter((key) => spec.volumes![key].keepOnDestroy === false);
    if (dropped.length > 0) {
      pulumi.log.warn(`${scope.app}: destroy deletes data volume(s) ${dropped.map((key) => physicalName(scope, key)).join(", ")} (keepOnDestroy is false)`, this);
    }
    const volumes = mapValues(spec.volumes ?? {}, (v, key) =>
      new DataVolume(`${name}-${key}`, { host, volumeName: physicalName(scope, key), keepOnDestroy: v.keepOnDestroy, labels: labelMap(scope) }, { parent: this }));
    const secrets = mapValues(spec.secrets ?? {}, (s, key) =>
      new AppSecret(`${name}-${key}`, { value: s.value, length: s.length, seed: args.secretSeed }, { parent: this }));

    // Pushes to one repository go one after another (see ServiceImageArgs.pushAfter).
    const lastPush = new Map<string, pulumi.Resource>();
    const image = (key: string, source: ImageSource, dependsOn?: pulumi.Resource[]) => {
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

    const services: Record<string, Service> = {};
    for (const svcName of order) {
      const svc = spec.services[svcName];
      const labels = { ...svc.labels, ...labelMap(scope, svcName) };
      const deps = (svc.dependsOn ?? []).map((d) => services[d].container);
      // An image pushed to a registry of the app waits for the service's dependencies (the registry).
      const svcImage = typeof svc.image === "string" ? shared[svc.image] : image(svcName, svc.image, svc.image.build?.push ? deps : undefined);
      services[svcName] = new Service(`${name}-${svcName}`, {
        host,
        containerName: physicalName(scope, svcName),
        image: svcImage.imageId,
        command: svc.command,
        entrypoint: svc.entrypoint,
        env: svc.env,
        secrets: (svc.secrets ?? []).map((s) => ({ name: s.secret, value: secrets[s.secret].value, pathEnv: s.pathEnv })),
        files: svc.files,
        volumes: Object.entries(svc.volumes ?? {}).map(([key, path]) => ({ volumeName: volumes[key].volumeName, path })),
        networks: svc.networks.map((key) => ({ networkName: networks[key].networkName, aliases: [svcName] })),
        ports: svc.ports,
        healthcheck: svc.healthcheck,
        restart: svc.restart,
        memoryMb: svc.memoryMb,
        cpus: svc.cpus,
        labels,
        job: svc.job,
        timeoutSeconds: svc.timeoutSeconds,
        dockerSocket: svc.dockerSocket,
        stopGraceSeconds: svc.stopGraceSeconds,
        // The container of a dependency exists only once it is healthy (or, for a job, done).
        dependsOn: deps,
      }, { parent: this });
    }
    this.services = services;
    this.volumeNames = pulumi.output(mapValues(volumes, (v) => v.volumeName)) as pulumi.Output<Record<string, string>>;
    this.registerOutputs({ volumeNames: this.volumeNames });
  }
}

/** The local tag of an image the app builds: containers started at run time can name it. */
export function builtImageTag(scope: Scope, key: string): string {
  return `${physicalName(scope, key)}:built`;
}

function mapValues<T, U>(rec: Readonly<Record<string, T>>, f: (v: T, k: string) => U): Record<string, U> {
  return Object.fromEntries(Object.keys(rec).sort().map((k) => [k, f(rec[k], k)]));
}
