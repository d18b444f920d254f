// The shape of one entry of the app registry (stacks/registry.ts): everything the program needs
// to know about an application, in one place. Its settings schema is the one source of the app's
// keys, defaults and descriptions; its spec function is pure; the rest is read off those two.
import { z } from "zod";
import { AppSpec } from "../components/app-spec";
import { Scope } from "../components/naming";

/** What a spec function gets besides the app's own settings: the same for every app. */
export interface SpecContext {
  /** Project, Pulumi stack and app: physical names and labels derive from it. */
  readonly scope: Scope;
  /** Data volumes outlive `pulumi destroy` unless this is false. */
  readonly keepDataOnDestroy: boolean;
  /** Reference or repository → replacement, for images the app builds FROM (pulled ones are rewritten by AppStack). */
  readonly imageOverrides: Readonly<Record<string, string>>;
}

/** An entry URL of the app, on the host's address. */
export interface AppUrl {
  readonly port: number;
  /** @default "/" */
  readonly path?: string;
  readonly https?: boolean;
  /** The host name the app answers to (routing by host name); @default the host's address */
  readonly host?: string;
}

/** A secret the user may set in config (pulumi config set --secret), given to one secret of the spec. */
export interface ConfigSecret<S> {
  /** The config key under the program's namespace, e.g. biostarDbPassword. */
  readonly key: string;
  /** The spec's secret it sets; derived from the stack's seed when the key is unset. */
  readonly secret: string;
  /** What the value is, for the one-line error when a required one is missing. */
  readonly what: string;
  /** When the key must be set (the setting that requires it is named in the error). */
  readonly requiredWhen?: { readonly setting: string; test(settings: S): boolean };
}

export interface AppDefinition<N extends string = string, S extends z.ZodTypeAny = z.ZodTypeAny> {
  /** The value of `apps` that deploys it, and its settings key (appstacks:<name>). */
  readonly name: N;
  /** Its name in prose: "Biostar settings: …". */
  readonly title: string;
  /** The Pulumi type of the app's component; part of every URN below it, so never renamed. */
  readonly type: string;
  /** Every setting with its default and description. */
  readonly settings: S;
  // Methods, not function properties: an entry of a specific app is then also an AppDefinition
  // of any settings (parameters of methods are compared both ways).
  spec(settings: z.output<S>, ctx: SpecContext): AppSpec;
  /** Entry URLs by output name (the first is the app's own name). */
  urls(settings: z.output<S>): Readonly<Record<string, AppUrl>>;
  readonly configSecrets?: readonly ConfigSecret<z.output<S>>[];
}

/** Keeps the literal name and the schema's type of a registry entry. */
export function defineApp<N extends string, S extends z.ZodTypeAny>(definition: AppDefinition<N, S>): AppDefinition<N, S> {
  return definition;
}

/**
 * The host ports an app publishes with these settings, read off its spec, each named by the
 * setting that chooses it (appstacks:<app>.<setting>), in the order the settings declare them.
 */
export function publishedPorts<S extends z.ZodTypeAny>(app: AppDefinition<string, S>, settings: z.output<S>, scope: Omit<Scope, "app">): [string, number][] {
  const spec = app.spec(settings, { scope: { ...scope, app: app.name }, keepDataOnDestroy: true, imageOverrides: {} });
  const order = Object.keys(objectShape(app.settings));
  const ports: [string, number, number][] = [];
  for (const [service, svc] of Object.entries(spec.services)) {
    for (const p of svc.ports ?? []) {
      const key = p.setting !== undefined ? `${app.name}.${p.setting}` : `${app.name}.services.${service}.ports`;
      // Services that share one host port under their own paths (PEcAn's) publish it once.
      if (ports.some(([k, port]) => k === key && port === p.external)) continue;
      ports.push([key, p.external, p.setting !== undefined ? order.indexOf(p.setting) : order.length]);
    }
  }
  return ports.sort((a, b) => a[2] - b[2]).map(([key, port]) => [key, port]);
}

/** The shape of an object schema under defaults, refinements and transforms. */
export function objectShape(schema: z.ZodTypeAny): z.ZodRawShape {
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? inner.shape : {};
}

/** A schema and the schemas its defaults, optionals, refinements and transforms wrap, outermost first. */
export function layers(schema: z.ZodTypeAny): z.ZodTypeAny[] {
  const out = [schema];
  for (;;) {
    const s = out[out.length - 1];
    if (s instanceof z.ZodDefault || s instanceof z.ZodOptional) out.push(s._def.innerType);
    else if (s instanceof z.ZodEffects) out.push(s._def.schema);
    else return out;
  }
}

/** The schema under every wrapper. */
export function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  return layers(schema).pop()!;
}
