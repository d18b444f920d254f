// The typed shape of the program's config and its validation. Pure: index.ts reads the raw
// values once and hands them here; a bad value becomes one line naming the key, the value seen
// and what is allowed, before any resource is registered.
import { z } from "zod";
import { isPinned } from "../components/image-ref";

export const APP_NAMES = ["biostar", "wattrex", "portal", "pecan", "lab"] as const;
export type AppName = (typeof APP_NAMES)[number];
export const TARGETS = ["local", "ssh", "ec2"] as const;

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
    /** Memory limit of the MongoDB container. */
    dbMemoryMb: memoryMb.optional(),
  })
  .strict();
export type PortalConfig = z.infer<typeof portalSchema>;
// DevOps lab (seed 004): ports default to the seed's (proxy 3456, registry 5000, blue 50100,
// green 50101, file-IO reader 8000, writer 7000, webapp 3000); livePort is the proxy's blue/green
// entry point, which the seed did not have.
const colour = z.enum(["blue", "green"], { message: "blue or green" });
const RELEASE = "a release label of letters, digits, _ . - (at most 64)";
const release = z.string({ message: RELEASE }).regex(/^[A-Za-z0-9_.-]{1,64}$/, RELEASE);
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
    blueRelease: release.default("1"),
    greenRelease: release.default("1"),
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
    /** Memory limit of the PostGIS container. */
    dbMemoryMb: memoryMb.optional(),
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

// Hosts (components/host/): an existing server over SSH, or an EC2 instance this program creates.
const hostName = z.string({ message: "a host name or IP address" }).regex(/^[A-Za-z0-9.:-]{1,253}$/, "a host name or IP address");
const sshUser = z.string({ message: "a user name" }).regex(/^[a-z_][a-z0-9_-]{0,31}$/, "a user name");
const hostKey = z.string({ message: "a host key line such as ssh-ed25519 AAAA…" })
  .regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( .*)?$/, "a host key line such as ssh-ed25519 AAAA… (ssh-keyscan prints it)");
const cidr = z.string({ message: "a CIDR such as 203.0.113.7/32" }).refine(isCidr, "a CIDR such as 203.0.113.7/32 or 2001:db8::/48");
const publicKey = z.string({ message: "an OpenSSH public key" }).regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+={0,3}( .*)?$/, "an OpenSSH public key such as ssh-ed25519 AAAA… you@laptop");

export const sshSchema = z
  .object({
    address: hostName.optional(),
    user: sshUser.default("root"),
    port: port.default(22),
    hostKey: hostKey.optional(),
    insecureIgnoreHostKey: z.boolean({ message: "true or false" }).default(false),
    installDocker: z.boolean({ message: "true or false" }).default(false),
  })
  .strict();

export const ec2Schema = z
  .object({
    region: z.string({ message: "an AWS region such as eu-west-1" }).regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as eu-west-1").default("us-east-1"),
    instanceType: z.string({ message: "an instance type such as t3.small" }).regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an instance type such as t3.small").default("t3.small"),
    amiId: z.string({ message: "an AMI id such as ami-0123456789abcdef0" }).regex(/^ami-[0-9a-f]{8,17}$/, "an AMI id such as ami-0123456789abcdef0").optional(),
    amiOwner: z.string({ message: "an AWS account id" }).regex(/^(\d{12}|amazon|self)$/, "an AWS account id (12 digits)").default("136693071363"),
    amiNameFilter: nonEmpty.default("debian-12-amd64-*"),
    sshUser: sshUser.default("admin"),
    vpcId: z.string({ message: "a VPC id" }).regex(/^vpc-[0-9a-f]{8,17}$/, "a VPC id such as vpc-0123abcd").optional(),
    subnetId: z.string({ message: "a subnet id" }).regex(/^subnet-[0-9a-f]{8,17}$/, "a subnet id such as subnet-0123abcd").optional(),
    sshCidrs: z.array(cidr, { message: "a list of CIDRs" }).min(1, "at least one CIDR SSH may come from").optional(),
    sandbox: z.boolean({ message: "true or false" }).default(false),
    rootVolumeGb: z.number({ message: "an integer from 8 to 16384 (GiB)" }).int("an integer from 8 to 16384 (GiB)").min(8, "an integer from 8 to 16384 (GiB)").max(16384, "an integer from 8 to 16384 (GiB)").default(30),
    terminationProtection: z.boolean({ message: "true or false" }).default(false),
    publicKey: publicKey.optional(),
  })
  .strict();

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
    portal: portalSchema.default({}),
    pecan: pecanSchema.default({}),
    lab: labSchema.default({}),
    ssh: sshSchema.default({}),
    ec2: ec2Schema.default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    const need = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (c.target === "ssh") {
      if (c.ssh.address === undefined) need(["ssh", "address"], "the server's host name or IP address (required by target ssh)");
      if (c.ssh.hostKey === undefined && !c.ssh.insecureIgnoreHostKey) need(["ssh", "hostKey"], "the server's host key (ssh-keyscan -t ed25519 <address>), or insecureIgnoreHostKey: true for a throwaway server");
    }
    if (c.target === "ec2") {
      if (c.ec2.publicKey === undefined) need(["ec2", "publicKey"], "an OpenSSH public key for the instance's key pair (required by target ec2)");
      if (c.ec2.sshCidrs === undefined) need(["ec2", "sshCidrs"], "the CIDRs SSH may come from, e.g. [203.0.113.7/32] (required by target ec2)");
      c.ec2.sshCidrs?.forEach((cidr, i) => {
        if ((cidr === "0.0.0.0/0" || cidr === "::/0") && !c.ec2.sandbox) need(["ec2", "sshCidrs", i], "a CIDR narrower than the whole internet (SSH open to the world is refused unless ec2.sandbox is true)");
      });
    }
  });
export type AppConfig = z.infer<typeof configSchema>;

/** IPv4 a.b.c.d/n or IPv6 …/n, with the prefix length in range. */
export function isCidr(s: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  if (v4) return v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32;
  const v6 = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(s);
  return v6 !== null && v6[1].includes(":") && Number(v6[2]) <= 128 && (v6[1].match(/::/g) ?? []).length <= 1;
}

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
      const value = valueAt(defined, issue.path);
      if (value === undefined) return [`${keyName(namespace, issue.path)}: not set (allowed: ${issue.message})`];
      return [`${keyName(namespace, issue.path)}: ${JSON.stringify(value)} is not allowed (allowed: ${issue.message})`];
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
