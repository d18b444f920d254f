// Every rule of the policy pack (policy/rules.ts) called directly with fixture resource arguments:
// one violating and one passing fixture per rule, plus the declared exceptions.
import { ec2UserData } from "../../components/host/ec2-user-data";
import { rules, stackRules, T, DATA_VOLUME_TYPE, StackSettings, ResourceValidationArgs, StackValidationArgs } from "../../policy/rules";

const STACK = "urn:pulumi:dev::appstacks::";
const SVC = "appstacks:stacks:Biostar$appstacks:index:AppStack$appstacks:index:Service$";

/** The arguments @pulumi/policy passes a resource validation, for a fixture. */
function args(type: string, props: Record<string, unknown>, urn = `${STACK}${SVC}${type}::r`): ResourceValidationArgs {
  return { type, props, urn, name: "r", opts: {} as never, stackTags: new Map(), isType: () => false, asType: () => undefined } as unknown as ResourceValidationArgs;
}

/** The messages of one rule for one fixture. */
function violations(name: string, a: ResourceValidationArgs, settings: StackSettings = {}): string[] {
  const policy = rules(() => settings).find((p) => p.name === name);
  if (!policy) throw new Error(`no rule ${name}`);
  const out: string[] = [];
  policy.validateResource(a, (message: string) => { out.push(message); });
  return out;
}

/** A container as components/service.ts registers a compliant long-running service. */
const goodService = {
  image: "sha256:0123abcd",
  envs: ["DATABASE_HOST=db", "POSTGRES_PASSWORD_FILE=/run/secrets/db-password"],
  ports: [{ internal: 8000, external: 8000, ip: "0.0.0.0" }],
  healthcheck: { tests: ["CMD", "true"] },
  restart: "unless-stopped",
  memory: 512,
  mustRun: true,
  labels: [{ label: "appstacks.app", value: "biostar" }],
};
const goodJob = { image: "sha256:0123abcd", restart: "no", memory: 256, attach: true, mustRun: false };
const container = (over: Record<string, unknown>) => args(T.container, { ...goodService, ...over });

// Each rule: [name, violating fixture, passing fixture, a phrase of the fix].
const cases: [string, ResourceValidationArgs, ResourceValidationArgs, string][] = [
  ["no-privileged-containers", container({ privileged: true }), container({ privileged: false }), "remove `privileged: true`"],
  ["no-host-network", container({ networkMode: "host" }), container({ networkMode: "bridge" }), "attach it to the app's networks"],
  ["no-docker-socket", container({ volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }] }),
    container({ volumes: [{ volumeName: "data", containerPath: "/data" }] }), "appstacks.allow-docker-socket=true"],
  ["pinned-images", args(T.remoteImage, { name: "postgres:latest" }), args(T.remoteImage, { name: "postgres:16.4" }), "name a version tag"],
  ["databases-not-published", container({ ports: [{ internal: 5432, external: 5432, ip: "0.0.0.0" }] }),
    container({ ports: [{ internal: 5432, external: 5432, ip: "127.0.0.1" }] }), "publish it on 127.0.0.1 only"],
  ["health-checks", container({ healthcheck: undefined }), container({}), "give the service a `healthcheck`"],
  ["restart-policies", container({ restart: "no" }), container({ restart: "on-failure" }), "`restart: \"unless-stopped\"`"],
  ["memory-limits", container({ memory: undefined }), container({ memory: 256 }), "set the service's `memoryMb`"],
  ["data-volumes-retained", args(T.volume, { name: "v" }, `${STACK}${T.volume}::v`),
    args(T.volume, { name: "v" }, `${STACK}appstacks:index:AppStack$${DATA_VOLUME_TYPE}$${T.volume}::v`), "through the app's `volumes` (DataVolume)"],
  ["secrets-as-files", container({ envs: ["DJANGO_SECRET_KEY=s3cr3t-value"] }), container({ envs: ["DJANGO_SECRET_KEY_FILE=/run/secrets/key"] }), "set DJANGO_SECRET_KEY_FILE to its path"],
  ["ssh-not-open-to-world", args(T.securityGroup, { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] }),
    args(T.securityGroup, { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["203.0.113.4/32"] }, { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }),
    "restrict SSH to your address"],
  ["swarm-ports-members-only", args(T.securityGroup, { ingress: [{ protocol: "udp", fromPort: 4789, toPort: 4789, cidrBlocks: ["0.0.0.0/0"] }] }),
    args(T.securityGroup, { ingress: [{ protocol: "udp", fromPort: 4789, toPort: 4789, self: true }, { protocol: "tcp", fromPort: 2377, toPort: 2377, self: true }, { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] }] }),
    "from the members' own security group only"],
  ["imdsv2-required", args(T.instance, { metadataOptions: { httpTokens: "optional" } }), args(T.instance, { metadataOptions: { httpTokens: "required" } }), "httpTokens: \"required\""],
  ["encrypted-volumes", args(T.instance, { rootBlockDevice: { volumeSize: 20 } }), args(T.instance, { rootBlockDevice: { encrypted: true } }), "`encrypted: true`"],
  ["docker-data-outlives-instance", args(T.instance, { userData: "#cloud-config\npackages:\n  - docker.io\n" }),
    args(T.instance, { userData: ec2UserData({ user: "admin", dataVolumeId: "vol-0abc1234def567890" }) }), "on its own EBS volume"],
];

test("the pack has at least 12 rules, all mandatory, each with a fixture pair here", () => {
  const all = rules();
  expect(all.length).toBeGreaterThanOrEqual(12);
  expect(all.every((p) => p.enforcementLevel === "mandatory")).toBe(true);
  expect(cases.map(([name]) => name).sort()).toEqual(all.map((p) => p.name).sort());
});

describe.each(cases)("%s", (name, bad, good, fix) => {
  test("the violating fixture is reported, with how to fix it", () => {
    const found = violations(name, bad);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(fix);
  });
  test("the passing fixture is not", () => {
    expect(violations(name, good)).toEqual([]);
  });
});

describe("declared exceptions and edge cases", () => {
  test("a container declaring appstacks.allow-docker-socket=true may mount the socket (bind mounts too)", () => {
    const mount = { mounts: [{ type: "bind", source: "/run/docker.sock", target: "/var/run/docker.sock" }] };
    expect(violations("no-docker-socket", container(mount))).toHaveLength(1);
    const declared = { ...mount, labels: [{ label: "appstacks.allow-docker-socket", value: "true" }] };
    expect(violations("no-docker-socket", container(declared))).toEqual([]);
  });

  test("a published database is recognised by its image too, and allowed when declared (WattRex's MySQL for its cyclers)", () => {
    const mysql = { image: "mysql:8.4", ports: [{ internal: 3307, external: 3369, ip: "0.0.0.0" }] };
    expect(violations("databases-not-published", container(mysql))[0]).toContain("database port 3307 is published on 0.0.0.0:3369");
    const declared = { ...mysql, labels: [{ label: "appstacks.allow-published-database", value: "true" }] };
    expect(violations("databases-not-published", container(declared))).toEqual([]);
    // A web port is not a database.
    expect(violations("databases-not-published", container({ ports: [{ internal: 8869, external: 8869 }] }))).toEqual([]);
  });

  test("a container that rolls out behind a front proxy has its health check as its ready-check label; an empty one does not count", () => {
    const ready = (value: string) => container({ healthcheck: undefined, labels: [{ label: "appstacks.ready-check", value }] });
    expect(violations("health-checks", ready(JSON.stringify({ test: ["CMD", "curl", "-f", "http://127.0.0.1:8000/"], timeout: "5s" })))).toEqual([]);
    expect(violations("health-checks", ready("{}"))).toHaveLength(1);
    expect(violations("health-checks", ready("not json"))).toHaveLength(1);
  });

  test("jobs (attached, not kept running) need no health check or restart policy, but do need a memory limit", () => {
    const job = args(T.container, goodJob);
    expect(violations("health-checks", job)).toEqual([]);
    expect(violations("restart-policies", job)).toEqual([]);
    expect(violations("memory-limits", args(T.container, { ...goodJob, memory: undefined }))).toHaveLength(1);
  });

  test("bare and latest references are unpinned; a built image's local tag and an image ID are not references to pin", () => {
    expect(violations("pinned-images", args(T.remoteImage, { name: "registry.example:5000/team/app" }))).toHaveLength(1);
    expect(violations("pinned-images", container({ image: "busybox:latest" }))).toHaveLength(1);
    expect(violations("pinned-images", args(T.remoteImage, { name: "busybox@sha256:abc" }))).toEqual([]);
    expect(violations("pinned-images", args(T.remoteImage, { name: "app:latest", build: { context: "." } }))).toEqual([]);
    expect(violations("pinned-images", container({ image: "sha256:0123" }))).toEqual([]);
  });

  test("values unknown during preview (an image ID not built yet) are not judged, not failed", () => {
    const unknownImage = { ...goodService };
    Object.defineProperty(unknownImage, "image", { get: () => { throw new Error("string value at .image can't be known during preview"); } });
    expect(violations("pinned-images", args(T.container, unknownImage))).toEqual([]);
    expect(violations("databases-not-published", args(T.container, unknownImage))).toEqual([]);
  });

  test("credential-named variables holding a path or *_FILE pointers pass; the message names the key, never the value", () => {
    expect(violations("secrets-as-files", container({ envs: ["CRED_ENV_PATH=/run/secrets/cred.env", "API_TOKEN=/run/secrets/token", "MQTT_KEEPALIVE=60"] }))).toEqual([]);
    const found = violations("secrets-as-files", container({ envs: ["DB_PASSWORD=hunter2", "GITHUB_TOKEN=ghp_x"] }));
    expect(found.map((m) => m.split(" ")[2])).toEqual(["DB_PASSWORD", "GITHUB_TOKEN"]);
    expect(found.join("\n")).not.toMatch(/hunter2|ghp_x/);
  });

  test("SSH: an all-protocols rule and the standalone rule types count, IPv6 world too", () => {
    expect(violations("ssh-not-open-to-world", args(T.securityGroup, { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }] }))).toHaveLength(1);
    expect(violations("ssh-not-open-to-world", args(T.securityGroupRule, { type: "ingress", protocol: "tcp", fromPort: 20, toPort: 25, cidrBlocks: ["0.0.0.0/0"] }))).toHaveLength(1);
    expect(violations("ssh-not-open-to-world", args(T.securityGroupRule, { type: "egress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }))).toEqual([]);
    expect(violations("ssh-not-open-to-world", args(T.ingressRule, { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" }))).toHaveLength(1);
  });

  test("IMDSv2 and encryption apply to launch templates and EBS volumes too", () => {
    expect(violations("imdsv2-required", args(T.launchTemplate, {}))).toHaveLength(1);
    expect(violations("encrypted-volumes", args(T.ebsVolume, { size: 10 }))).toHaveLength(1);
    expect(violations("encrypted-volumes", args(T.ebsVolume, { size: 10, encrypted: true }))).toEqual([]);
    expect(violations("encrypted-volumes", args(T.instance, { rootBlockDevice: { encrypted: true }, ebsBlockDevices: [{ deviceName: "/dev/sdf" }] }))).toHaveLength(1);
    expect(violations("encrypted-volumes", args(T.launchTemplate, { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] }))).toHaveLength(1);
  });

  test("a stack that drops its data on destroy violates the retention rule (read from its config)", () => {
    const vol = args(T.volume, { name: "v" }, `${STACK}${DATA_VOLUME_TYPE}$${T.volume}::v`);
    expect(violations("data-volumes-retained", vol, { keepDataOnDestroy: false })[0]).toContain("appstacks:keepDataOnDestroy to false");
    expect(violations("data-volumes-retained", vol, { keepDataOnDestroy: true })).toEqual([]);
  });
});

describe("swarm clusters", () => {
  test("a swarm port is open to the world through any rule that covers it: a range, all protocols, IPv6, the standalone rule types", () => {
    const sg = (ingress: unknown[]) => violations("swarm-ports-members-only", args(T.securityGroup, { ingress }));
    expect(sg([{ protocol: "tcp", fromPort: 2000, toPort: 8000, cidrBlocks: ["0.0.0.0/0"] }])[0]).toContain("opens the swarm's 2377/tcp, 7946/tcp to the world");
    expect(sg([{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }])[0]).toContain("2377/tcp, 7946/tcp, 7946/udp, 4789/udp");
    expect(sg([{ protocol: "17", fromPort: 7946, toPort: 7946, cidrBlocks: ["0.0.0.0/0"] }])[0]).toContain("7946/udp to the world");
    // The same ports from a private range or the group itself, or another protocol, are not the world's.
    expect(sg([{ protocol: "tcp", fromPort: 2377, toPort: 2377, cidrBlocks: ["10.0.0.0/16"] }, { protocol: "tcp", fromPort: 4789, toPort: 4789, cidrBlocks: ["0.0.0.0/0"] }])).toEqual([]);
    expect(violations("swarm-ports-members-only", args(T.securityGroupRule, { type: "ingress", protocol: "udp", fromPort: 4789, toPort: 4789, cidrBlocks: ["0.0.0.0/0"] }))).toHaveLength(1);
    expect(violations("swarm-ports-members-only", args(T.securityGroupRule, { type: "egress", protocol: "udp", fromPort: 4789, toPort: 4789, cidrBlocks: ["0.0.0.0/0"] }))).toEqual([]);
    expect(violations("swarm-ports-members-only", args(T.ingressRule, { ipProtocol: "tcp", fromPort: 2377, toPort: 2377, cidrIpv6: "::/0" }))).toHaveLength(1);
    expect(violations("swarm-ports-members-only", args(T.ingressRule, { ipProtocol: "tcp", fromPort: 2377, toPort: 2377, referencedSecurityGroupId: "sg-1" }))).toEqual([]);
  });

  /** The stack rules' messages for instances with the given swarm tags. */
  function stackViolations(instances: Record<string, string>[]): string[] {
    const resources = instances.map((tags, i) => ({ type: T.instance, props: { tags }, urn: `${STACK}${T.instance}::i${i}`, name: `i${i}` }));
    const out: string[] = [];
    for (const r of stackRules()) r.validateStack({ resources, stackTags: new Map() } as unknown as StackValidationArgs, (m: string) => { out.push(`${r.name}: ${m}`); });
    return out;
  }
  const node = (swarm: string, role: string) => ({ "appstacks.swarm": swarm, "appstacks.swarm-role": role });

  test("a swarm's managers are an odd number (mandatory), counted per swarm; workers and other instances do not count", () => {
    expect(stackRules().every((r) => r.enforcementLevel === "mandatory")).toBe(true);
    expect(stackViolations([node("a", "manager"), node("a", "worker"), node("a", "worker")])).toEqual([]);
    expect(stackViolations([node("a", "manager"), node("a", "manager"), node("a", "manager"), node("b", "manager"), { Name: "plain" }])).toEqual([]);
    expect(stackViolations([node("a", "manager"), node("a", "manager"), node("a", "worker"), node("b", "manager")])).toEqual([
      "swarm-managers-odd: swarm a has 2 managers, an even number: it survives no more lost managers than 1 would (the managers need a majority up); add or remove one (appstacks:ec2Swarm.managers: 1, 3, 5 or 7)",
    ]);
  });
});
