// One app of the registry on a host: its spec from its settings, the config secrets it reads,
// its URLs on the host's address. index.ts calls it for every app in `apps`; tests call it for one.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AppDefinition } from "../config/app-definition";
import { App } from "../components/app";
import { AppSpec } from "../components/app-spec";
import { DockerHost } from "../components/host/docker-host";
import { Scope } from "../components/naming";
import { ReleaseRecord } from "../components/runtime/release";
import { PortClaim, portClaimProblems, wantedPorts } from "../components/host/port-claims";

/** What every app gets besides its own settings: the same for all apps of a Pulumi stack. */
export interface StackContext {
  readonly host: DockerHost;
  readonly scope: Omit<Scope, "app">;
  readonly keepDataOnDestroy: boolean;
  readonly imageOverrides: Readonly<Record<string, string>>;
  /** The front proxy services that publish only HTTP roll out behind (config: proxyImage). */
  readonly frontProxyImage?: string;
  /** Services replaced the plain way instead of rolled out, as app.service (config: noRollout). */
  readonly noRollout?: readonly string[];
  /** Previous releases services run instead, as app → service → release (config: rollback). */
  readonly rollback?: Readonly<Record<string, Readonly<Record<string, ReleaseRecord>>>>;
  /** Tasks per service on a swarm, as app.service → count (config: swarm.replicas). */
  readonly replicas?: Readonly<Record<string, number>>;
  /** The stack's secret seed: credentials are derived from it, so kept data stays readable. */
  readonly secretSeed?: pulumi.Input<string>;
  /** The config namespace, for error messages (appstacks:portalTlsKey). */
  readonly namespace: string;
  /** Reads a secret key of the namespace (config.getSecret); undefined when unset. */
  readonly readSecret: (key: string) => pulumi.Output<string> | undefined;
}

export function deployApp<S extends z.ZodTypeAny>(app: AppDefinition<string, S>, settings: z.output<S>, ctx: StackContext, opts?: pulumi.ComponentResourceOptions): App {
  const { namespace } = ctx;
  const secretValues: Record<string, pulumi.Output<string> | undefined> = {};
  for (const s of app.configSecrets ?? []) {
    const value = ctx.readSecret(s.key);
    if (value === undefined && s.requiredWhen?.test(settings)) {
      const by = `${namespace}:${app.name}.${s.requiredWhen.setting} ${JSON.stringify((settings as Record<string, unknown>)[s.requiredWhen.setting])}`;
      throw new pulumi.RunError(`${namespace}:${s.key}: not set (allowed: ${s.what}, set with pulumi config set --secret ${namespace}:${s.key} < file; required by ${by})`);
    }
    secretValues[s.secret] = value;
  }
  const scope = { ...ctx.scope, app: app.name };
  const urls = Object.fromEntries(Object.entries(app.urls(settings)).map(([name, u]) =>
    [name, pulumi.interpolate`${u.https ? "https" : "http"}://${u.host ?? ctx.host.address}:${u.port}${u.path ?? "/"}`]));
  const spec = app.spec(settings, { scope, keepDataOnDestroy: ctx.keepDataOnDestroy, imageOverrides: ctx.imageOverrides });
  return new App(app.type, app.name, {
    host: ctx.host, scope, secretSeed: ctx.secretSeed, secretValues, imageOverrides: ctx.imageOverrides, frontProxyImage: ctx.frontProxyImage, urls,
    rollback: ctx.rollback?.[app.name],
    replicas: replicasOf(app.name, ctx.replicas ?? {}),
    spec: withRolloutOff(app.name, spec, ctx.noRollout ?? [], namespace),
  }, opts);
}

/** The replica counts of one app's services, from app.service → count. */
export function replicasOf(appName: string, replicas: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(replicas).filter(([k]) => k.startsWith(`${appName}.`)).map(([k, n]) => [k.slice(appName.length + 1), n]));
}

/**
 * The spec with `rollout: false` on the services `noRollout` names for this app (app.service);
 * a name that is no service of the app is refused in one line.
 */
export function withRolloutOff(appName: string, spec: AppSpec, noRollout: readonly string[], namespace: string): AppSpec {
  const mine = noRollout.map((s, i) => [s, i] as const).filter(([s]) => s.split(".")[0] === appName);
  if (mine.length === 0) return spec;
  const services = { ...spec.services };
  for (const [entry, i] of mine) {
    const name = entry.slice(appName.length + 1);
    if (services[name] === undefined) {
      throw new pulumi.RunError(`${namespace}:noRollout[${i}]: "${entry}" is not a service of ${appName} (allowed: ${Object.keys(spec.services).filter((n) => !spec.services[n].job).sort().map((n) => `${appName}.${n}`).join(", ")})`);
    }
    if ((services[name].ports ?? []).some((p) => p.path !== undefined)) {
      throw new pulumi.RunError(`${namespace}:noRollout[${i}]: "${entry}" shares its host port with other services under its own path, which only the front proxy can route (allowed: a service with a host port of its own)`);
    }
    services[name] = { ...services[name], rollout: false };
  }
  return { ...spec, services };
}

/**
 * One line per host port the apps would publish that a container of another Pulumi stack already
 * publishes on the host (`claims`, read from its engine by our ownership labels), naming the key
 * (appstacks:wattrex.webPort), the port, the other stack, its app and service. Containers of this
 * stack do not count: a redeploy replaces them.
 */
export function hostPortProblems(
  apps: readonly { app: AppDefinition<string, z.ZodTypeAny>; settings: unknown }[],
  ctx: Pick<StackContext, "scope" | "keepDataOnDestroy" | "imageOverrides" | "namespace">,
  claims: readonly PortClaim[],
): string[] {
  const wanted = apps.flatMap(({ app, settings }) => {
    const scope = { ...ctx.scope, app: app.name };
    return wantedPorts(app.name, app.spec(settings, { scope, keepDataOnDestroy: ctx.keepDataOnDestroy, imageOverrides: ctx.imageOverrides }).services);
  });
  // Services that share one host port under their own paths (PEcAn's) ask for it once.
  return [...new Set(portClaimProblems(ctx.scope, wanted, claims, `${ctx.namespace}:`))];
}
