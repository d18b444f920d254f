// The typed shape of the program's config and its validation. Pure: index.ts reads the raw
// values once and hands them here; a bad value becomes one line naming the key, the value seen
// and what is allowed, before any resource is registered.
import { z } from "zod";
import { isPinned } from "../components/image-ref";

export const APP_NAMES = ["biostar", "wattrex"] as const;
export type AppName = (typeof APP_NAMES)[number];
export const TARGETS = ["local"] as const;

const port = z.number({ message: "an integer from 1 to 65535" }).int("an integer from 1 to 65535").min(1, "an integer from 1 to 65535").max(65535, "an integer from 1 to 65535");
const imageRef = z
  .string({ message: "an image reference such as postgres:16.4" })
  .regex(/^[a-z0-9]+(?:[._\/:@-][a-zA-Z0-9_.-]+)*$/, "an image reference such as postgres:16.4 or registry:5000/team/app@sha256:…")
  .refine(isPinned, "a pinned image reference: a tag other than latest, or a digest");
const nonEmpty = z.string({ message: "a non-empty string" }).min(1, "a non-empty string");
// A container memory limit in MiB: below 64 no database starts; above 256 GiB it is a typo (the
// unit is MiB, not bytes). Unset means no limit, the seeds' setting.
const MEMORY_MB = "an integer from 64 to 262144 (MiB)";
const memoryMb = z.number({ message: MEMORY_MB }).int(MEMORY_MB).min(64, MEMORY_MB).max(262144, MEMORY_MB);

export const biostarSchema = z
  .object({
    port: port.default(8000),
    buildContext: nonEmpty.default("apps/biostar"),
    siteName: nonEmpty.default("Biostar"),
    debug: z.boolean({ message: "true or false" }).default(false),
    postgresImage: imageRef.default("postgres:16.4"),
    baseImage: imageRef.default("debian:bookworm-slim"),
    /** Memory limit of the PostgreSQL container; changing it updates the container in place. */
    dbMemoryMb: memoryMb.optional(),
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
    /** Memory limit of the MySQL container; changing it updates the container in place. */
    dbMemoryMb: memoryMb.optional(),
  })
  .strict();
export type WattrexConfig = z.infer<typeof wattrexSchema>;

export const configSchema = z
  .object({
    target: z.enum(TARGETS, { message: `one of ${TARGETS.join(", ")}` }).default("local"),
    apps: z
      .array(z.enum(APP_NAMES, { message: `one of ${APP_NAMES.join(", ")}` }), { message: `a list of ${APP_NAMES.join(", ")}` })
      .refine((apps) => new Set(apps).size === apps.length, `a list of ${APP_NAMES.join(", ")}, each at most once`)
      .default([]),
    keepDataOnDestroy: z.boolean({ message: "true or false" }).default(true),
    imageOverrides: z.record(nonEmpty, imageRef, { message: "a map of image reference → replacement reference" }).default({}),
    biostar: biostarSchema.default({}),
    wattrex: wattrexSchema.default({}),
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
  let schema: z.ZodTypeAny = configSchema;
  for (const p of path) {
    while (schema instanceof z.ZodDefault) schema = schema._def.innerType;
    if (schema instanceof z.ZodObject) schema = schema.shape[p as string];
  }
  while (schema instanceof z.ZodDefault) schema = schema._def.innerType;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape).join(", ") : "none";
}
