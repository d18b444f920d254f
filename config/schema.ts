// The typed shape of the program's config and its validation. Pure: index.ts reads the raw
// values once and hands them here; a bad value becomes one line naming the key, the value seen
// and what is allowed, before any resource is registered.
import { z } from "zod";
import { isPinned } from "../components/image-ref";

export const APP_NAMES = ["biostar", "wattrex", "portal", "pecan", "lab"] as const;
export type AppName = (typeof APP_NAMES)[number];
export const TARGETS = ["local"] as const;

const port = z.number({ message: "an integer from 1 to 65535" }).int("an integer from 1 to 65535").min(1, "an integer from 1 to 65535").max(65535, "an integer from 1 to 65535");
const imageRef = z
  .string({ message: "an image reference such as postgres:16.4" })
  .regex(/^[a-z0-9]+(?:[._\/:@-][a-zA-Z0-9_.-]+)*$/, "an image reference such as postgres:16.4 or registry:5000/team/app@sha256:…")
  .refine(isPinned, "a pinned image reference: a tag other than latest, or a digest");
const nonEmpty = z.string({ message: "a non-empty string" }).min(1, "a non-empty string");

export const biostarSchema = z
  .object({
    port: port.default(8000),
    buildContext: nonEmpty.default("apps/biostar"),
    siteName: nonEmpty.default("Biostar"),
    debug: z.boolean({ message: "true or false" }).default(false),
    postgresImage: imageRef.default("postgres:16.4"),
    baseImage: imageRef.default("debian:bookworm-slim"),
  })
  .strict();
export type BiostarConfig = z.infer<typeof biostarSchema>;

const logLevel = z.enum(["DEBUG", "INFO", "WARNING", "ERROR"], { message: "one of DEBUG, INFO, WARNING, ERROR" });
const positiveInt = z.number({ message: "a positive integer" }).int("a positive integer").positive("a positive integer");

export const wattrexSchema = z
  .object({
    webPort: port.default(8869),
    dbPort: port.default(3369),
    mqttPort: port.default(1883),
    database: nonEmpty.default("wattrex_db"),
    dbUser: nonEmpty.default("wattrex"),
    mqttUser: nonEmpty.default("wattrex"),
    logLevel: logLevel.default("INFO"),
    sharedToolParams: z
      .object({ chanNumMsg: positiveInt.default(350), ipcMsgSize: positiveInt.default(350), chanTimeout: positiveInt.default(1) })
      .strict()
      .default({}),
    buildContext: nonEmpty.default("apps/wattrex"),
    mysqlImage: imageRef.default("mysql:8.4"),
    rabbitmqImage: imageRef.default("rabbitmq:3.13"),
    baseImage: imageRef.default("debian:bookworm-slim"),
  })
  .strict();
export type WattrexConfig = z.infer<typeof wattrexSchema>;

export const portalSchema = z
  .object({
    httpPort: port.default(80),
    httpsPort: port.default(443),
    // HTTPS needs the secret keys appstacks:portalTlsCertificate and appstacks:portalTlsKey.
    tls: z.boolean({ message: "true or false" }).default(false),
    ingestIntervalSeconds: z.number({ message: "an integer number of seconds from 10 to 2592000" }).int("an integer number of seconds from 10 to 2592000")
      .min(10, "an integer number of seconds from 10 to 2592000").max(2592000, "an integer number of seconds from 10 to 2592000").default(86400),
    database: z.string({ message: "a MongoDB database name (letters, digits, _ and -)" }).regex(/^[A-Za-z0-9_-]{1,63}$/, "a MongoDB database name (letters, digits, _ and -)").default("portal"),
    mongoRootUser: z.string({ message: "a user name (letters, digits, _ . -)" }).regex(/^[A-Za-z0-9_.-]{1,64}$/, "a user name (letters, digits, _ . -)").default("root"),
    buildContext: nonEmpty.default("apps/portal"),
    mongoImage: imageRef.default("mongo:7.0"),
    nginxImage: imageRef.default("nginx:1.27"),
    baseImage: imageRef.default("debian:bookworm-slim"),
  })
  .strict();
export type PortalConfig = z.infer<typeof portalSchema>;
// DevOps lab (seed 004): ports default to the seed's (proxy 3456, registry 5000, blue 50100,
// green 50101, file-IO reader 8000, writer 7000, webapp 3000); livePort is the proxy's blue/green
// entry point, which the seed did not have.
const colour = z.enum(["blue", "green"], { message: "blue or green" });
export const labSchema = z
  .object({
    proxyPort: port.default(3456),
    livePort: port.default(3457),
    registryPort: port.default(5000),
    bluePort: port.default(50100),
    greenPort: port.default(50101),
    readerPort: port.default(8000),
    writerPort: port.default(7000),
    webappPort: port.default(3000),
    live: colour.default("blue"),
    writeIntervalSeconds: positiveInt.default(120),
    buildContext: nonEmpty.default("apps/devops-lab"),
    redisImage: imageRef.default("redis:7.2"),
    registryImage: imageRef.default("registry:2.8"),
    baseImage: imageRef.default("debian:bookworm-slim"),
  })
  .strict();
export type LabConfig = z.infer<typeof labSchema>;

const modelName = z.string({ message: "a model name of letters and digits, e.g. SIPNET" }).regex(/^[A-Za-z][A-Za-z0-9]{0,31}$/, "a model name of letters and digits, e.g. SIPNET");
const machineId = z.number({ message: "an integer from 1 to 2147483" }).int("an integer from 1 to 2147483").min(1, "an integer from 1 to 2147483").max(2147483, "an integer from 1 to 2147483");
const httpUrl = z.string({ message: "an http(s) URL" }).regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, "an http(s) URL such as https://pecan.example.org/bety/");

export const pecanSchema = z
  .object({
    port: port.default(80),
    // Unset: derived from project and stack (stacks/pecan.ts defaultMachineId).
    machineId: machineId.optional(),
    syncPeers: z.array(z.object({ machineId, url: httpUrl }).strict(), { message: "a list of { machineId, url }" }).default([]),
    models: z.array(modelName, { message: "a list of model names" }).min(1, "at least one model").default(["SIPNET"]),
    firstUsers: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "a login of lower-case letters, digits and _"), z.number().int().min(1).max(4), { message: "a map of login → access level 1..4" }).default({ carya: 1 }),
    pecanVersion: z.string({ message: "an image tag such as 1.8.0" }).regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "an image tag such as 1.8.0").refine((t) => t !== "latest", "a pinned image tag, not latest").default("1.8.0"),
    postgisImage: imageRef.default("postgis/postgis:12-3.3"),
    rabbitmqImage: imageRef.default("rabbitmq:3.13-management"),
    proxyImage: imageRef.default("nginx:1.27"),
  })
  .strict()
  .superRefine((c, ctx) => {
    c.syncPeers.forEach((p, i) => {
      if (p.machineId === c.machineId) ctx.addIssue({ code: "custom", path: ["syncPeers", i, "machineId"], message: "a machine id other than this instance's own" });
    });
    const seen = new Set<string>();
    c.models.forEach((m, i) => {
      if (seen.has(m.toLowerCase())) ctx.addIssue({ code: "custom", path: ["models", i], message: "each model once" });
      seen.add(m.toLowerCase());
    });
  });
export type PecanConfig = z.infer<typeof pecanSchema>;

export const configSchema = z
  .object({
    target: z.enum(TARGETS, { message: `one of ${TARGETS.join(", ")}` }).default("local"),
    apps: z.array(z.enum(APP_NAMES, { message: `one of ${APP_NAMES.join(", ")}` }), { message: `a list of ${APP_NAMES.join(", ")}` }).default([]),
    keepDataOnDestroy: z.boolean({ message: "true or false" }).default(true),
    imageOverrides: z.record(nonEmpty, imageRef, { message: "a map of image reference → replacement reference" }).default({}),
    biostar: biostarSchema.default({}),
    wattrex: wattrexSchema.default({}),
    portal: portalSchema.default({}),
    pecan: pecanSchema.default({}),
    lab: labSchema.default({}),
  })
  .strict();
export type AppConfig = z.infer<typeof configSchema>;

/** Raw values as read from Pulumi config (undefined when unset). */
export type RawConfig = Partial<Record<keyof AppConfig, unknown>>;

/** The host ports each deployed app publishes, keyed by the config key that sets them. */
export function publishedPorts(cfg: AppConfig): [string, number][] {
  const ports: [string, number][] = [];
  if (cfg.apps.includes("biostar")) ports.push(["biostar.port", cfg.biostar.port]);
  if (cfg.apps.includes("wattrex")) {
    ports.push(["wattrex.webPort", cfg.wattrex.webPort], ["wattrex.dbPort", cfg.wattrex.dbPort], ["wattrex.mqttPort", cfg.wattrex.mqttPort]);
  }
  if (cfg.apps.includes("pecan")) ports.push(["pecan.port", cfg.pecan.port]);
  if (cfg.apps.includes("portal")) {
    ports.push(["portal.httpPort", cfg.portal.httpPort]);
    if (cfg.portal.tls) ports.push(["portal.httpsPort", cfg.portal.httpsPort]);
  }
  if (cfg.apps.includes("lab")) {
    for (const key of ["proxyPort", "livePort", "registryPort", "bluePort", "greenPort", "readerPort"] as const) ports.push([`lab.${key}`, cfg.lab[key]]);
  }
  return ports;
}

/** Validates raw config; throws an Error whose lines each name a key, a value and what is allowed. */
export function parseConfig(namespace: string, raw: RawConfig): AppConfig {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const result = configSchema.safeParse(defined);
  if (!result.success) {
    const lines = result.error.issues.flatMap((issue) => {
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => `${keyName(namespace, [...issue.path, k])}: unknown key (allowed: ${allowedKeys(issue.path)})`);
      }
      return [`${keyName(namespace, issue.path)}: ${JSON.stringify(valueAt(defined, issue.path))} is not allowed (allowed: ${issue.message})`];
    });
    throw new Error(lines.join("\n"));
  }
  const cfg = result.data;
  const seen = new Map<number, string>();
  const clashes: string[] = [];
  for (const [key, p] of publishedPorts(cfg)) {
    const other = seen.get(p);
    if (other !== undefined) clashes.push(`${namespace}:${key}: ${p} is already published by ${namespace}:${other} (allowed: a host port no other app uses)`);
    seen.set(p, key);
  }
  if (clashes.length > 0) throw new Error(clashes.join("\n"));
  return cfg;
}

/** appstacks:biostar.port, appstacks:apps[1]: the way a user writes the key. */
function keyName(namespace: string, path: (string | number)[]): string {
  return `${namespace}:${path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("")}`;
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, p) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[p] : undefined), root);
}

function allowedKeys(path: (string | number)[]): string {
  let schema: z.ZodTypeAny = unwrap(configSchema);
  for (const p of path) if (schema instanceof z.ZodObject) schema = unwrap(schema.shape[p as string]);
  return schema instanceof z.ZodObject ? Object.keys(schema.shape).join(", ") : "none";
}

/** The object schema under defaults and refinements. */
function unwrap(schema: z.ZodTypeAny): z.ZodTypeAny {
  for (;;) {
    if (schema instanceof z.ZodDefault) schema = schema._def.innerType;
    else if (schema instanceof z.ZodEffects) schema = schema._def.schema;
    else return schema;
  }
}
