// The rules of the appstacks policy pack, as plain ResourceValidationPolicy objects so unit tests
// call their validateResource directly with fixture arguments (test/unit/policy.test.ts).
// Only type imports from @pulumi/policy: this file loads without the pack's node_modules.
import type { ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";

export type { ResourceValidationArgs, StackValidationArgs };
/** A rule: one validation function, which tests call directly. */
export type Rule = ResourceValidationPolicy & { validateResource: ResourceValidation };
/** A rule over the whole stack (what no single resource shows, such as how many managers a swarm has). */
export type StackRule = StackValidationPolicy;

export const T = {
  container: "docker:index/container:Container",
  service: "docker:index/service:Service",
  volume: "docker:index/volume:Volume",
  remoteImage: "docker:index/remoteImage:RemoteImage",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  instance: "aws:ec2/instance:Instance",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  ebsVolume: "aws:ebs/volume:Volume",
} as const;

/** Docker's data root, which an EC2 host must mount from its own volume (components/host/ec2-user-data.ts). */
const DOCKER_DATA_ROOT = "/var/lib/docker";

/** The component every data volume must come from (components/volume.ts). */
export const DATA_VOLUME_TYPE = "appstacks:index:DataVolume";

/** Labels by which a stack declares, on the container, an exception it needs. */
export const ALLOW_DOCKER_SOCKET = "appstacks.allow-docker-socket";
export const ALLOW_PUBLISHED_DATABASE = "appstacks.allow-published-database";

/** What a rule may need besides the resource: the stack's settings (from its config). */
export interface StackSettings {
  /** appstacks:keepDataOnDestroy; undefined when the stack does not set it (default true). */
  keepDataOnDestroy?: boolean;
}

type Props = Record<string, any>;

/**
 * A property's value, or undefined while the engine cannot know it yet (a preview before an
 * image ID or an output exists): @pulumi/policy throws UnknownValueError on reading it, and a
 * rule that can only be judged once the value exists says nothing rather than fail the preview.
 */
export function known<V>(get: () => V): V | undefined {
  try {
    return get();
  } catch (e) {
    if (e instanceof Error && /can't be known during preview/.test(e.message)) return undefined;
    throw e;
  }
}
type Check = (props: Props, args: ResourceValidationArgs) => string[];

/** A mandatory rule over resources of some types; each returned message is one violation. */
function rule(name: string, description: string, types: readonly string[], check: Check): Rule {
  return {
    name,
    description,
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
      if (!types.includes(args.type)) return;
      const props = args.type === T.service ? serviceAsContainer(args.props ?? {}) : args.props ?? {};
      for (const message of check(props, args)) report(message, args.urn);
    },
  };
}

// ---- Docker containers and swarm services ----------------------------------------------

/**
 * A swarm service (components/runtime/swarm.ts) in a container's shape, so one rule judges both:
 * its task's image, mounts, health check, variables, memory limit and restart condition, its
 * published ports (a swarm publishes on every address). Getters, so a value unknown during a
 * preview is read, and skipped by known(), only where a rule reads it.
 */
function serviceAsContainer(p: Props): Props {
  const task = (): Props => p.taskSpec ?? {};
  const spec = (): Props => task().containerSpec ?? {};
  const RESTART: Record<string, string> = { any: "always", "on-failure": "on-failure", none: "no" };
  return {
    get image() { return spec().image; },
    get labels() { return p.labels; },
    get mounts() { return spec().mounts; },
    get healthcheck() { return spec().healthcheck; },
    get envs() { return Object.entries((spec().env ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`); },
    get memory() { const bytes = task().resources?.limits?.memoryBytes; return typeof bytes === "number" && bytes > 0 ? bytes / 1048576 : undefined; },
    get restart() { return RESTART[task().restartPolicy?.condition ?? "any"]; },
    get ports() { return ((p.endpointSpec?.ports ?? []) as Props[]).map((x) => ({ internal: x.targetPort, external: x.publishedPort, ip: "0.0.0.0" })); },
  };
}

const labelsOf = (p: Props): Record<string, string> =>
  Object.fromEntries(((p.labels ?? []) as { label: string; value: string }[]).map((l) => [l.label, l.value]));
const declared = (p: Props, label: string) => labelsOf(p)[label] === "true";
/**
 * The label a container that rolls out behind a front proxy carries its health check in: a copy
 * of READY_CHECK_LABEL (components/runtime/front-proxy.ts), as the pack is its own package and
 * imports nothing of the program; test/unit/policy.test.ts deploys a rolling service against it.
 */
const READY_CHECK = "appstacks.ready-check";
function readyCheckTest(label: string | undefined): unknown[] {
  try {
    const test = (JSON.parse(label ?? "") as { test?: unknown }).test;
    return Array.isArray(test) ? test : [];
  } catch {
    return [];
  }
}

/** Jobs (components/service.ts) run to completion: attached to, not kept running. */
const isJob = (p: Props) => p.attach === true && p.mustRun === false;

const DOCKER_SOCKETS = ["/var/run/docker.sock", "/run/docker.sock"];

/** A tag other than latest, or a digest. */
export function isPinnedRef(ref: string): boolean {
  if (ref.includes("@sha256:")) return true;
  const tagAt = ref.indexOf(":", ref.lastIndexOf("/") + 1);
  const tag = tagAt > 0 ? ref.slice(tagAt + 1) : "";
  return tag !== "" && tag !== "latest";
}

/** The default ports of database engines, and the images that are one. */
const DATABASE_PORTS: Record<number, string> = {
  5432: "PostgreSQL", 3306: "MySQL/MariaDB", 27017: "MongoDB", 6379: "Redis", 1433: "SQL Server",
  1521: "Oracle", 9042: "Cassandra", 5984: "CouchDB", 8529: "ArangoDB", 7687: "Neo4j",
};
const DATABASE_IMAGE = /(^|\/)(postgres|postgis|mysql|mariadb|mongo|redis|valkey|mssql|oracle|cassandra|couchdb|arangodb|neo4j)[^/]*$/;

function isLoopback(ip: string | undefined): boolean {
  return ip !== undefined && (ip.startsWith("127.") || ip === "::1" || ip === "localhost");
}

/** Env keys that name a credential: a PASSWORD, SECRET, TOKEN or KEY word. */
const CREDENTIAL_KEY = /(^|_)(PASSWORD|PASSWD|PASS|SECRET|TOKEN|KEY|APIKEY|CREDENTIALS?)(_|$)/i;
/** …unless the variable holds where the credential is, not the credential. */
const POINTER_KEY = /_(FILE|PATH|DIR)$/i;

function credentialEnvKeys(p: Props): string[] {
  const envs = known(() => p.envs);
  if (!Array.isArray(envs)) return [];
  const keys: string[] = [];
  for (let i = 0; i < envs.length; i++) {
    const e = known(() => envs[i]);
    if (typeof e !== "string") continue;
    const eq = e.indexOf("=");
    if (eq <= 0) continue;
    const key = e.slice(0, eq);
    const value = e.slice(eq + 1);
    if (CREDENTIAL_KEY.test(key) && !POINTER_KEY.test(key) && value !== "" && !value.startsWith("/")) keys.push(key);
  }
  return keys;
}

// ---- AWS ---------------------------------------------------------------------------------

const WORLD = ["0.0.0.0/0", "::/0"];
const PROTOCOL_NUMBERS: Record<string, string> = { tcp: "6", udp: "17" };
/** Whether a rule's protocol and port range let `port`/`protocol` in ("-1": every protocol and port). */
function covers(protocol: unknown, fromPort: unknown, toPort: unknown, port: number, want: "tcp" | "udp"): boolean {
  const proto = String(protocol ?? "").toLowerCase();
  if (proto === "-1" || proto === "all") return true;
  if (proto !== want && proto !== PROTOCOL_NUMBERS[want]) return false;
  return Number(fromPort) <= port && port <= Number(toPort);
}
const coversSsh = (protocol: unknown, fromPort: unknown, toPort: unknown) => covers(protocol, fromPort, toPort, 22, "tcp");
const opensToWorld = (cidrs: unknown[]) => cidrs.some((c) => typeof c === "string" && WORLD.includes(c));

/**
 * The ports swarm members talk on (components/host/ec2-swarm.ts keeps the same list): cluster
 * management, node discovery and the overlay networks' VXLAN, which carries containers' traffic
 * unauthenticated, so anyone who reaches it can inject packets into the apps' internal networks.
 */
const SWARM_PORTS: readonly { port: number; protocol: "tcp" | "udp" }[] = [
  { port: 2377, protocol: "tcp" }, { port: 7946, protocol: "tcp" }, { port: 7946, protocol: "udp" }, { port: 4789, protocol: "udp" },
];

/** The ingress rules of any of the three resource shapes as (protocol, from, to, CIDRs); none for an egress rule. */
function ingressRules(p: Props, type: string): { protocol: unknown; fromPort: unknown; toPort: unknown; cidrs: unknown[] }[] {
  if (type === T.securityGroup) {
    return ((p.ingress ?? []) as Props[]).map((r) => ({ protocol: r.protocol, fromPort: r.fromPort, toPort: r.toPort, cidrs: [...(r.cidrBlocks ?? []), ...(r.ipv6CidrBlocks ?? [])] }));
  }
  if (type === T.securityGroupRule) {
    return p.type === "ingress" ? [{ protocol: p.protocol, fromPort: p.fromPort, toPort: p.toPort, cidrs: [...(p.cidrBlocks ?? []), ...(p.ipv6CidrBlocks ?? [])] }] : [];
  }
  return [{ protocol: p.ipProtocol, fromPort: p.fromPort, toPort: p.toPort, cidrs: [p.cidrIpv4, p.cidrIpv6] }];
}

/** The tags by which an instance says it is a swarm node (components/host/ec2-swarm.ts). */
export const SWARM_TAG = "appstacks.swarm";
export const SWARM_ROLE_TAG = "appstacks.swarm-role";

// ---- The rules ---------------------------------------------------------------------------

export function rules(settings: () => StackSettings = () => ({})): Rule[] {
  return [
    rule("no-privileged-containers", "Containers do not run privileged.", [T.container], (p) =>
      p.privileged === true
        ? ["container runs privileged: remove `privileged: true`; grant only the capabilities it needs (`capabilities: { adds: [...] }`) or the device (`devices`)"]
        : []),

    rule("no-host-network", "Containers use their stack's networks, not the host's.", [T.container], (p) =>
      p.networkMode === "host"
        ? ["container uses the host network: remove `networkMode: \"host\"`, attach it to the app's networks and publish only the ports that must be reached from outside"]
        : []),

    rule("no-docker-socket", `No container mounts the Docker socket unless it declares the label ${ALLOW_DOCKER_SOCKET}=true.`, [T.container, T.service], (p) => {
      const mounts = [
        ...((p.volumes ?? []) as Props[]).map((v) => v.hostPath),
        ...((p.mounts ?? []) as Props[]).filter((m) => m.type === "bind").map((m) => m.source),
      ];
      if (!mounts.some((m) => DOCKER_SOCKETS.includes(m)) || declared(p, ALLOW_DOCKER_SOCKET)) return [];
      return [`container mounts the Docker socket (root on the host): remove the mount, or, when the service must start containers (a spawner), declare it with the label ${ALLOW_DOCKER_SOCKET}=true`];
    }),

    rule("pinned-images", "Image references name a tag other than latest, or a digest.", [T.container, T.service, T.remoteImage], (p, args) => {
      // A built image carries its own local tag; a container's image is usually an image ID.
      if (args.type === T.remoteImage && p.build !== undefined) return [];
      const ref = known(() => (args.type === T.remoteImage ? p.name : p.image));
      if (typeof ref !== "string" || ref.startsWith("sha256:") || isPinnedRef(ref)) return [];
      return [`image "${ref}" is not pinned: name a version tag (e.g. postgres:16.4) or a digest (@sha256:...), never latest or no tag`];
    }),

    rule("databases-not-published", `Database ports are not published on the host's interfaces unless the container declares the label ${ALLOW_PUBLISHED_DATABASE}=true.`, [T.container, T.service], (p) => {
      if (declared(p, ALLOW_PUBLISHED_DATABASE)) return [];
      const image = known(() => p.image);
      const dbImage = typeof image === "string" && DATABASE_IMAGE.test(image.split("@")[0].split(":")[0]);
      return ((p.ports ?? []) as Props[])
        .filter((port) => (dbImage || DATABASE_PORTS[port.internal] !== undefined) && !isLoopback(port.ip))
        .map((port) => `${DATABASE_PORTS[port.internal] ?? "database"} port ${port.internal} is published on ${port.ip ?? "0.0.0.0"}:${port.external}: remove the port (services reach the database on the app's internal network), publish it on 127.0.0.1 only, or, when clients outside the host need it, declare ${ALLOW_PUBLISHED_DATABASE}=true on the container`);
    }),

    rule("health-checks", `Every long-running container has a health check (jobs are exempt); one that rolls out behind a front proxy carries it as the label ${READY_CHECK} its provider runs.`, [T.container, T.service], (p) => {
      const tests = p.healthcheck?.tests;
      if (isJob(p) || (Array.isArray(tests) && tests.length > 0 && tests[0] !== "NONE")) return [];
      if (readyCheckTest(labelsOf(p)[READY_CHECK]).length > 0) return [];
      return ["container has no health check: give the service a `healthcheck` (e.g. an HTTP probe, pg_isready, mysqladmin ping) so dependents start only when it is ready"];
    }),

    rule("restart-policies", "Every long-running container or swarm service restarts on failure (jobs are exempt).", [T.container, T.service], (p) =>
      isJob(p) || ["always", "unless-stopped", "on-failure"].includes(p.restart)
        ? []
        : [`container restart policy is "${p.restart ?? "no"}": set \`restart: "unless-stopped"\` (the Service default) or "on-failure", so a crash or a host reboot does not leave it down`]),

    rule("memory-limits", "Every container and swarm service has a memory limit.", [T.container, T.service], (p) =>
      typeof p.memory === "number" && p.memory > 0
        ? []
        : ["container has no memory limit: set the service's `memoryMb` (e.g. 512), so one leaking service cannot take the host down"]),

    rule("data-volumes-retained", `Docker volumes are data volumes (${DATA_VOLUME_TYPE}, retained on destroy) and the stack keeps data on destroy.`, [T.volume], (_p, args) => {
      const problems: string[] = [];
      const chain = args.urn.split("::")[2]?.split("$") ?? [];
      if (chain[chain.length - 2] !== DATA_VOLUME_TYPE) {
        problems.push(`volume is not created by ${DATA_VOLUME_TYPE}: create it through the app's \`volumes\` (DataVolume), which keeps it and its data when the stack is destroyed`);
      }
      if (settings().keepDataOnDestroy === false) {
        problems.push("the stack sets appstacks:keepDataOnDestroy to false, so `pulumi destroy` deletes its data: remove that setting (`pulumi config rm appstacks:keepDataOnDestroy`), or run throwaway stacks without this pack");
      }
      return problems;
    }),

    rule("secrets-as-files", "Credentials reach containers as files, not as literal environment values.", [T.container, T.service], (p) =>
      credentialEnvKeys(p).map((key) =>
        `environment variable ${key} holds a credential literally (visible in \`docker inspect\` and the state): deliver it as a secret file under /run/secrets and set ${key}_FILE to its path (the service's \`secrets\` with \`pathEnv\`), or, for an image that reads only ${key}, let the secret-env wrapper set it from the file (\`secrets\` with \`env\`)`)),

    rule("ssh-not-open-to-world", "No security group opens SSH (22) to 0.0.0.0/0 or ::/0.", [T.securityGroup, T.securityGroupRule, T.ingressRule], (p, args) => {
      const fix = "restrict SSH to your address or VPN range (e.g. 203.0.113.4/32), or drop port 22 and use SSM Session Manager";
      if (args.type === T.securityGroup) {
        return ((p.ingress ?? []) as Props[])
          .filter((r) => coversSsh(r.protocol, r.fromPort, r.toPort) && opensToWorld([...(r.cidrBlocks ?? []), ...(r.ipv6CidrBlocks ?? [])]))
          .map(() => `ingress opens SSH (22) to the world: ${fix}`);
      }
      if (args.type === T.securityGroupRule) {
        return p.type === "ingress" && coversSsh(p.protocol, p.fromPort, p.toPort) && opensToWorld([...(p.cidrBlocks ?? []), ...(p.ipv6CidrBlocks ?? [])])
          ? [`ingress rule opens SSH (22) to the world: ${fix}`] : [];
      }
      return coversSsh(p.ipProtocol, p.fromPort, p.toPort) && opensToWorld([p.cidrIpv4, p.cidrIpv6])
        ? [`ingress rule opens SSH (22) to the world: ${fix}`] : [];
    }),

    rule("swarm-ports-members-only", "No security group opens a swarm's ports (2377/tcp, 7946/tcp and udp, 4789/udp) to 0.0.0.0/0 or ::/0.", [T.securityGroup, T.securityGroupRule, T.ingressRule], (p, args) =>
      ingressRules(p, args.type).filter((r) => opensToWorld(r.cidrs)).flatMap((r) => {
        const open = SWARM_PORTS.filter((s) => covers(r.protocol, r.fromPort, r.toPort, s.port, s.protocol));
        return open.length === 0 ? [] : [`ingress opens the swarm's ${open.map((s) => `${s.port}/${s.protocol}`).join(", ")} to the world (anyone could reach its management port, or inject packets into its overlay networks): admit them from the members' own security group only (\`self: true\`, or \`sourceSecurityGroupId\`)`];
      })),

    rule("imdsv2-required", "EC2 instances require IMDSv2 (session tokens) for instance metadata.", [T.instance, T.launchTemplate], (p) =>
      p.metadataOptions?.httpTokens === "required"
        ? []
        : ["instance metadata accepts IMDSv1 (no token), which SSRF can read credentials from: set `metadataOptions: { httpTokens: \"required\" }`"]),

    rule("encrypted-volumes", "EC2 root and EBS volumes are encrypted.", [T.instance, T.launchTemplate, T.ebsVolume], (p, args) => {
      const fix = "set `encrypted: true` (the account's default EBS key is used unless you give `kmsKeyId`)";
      if (args.type === T.ebsVolume) return p.encrypted === true ? [] : [`EBS volume is not encrypted: ${fix}`];
      if (args.type === T.launchTemplate) {
        return ((p.blockDeviceMappings ?? []) as Props[])
          .filter((m) => m.ebs !== undefined && String(m.ebs.encrypted) !== "true")
          .map((m) => `launch template volume ${m.deviceName ?? ""} is not encrypted: set \`ebs: { encrypted: "true" }\``);
      }
      const problems = p.rootBlockDevice?.encrypted === true ? [] : [`root volume is not encrypted: in \`rootBlockDevice\`, ${fix}`];
      for (const d of (p.ebsBlockDevices ?? []) as Props[]) {
        if (d.encrypted !== true) problems.push(`EBS volume ${d.deviceName ?? ""} is not encrypted: in \`ebsBlockDevices\`, ${fix}`);
      }
      return problems;
    }),

    rule("docker-data-outlives-instance", "An EC2 Docker host keeps Docker's data on its own EBS volume, mounted before Docker starts, not on the root volume deleted with the instance.", [T.instance], (p) => {
      const userData = known(() => p.userData);
      // Unknown in a preview until the data volume exists; judged on the update.
      if (typeof userData !== "string" || !/docker/.test(userData)) return [];
      return userData.includes(`RequiresMountsFor=${DOCKER_DATA_ROOT}`)
        ? []
        : [`Docker's data would be on the instance's root volume, which is deleted with the instance (on replacement or termination): put ${DOCKER_DATA_ROOT} on its own EBS volume, attached and mounted before Docker starts (Ec2DockerHost does: components/host/ec2.ts)`];
    }),
  ];
}

/**
 * Rules over the whole stack. A swarm's number of managers must be odd. Mandatory, not a warning:
 * the managers keep the swarm's state by majority vote, so an even number tolerates no more lost
 * managers than one fewer while adding one more machine that can fail (2 managers stop the swarm
 * when either goes, which 1 does not); nobody wants that knowingly, and the program's config
 * refuses it too (appstacks:ec2Swarm.managers), so the pack and the program say the same thing.
 */
export function stackRules(): StackRule[] {
  return [{
    name: "swarm-managers-odd",
    description: `A swarm's managers (EC2 instances tagged ${SWARM_ROLE_TAG}=manager, grouped by ${SWARM_TAG}) are an odd number.`,
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const managers = new Map<string, string[]>();
      for (const r of args.resources) {
        if (r.type !== T.instance) continue;
        const tags = known(() => r.props.tags) as Record<string, string> | undefined;
        if (tags?.[SWARM_ROLE_TAG] !== "manager") continue;
        const swarm = tags[SWARM_TAG] ?? "";
        managers.set(swarm, [...(managers.get(swarm) ?? []), r.urn]);
      }
      for (const [swarm, urns] of managers) {
        if (urns.length % 2 === 1) continue;
        report(`swarm ${swarm || "(untagged)"} has ${urns.length} managers, an even number: it survives no more lost managers than ${urns.length - 1} would (the managers need a majority up); add or remove one (appstacks:ec2Swarm.managers: 1, 3, 5 or 7)`);
      }
    },
  }];
}
