// The typed shape of the program's config and its validation: the one source of every setting,
// its default and its description. Pure: index.ts reads the raw values once and hands them here;
// a bad value becomes one line naming the key, the value seen and what is allowed, before any
// resource is registered. The apps' own settings come from their registry entries
// (stacks/registry.ts); this file holds what they share and the host settings.
import { z } from "zod";
import { isPinned } from "../components/image-ref";
import { isKeyLine, sshCidrRule, worldOpenCidrs } from "../components/host/ssh-options";
import { MANAGER_COUNT_RULE, isManagerCount } from "../components/host/swarm-join";
import { AppDefinition, objectShape, publishedPorts, unwrap } from "./app-definition";
import type { ReleaseRecord } from "../components/runtime/release";

export const TARGETS = ["local", "ssh", "ec2", "swarm", "ec2-swarm"] as const;
/** The targets whose host is a swarm: services become swarm services, replicas apply. */
const SWARM_TARGETS: readonly (typeof TARGETS)[number][] = ["swarm", "ec2-swarm"];

// Field types the apps' settings are made of, each with the words its errors say is allowed.
export const port = intRange(1, 65535);
export const imageRef = z
  .string({ message: "an image reference such as postgres:16.4" })
  .regex(/^[a-z0-9]+(?:[._\/:@-][a-zA-Z0-9_.-]+)*$/, "an image reference such as postgres:16.4 or registry:5000/team/app@sha256:…")
  .refine(isPinned, "a pinned image reference: a tag other than latest, or a digest");
export const nonEmpty = z.string({ message: "a non-empty string" }).min(1, "a non-empty string");
export const bool = z.boolean({ message: "true or false" });
// A container memory limit in MiB: below 64 no database starts; above 256 GiB it is a typo (the
// unit is MiB, not bytes).
export const memoryMb = intRange(64, 262144, "an integer from 64 to 262144 (MiB)");
/** The image an app's own Dockerfiles build FROM: the same base for every app. */
export const baseImage = imageRef.default("debian:bookworm-slim").describe("the image the app's own Dockerfiles build FROM (build arg BASE_IMAGE)");
/** The database container's memory limit; the default is the app's. */
export function dbMemoryMb(defaultMb: number) {
  return memoryMb.default(defaultMb).describe("memory limit of the database container in MiB; a change updates it in place");
}
export const positiveInt = z.number({ message: "a positive integer" }).int("a positive integer").positive("a positive integer");
/** An integer in [min, max], with one message (what is allowed) for every way to miss it. */
export function intRange(min: number, max: number, allowed = `an integer from ${min} to ${max}`): z.ZodNumber {
  return z.number({ message: allowed }).int(allowed).min(min, allowed).max(max, allowed);
}
/** A string matching `re`, described as `what` when it does not. */
export function matching(re: RegExp, what: string): z.ZodString {
  return z.string({ message: what }).regex(re, what);
}

// Hosts (components/host/): an existing server over SSH, or an EC2 instance this program creates.
const hostName = matching(/^[A-Za-z0-9.:-]{1,253}$/, "a host name or IP address");
const sshUser = matching(/^[a-z_][a-z0-9_-]{0,31}$/, "a user name");
const hostKey = z.string({ message: "a host key line such as ssh-ed25519 AAAA…" }).refine(isKeyLine, "a host key line such as ssh-ed25519 AAAA… (ssh-keyscan prints it)");
const cidr = z.string({ message: "a CIDR such as 203.0.113.7/32" }).refine(isCidr, "a CIDR such as 203.0.113.7/32 or 2001:db8::/48");
const publicKey = z.string({ message: "an OpenSSH public key" }).refine(isKeyLine, "an OpenSSH public key such as ssh-ed25519 AAAA… you@laptop");

export const sshSchema = z
  .object({
    address: hostName.optional().describe("the server's host name or IP address (required by target ssh)"),
    user: sshUser.default("root").describe("the user ssh logs in as"),
    port: port.default(22).describe("the server's SSH port"),
    hostKey: hostKey.optional().describe("the server's public host key line, as ssh-keyscan prints it (required unless insecureIgnoreHostKey)"),
    insecureIgnoreHostKey: bool.default(false).describe("skip the host key check: a throwaway server only"),
    installDocker: bool.default(false).describe("install Debian's docker.io on the server first"),
  })
  .strict();
export type SshSettings = z.output<typeof sshSchema>;

export const ec2Schema = z
  .object({
    region: matching(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as eu-west-1").default("us-east-1").describe("the AWS region"),
    instanceType: matching(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, "an instance type such as t3.small").default("t3.small").describe("the instance type"),
    amiId: matching(/^ami-[0-9a-f]{8,17}$/, "an AMI id such as ami-0123456789abcdef0").optional()
      .describe("the pinned AMI (required by targets ec2 and ec2-swarm); a preview names a newer one of amiOwner matching amiNameFilter"),
    amiOwner: matching(/^(\d{12}|amazon|self)$/, "an AWS account id (12 digits)").default("136693071363").describe("the AMI's owner (Debian's account)"),
    amiNameFilter: nonEmpty.default("debian-12-amd64-*").describe("the AMI name pattern"),
    sshUser: sshUser.default("admin").describe("the user the AMI lets in"),
    vpcId: matching(/^vpc-[0-9a-f]{8,17}$/, "a VPC id such as vpc-0123abcd").optional().describe("unset: the default VPC"),
    subnetId: matching(/^subnet-[0-9a-f]{8,17}$/, "a subnet id such as subnet-0123abcd").optional().describe("unset: a subnet of the VPC"),
    sshCidrs: z.array(cidr, { message: "a list of CIDRs" }).min(1, "at least one CIDR SSH may come from").optional()
      .describe("the CIDRs SSH may come from (required by targets ec2 and ec2-swarm; the whole internet only with sandbox)"),
    sandbox: bool.default(false).describe("a throwaway stack: allows SSH from the whole internet"),
    rootVolumeGb: intRange(8, 16384, "an integer from 8 to 16384 (GiB)").default(30).describe("root volume size in GiB"),
    dataVolumeGb: intRange(1, 16384, "an integer from 1 to 16384 (GiB)").default(20)
      .describe("size in GiB of the encrypted EBS volume that holds Docker's data (kept when the instance goes)"),
    dataVolumeId: matching(/^vol-[0-9a-f]{8,17}$/, "an EBS volume id such as vol-0123456789abcdef0").optional()
      .describe("an existing EBS volume for Docker's data, e.g. the one a destroy kept; unset: a new one (on target ec2-swarm: the first manager's, the node that keeps the data)"),
    terminationProtection: bool.default(false).describe("refuse to terminate the instance"),
    publicKey: publicKey.optional().describe("the OpenSSH public key of the instance's key pair (required by targets ec2 and ec2-swarm)"),
  })
  .strict();
export type Ec2Settings = z.output<typeof ec2Schema>;

export const swarmSchema = z
  .object({
    dockerHost: matching(/^(unix|tcp|ssh):\/\/\S+$/, "an engine address such as unix:///var/run/docker.sock, tcp://10.0.0.5:2375 or ssh://admin@10.0.0.5").optional()
      .describe("a swarm manager's engine (unset: DOCKER_HOST, else the local socket)"),
    address: hostName.default("localhost").describe("the address published ports are reached at: a node's, or a load balancer's in front of the nodes"),
    endpointMode: z.enum(["vip", "dnsrr"], { message: "vip or dnsrr" }).default("vip")
      .describe("how services are found by name: vip (a virtual IP, needs the kernel's IPVS) or dnsrr (DNS round robin over the tasks)"),
    publishMode: z.enum(["ingress", "host"], { message: "ingress or host" }).default("ingress")
      .describe("how ports are published: ingress (the routing mesh: every node answers; needs IPVS and vip) or host (the nodes running a task)"),
    registry: matching(/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/, "a registry address such as 10.0.0.5:5000").optional()
      .describe("the registry (plain HTTP) every node pulls the images the apps build from (required when an app builds one)"),
    dataNodeLabel: matching(/^[a-z0-9][a-z0-9._-]*$/, "a node label name such as appstacks.data").default("appstacks.data")
      .describe("services with a data volume run on the node labelled <dataNodeLabel>=true (label the manager the program talks to)"),
    replicas: z.record(matching(/^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/, "app.service, e.g. biostar.web"), intRange(1, 100), { message: "a map of app.service → number of tasks" }).default({})
      .describe("tasks per service, as app.service → count, e.g. {biostar.web: 3} (1 unless given; services with a data volume and jobs run one)"),
  })
  .strict();
export type SwarmSettings = z.output<typeof swarmSchema>;

// Target ec2-swarm: how many nodes of each role. Each node is an instance as `ec2` describes one,
// and the swarm's modes are `swarm`'s: only the size of the cluster is its own.
export const ec2SwarmSchema = z
  .object({
    managers: z.number({ message: MANAGER_COUNT_RULE }).refine(isManagerCount, MANAGER_COUNT_RULE).default(1)
      .describe("swarm managers (the first initialises the swarm, keeps the data and is the one the program talks to): 1, 3, 5 or 7"),
    workers: intRange(0, 100).default(2).describe("swarm workers"),
  })
  .strict();
export type Ec2SwarmSettings = z.output<typeof ec2SwarmSchema>;

/**
 * The host settings, typed by target: what a target requires is known to the type checker (an
 * ssh target has an address; an ec2 target a public key and SSH CIDRs).
 */
export type HostConfig = { readonly ec2Swarm: Ec2SwarmSettings } & (
  | { readonly target: "local"; readonly ssh: SshSettings; readonly ec2: Ec2Settings; readonly swarm: SwarmSettings }
  | { readonly target: "ssh"; readonly ssh: SshSettings & { readonly address: string }; readonly ec2: Ec2Settings; readonly swarm: SwarmSettings }
  | { readonly target: "ec2" | "ec2-swarm"; readonly ssh: SshSettings; readonly ec2: Ec2Instances; readonly swarm: SwarmSettings }
  | { readonly target: "swarm"; readonly ssh: SshSettings; readonly ec2: Ec2Settings; readonly swarm: SwarmSettings });
/** The ec2 settings once a target that creates instances has checked what it requires. */
export type Ec2Instances = Ec2Settings & { readonly publicKey: string; readonly sshCidrs: string[]; readonly amiId: string };

type AnyApp = AppDefinition<string, z.ZodTypeAny>;
/** The program's config for a registry of apps: the shared keys, each app's settings, the host. */
export type ProgramConfig<A extends readonly AnyApp[]> = {
  readonly apps: A[number]["name"][];
  readonly keepDataOnDestroy: boolean;
  readonly imageOverrides: Readonly<Record<string, string>>;
  readonly proxyImage: string;
  readonly noRollout: readonly string[];
  readonly rollback: Readonly<Record<string, Readonly<Record<string, ReleaseRecord>>>>;
} & { readonly [D in A[number] as D["name"]]: z.output<D["settings"]> } & HostConfig;

// Built once per registry: the program reads its keys from it and then parses with it.
const schemas = new WeakMap<readonly AnyApp[], z.ZodTypeAny>();

/** The schema of every key of the program's namespace, for a registry of apps. */
export function programSchema<A extends readonly AnyApp[]>(apps: A): z.ZodType<ProgramConfig<A>, z.ZodTypeDef, unknown> {
  // The shape is built from the registry, so zod cannot name the keys; ProgramConfig does.
  const built = schemas.get(apps) ?? buildProgramSchema(apps);
  schemas.set(apps, built);
  return built as unknown as z.ZodType<ProgramConfig<A>, z.ZodTypeDef, unknown>;
}

/** A release of a service as its record keeps it (components/release.ts), written by npm run rollback. */
const releaseRecord = z.object({
  image: nonEmpty,
  env: z.array(z.string()),
  command: z.array(z.string()).optional(),
  entrypoint: z.array(z.string()).optional(),
  files: z.array(z.object({ path: nonEmpty, content: z.string(), executable: bool }).strict()),
}, { message: "a release as npm run rollback writes it: {image, env, files, command?, entrypoint?}" }).strict();

function buildProgramSchema(apps: readonly AnyApp[]): z.ZodTypeAny {
  const names = apps.map((a) => a.name);
  const list = names.join(", ");
  const shape: z.ZodRawShape = {
    target: z.enum(TARGETS, { message: `one of ${TARGETS.join(", ")}` }).default("local")
      .describe("which Docker host the stacks deploy to: local (this machine's engine), ssh (a server you have, see ssh), ec2 (an instance this program creates, see ec2), swarm (a Docker Swarm you have, see swarm), ec2-swarm (a Docker Swarm this program creates on EC2 instances, see ec2Swarm, ec2 and swarm)"),
    apps: z
      .array(z.string({ message: `one of ${list}` }).refine((n) => names.includes(n), `one of ${list}`), { message: `a list of ${list}` })
      .refine((a) => new Set(a).size === a.length, `a list of ${list}, each at most once`)
      .default([])
      .describe(`which application stacks this Pulumi stack deploys: ${list}`),
    keepDataOnDestroy: bool.default(true).describe("keep data volumes on the host when the stack is destroyed (false drops the data)"),
    imageOverrides: z.record(nonEmpty, imageRef, { message: "a map of image reference → replacement reference" }).default({})
      .describe("image reference or repository → a replacement (a mirror, or the offline stand-ins), e.g. {postgres: appstacks/postgres:local}"),
    proxyImage: imageRef.default("traefik:v3.6")
      .describe("the front proxy (Traefik) each app's HTTP services sit behind, so a change rolls them out with no failed request"),
    noRollout: z.array(matching(/^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$/, "app.service, e.g. biostar.web"), { message: "a list of app.service" }).default([])
      .describe("services replaced the plain way (stop, then start: a gap) instead of rolled out behind the front proxy, as app.service, e.g. [biostar.web]"),
    rollback: z.record(nonEmpty, z.record(nonEmpty, releaseRecord, { message: "a map of service → release" }), { message: "a map of app → service → release" }).default({})
      .describe("previous releases that services run instead of their current image and settings, as app → service → release: set and cleared by npm run rollback -- APP SERVICE (docs/rollouts.md), not by hand"),
    ...Object.fromEntries(apps.map((a) => [a.name, a.settings.default({})])),
    ssh: sshSchema.default({}).describe("settings of target ssh (a server you have)"),
    ec2: ec2Schema.default({}).describe("settings of target ec2 (an instance this program creates), and of every node of target ec2-swarm"),
    swarm: swarmSchema.default({}).describe("settings of target swarm (a Docker Swarm you have: this program talks to one manager); on target ec2-swarm all but dockerHost and address apply"),
    ec2Swarm: ec2SwarmSchema.default({}).describe("the size of target ec2-swarm's cluster (every node an instance as ec2 describes, the swarm's modes as swarm's)"),
  };
  // Checked once the keys parse: what each target requires, typed by the union above.
  return z.object(shape).strict().transform((c, ctx) => {
    const need = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
    const host = hostConfig(c as Parameters<typeof hostConfig>[0], need);
    const deployed = c.apps as string[];
    for (const key of Object.keys((c.swarm as SwarmSettings).replicas)) {
      const app = key.split(".")[0];
      if (!deployed.includes(app)) need(["swarm", "replicas", key], `a service of a deployed app (${deployed.join(", ") || "none deployed"}; ${app} is not in apps)`);
    }
    return host === undefined ? z.NEVER : { ...c, ...host };
  });
}

type Need = (path: (string | number)[], message: string) => void;

function hostConfig(c: { target: (typeof TARGETS)[number]; ssh: SshSettings; ec2: Ec2Settings; swarm: SwarmSettings; ec2Swarm: Ec2SwarmSettings }, need: Need): HostConfig | undefined {
  const { ssh, ec2, swarm, ec2Swarm } = c;
  if (!SWARM_TARGETS.includes(c.target) && Object.keys(swarm.replicas).length > 0) {
    need(["swarm", "replicas"], `replicas only on a swarm target, ${SWARM_TARGETS.join(" or ")} ({} on target ${c.target})`);
    return undefined;
  }
  if (SWARM_TARGETS.includes(c.target) && swarm.publishMode === "ingress" && swarm.endpointMode === "dnsrr") {
    need(["swarm", "publishMode"], "host with endpointMode dnsrr (the routing mesh balances to a virtual IP: ingress needs vip)");
    return undefined;
  }
  switch (c.target) {
    case "local":
      return { target: "local", ssh, ec2, swarm, ec2Swarm };
    case "swarm":
      return { target: "swarm", ssh, ec2, swarm, ec2Swarm };
    case "ssh": {
      if (ssh.address === undefined) need(["ssh", "address"], "the server's host name or IP address (required by target ssh)");
      if (ssh.hostKey === undefined && !ssh.insecureIgnoreHostKey) need(["ssh", "hostKey"], "the server's host key (ssh-keyscan -t ed25519 <address>), or insecureIgnoreHostKey: true for a throwaway server");
      if (ssh.address === undefined || (ssh.hostKey === undefined && !ssh.insecureIgnoreHostKey)) return undefined;
      return { target: "ssh", ssh: { ...ssh, address: ssh.address }, ec2, swarm, ec2Swarm };
    }
    case "ec2": {
      const instances = ec2Instances(ec2, c.target, need);
      return instances && { target: c.target, ssh, ec2: instances, swarm, ec2Swarm };
    }
    case "ec2-swarm": {
      // The program creates the swarm and talks to its first manager: an engine address is not the user's to give.
      if (swarm.dockerHost !== undefined) need(["swarm", "dockerHost"], "unset on target ec2-swarm (the program talks to the cluster's first manager)");
      const instances = ec2Instances(ec2, c.target, need);
      return instances && swarm.dockerHost === undefined ? { target: c.target, ssh, ec2: instances, swarm, ec2Swarm } : undefined;
    }
  }
}

/** What a target that creates instances requires of the ec2 settings, one line per missing or refused key. */
function ec2Instances(ec2: Ec2Settings, target: "ec2" | "ec2-swarm", need: Need): Ec2Instances | undefined {
  const { publicKey, sshCidrs, amiId } = ec2;
  if (publicKey === undefined) need(["ec2", "publicKey"], `an OpenSSH public key for the instance's key pair (required by target ${target})`);
  if (amiId === undefined) need(["ec2", "amiId"], `a pinned AMI id (required by target ${target}), e.g. the newest: aws ec2 describe-images --owners ${ec2.amiOwner} --filters 'Name=name,Values=${ec2.amiNameFilter}' --query 'sort_by(Images,&CreationDate)[-1].ImageId'`);
  if (sshCidrs === undefined) need(["ec2", "sshCidrs"], `the CIDRs SSH may come from, e.g. [203.0.113.7/32] (required by target ${target})`);
  const open = worldOpenCidrs(sshCidrs ?? [], ec2.sandbox);
  for (const i of open) need(["ec2", "sshCidrs", i], sshCidrRule("ec2.sandbox"));
  if (publicKey === undefined || sshCidrs === undefined || amiId === undefined || open.length > 0) return undefined;
  return { ...ec2, publicKey, sshCidrs, amiId };
}

/** IPv4 a.b.c.d/n or IPv6 …/n, with the prefix length in range. */
export function isCidr(s: string): boolean {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  if (v4) return v4.slice(1, 5).every((o) => Number(o) <= 255) && Number(v4[5]) <= 32;
  const v6 = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(s);
  return v6 !== null && v6[1].includes(":") && Number(v6[2]) <= 128 && (v6[1].match(/::/g) ?? []).length <= 1;
}

/** Secret keys the program itself reads (pulumi config set --secret); the apps add their own. */
export const PROGRAM_SECRETS = [
  { key: "secretSeed", what: "the seed every generated credential is derived from, so data kept by destroy opens again (npm run up sets one)" },
  { key: "sshPrivateKey", what: "the private key for target ssh and ec2 (else your ssh agent)" },
] as const;

/** Raw values as read from Pulumi config (undefined when unset), by key without the namespace. */
export type RawConfig = Readonly<Record<string, unknown>>;

/**
 * The apps `apps` chooses, in registry order, each with its parsed settings. Widened to one entry
 * type: each entry's settings were validated by its own schema.
 */
export function deployedApps<A extends readonly AnyApp[]>(cfg: ProgramConfig<A>, apps: A): { app: AnyApp; settings: unknown }[] {
  const settings = cfg as unknown as Record<string, unknown>;
  return apps.filter((a) => (cfg.apps as string[]).includes(a.name)).map((app) => ({ app, settings: settings[app.name] }));
}

/** The host ports the deployed apps publish, each named by its key (biostar.port), in registry order. */
export function deployedPorts<A extends readonly AnyApp[]>(cfg: ProgramConfig<A>, apps: A, namespace: string): [string, number][] {
  return deployedApps(cfg, apps).flatMap(({ app, settings }) => publishedPorts(app, settings, { project: namespace, stack: "config" }));
}

/** Validates raw config; throws an Error whose lines each name a key, a value and what is allowed. */
export function parseConfig<A extends readonly AnyApp[]>(namespace: string, raw: RawConfig, apps: A): ProgramConfig<A> {
  const defined = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const schema = programSchema(apps);
  const result = schema.safeParse(defined);
  if (!result.success) {
    const lines = result.error.issues.flatMap((issue) => {
      if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => `${keyName(namespace, [...issue.path, k])}: unknown key (allowed: ${allowedKeys(schema, issue.path)})`);
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
  for (const [key, p] of deployedPorts(cfg, apps, namespace)) {
    const other = seen.get(p);
    if (other !== undefined) clashes.push(`${namespace}:${key}: ${p} is already published by ${namespace}:${other} (allowed: a host port no other app uses)`);
    seen.set(p, key);
  }
  if (clashes.length > 0) throw new Error(clashes.join("\n"));
  const notDeployed = cfg.noRollout.map((s, i) => [s, i] as const).filter(([s]) => !(cfg.apps as string[]).includes(s.split(".")[0]))
    .map(([s, i]) => `${namespace}:noRollout[${i}]: "${s}" names an app this stack does not deploy (allowed: a service of ${cfg.apps.length ? cfg.apps.join(", ") : "an app listed in apps"})`);
  const notDeployedRollback = Object.keys(cfg.rollback).filter((a) => !(cfg.apps as string[]).includes(a))
    .map((a) => `${namespace}:rollback.${a}: names an app this stack does not deploy (allowed: ${cfg.apps.length ? cfg.apps.join(", ") : "an app listed in apps"}; npm run rollback -- --clear clears a rollback)`);
  if (notDeployed.length + notDeployedRollback.length > 0) throw new Error([...notDeployed, ...notDeployedRollback].join("\n"));
  return cfg;
}

/** appstacks:biostar.port, appstacks:apps[1]: the way a user writes the key. */
function keyName(namespace: string, path: (string | number)[]): string {
  return `${namespace}:${path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("")}`;
}

function valueAt(root: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((v, p) => (v !== null && typeof v === "object" ? (v as Record<string | number, unknown>)[p] : undefined), root);
}

function allowedKeys(schema: z.ZodTypeAny, path: (string | number)[]): string {
  let s: z.ZodTypeAny = unwrap(schema);
  for (const p of path) if (s instanceof z.ZodObject) s = unwrap(s.shape[p as string]);
  const keys = Object.keys(objectShape(s));
  return keys.length > 0 ? keys.join(", ") : "none";
}
