// AppStack: turns an AppSpec into networks, volumes, secrets, images and services on a host,
// with dependencies gated on health (services) and completion (jobs). It owns every secret of
// the app: a file that holds credentials is rendered here from the resolved values.
// App: one application's node in the resource tree, of the app's own type, holding its AppStack.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "./host/docker-host";
import { AppSpec, FileContent, specProblems, startOrder } from "./app-spec";
import { AppNetwork } from "./network";
import { DataVolume } from "./volume";
import { AppSecret } from "./secret";
import { ImageSource, ServiceImage } from "./image";
import { FileUpload, Service } from "./service";
import { withSecretEnv } from "./secret-env";
import { Scope, labelMap, physicalName } from "./naming";
import { rolloutPlan, withFrontProxy } from "./runtime/front-proxy";
import { ReleaseRecord } from "./runtime/release";

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
}

export class AppStack extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:index:AppStack";
  public readonly services: Readonly<Record<string, Service>>;
  public readonly volumeNames: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: AppStackArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(AppStack.TYPE, name, {}, opts);
    const { host, scope } = args;
    const problems = specProblems(scope.app, args.spec);
    if (problems.length > 0) throw new pulumi.ResourceError(problems.join("\n"), this);
    const pathed = Object.keys(args.spec.services).sort().filter((n) => (args.spec.services[n].ports ?? []).some((p) => p.path !== undefined));
    if (args.frontProxyImage === undefined && pathed.length > 0) {
      throw new pulumi.ResourceError(`${scope.app}.services.${pathed[0]}.ports.path: routing by path needs the app's front proxy (allowed: give AppStack a frontProxyImage, as the program does from appstacks:proxyImage)`, this);
    }
    const spec = args.frontProxyImage === undefined ? args.spec : this.behindFrontProxy(args.spec, args.frontProxyImage, scope);
    if (args.frontProxyImage !== undefined) pulumi.log.info(describeRollouts(scope.app, args.spec), this);
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
      new AppNetwork(`${name}-${key}`, { host, networkName: physicalName(scope, key), internal: n.internal, labels: labelMap(scope) }, { parent: this }));
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
      // An image that reads credentials only from variables gets them through the wrapper.
      const svc = withSecretEnv(spec.services[svcName]);
      const deps = (svc.dependsOn ?? []).map((d) => services[d].container);
      // An image pushed to a registry of the app waits for the service's dependencies (the registry).
      const svcImage = typeof svc.image === "string" ? shared[svc.image] : image(svcName, svc.image, svc.image.build?.push ? deps : undefined);
      services[svcName] = new Service(`${name}-${svcName}`, {
        ...svc,
        host,
        containerName: physicalName(scope, svcName),
        image: svcImage.imageId,
        secrets: (svc.secrets ?? []).map((s) => ({ name: s.secret, value: secrets[s.secret].value, pathEnv: s.pathEnv })),
        files: (svc.files ?? []).map((f): FileUpload => ({
          path: f.path, content: fileText(f.content), executable: f.executable, fromSecrets: typeof f.content === "object" && "fromSecrets" in f.content,
        })),
        volumes: Object.entries(svc.volumes ?? {}).map(([key, path]) => ({ volumeName: volumes[key].volumeName, path })),
        networks: svc.networks.map((key) => ({ networkName: networks[key].networkName, aliases: [svcName] })),
        labels: { ...svc.labels, ...labelMap(scope, svcName) },
        // The container of a dependency exists only once it is healthy (or, for a job, done).
        dependsOn: deps,
        releaseOf: { app: scope.app, service: svcName },
        rollbackTo: rollback[svcName],
      }, { parent: this });
    }
    this.services = services;
    this.volumeNames = pulumi.output(mapValues(volumes, (v) => v.volumeName)) as pulumi.Output<Record<string, string>>;
    this.registerOutputs({ volumeNames: this.volumeNames });
  }

  /** The spec behind the app's front proxy; a spec it cannot route stops here in one line naming the app. */
  private behindFrontProxy(spec: AppSpec, image: string, scope: Scope): AppSpec {
    try {
      return withFrontProxy(spec, { image, physicalName: (role) => physicalName(scope, role) });
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
