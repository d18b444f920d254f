// The EC2 swarm cluster under mocks (AWS cannot be reached here): the instances by role, the order
// the nodes become members (the first manager initialises, the other managers join one at a
// time, then the workers), the members security group, and that no join token is ever an input
// or output of a resource. The join's commands are pure and run here with a fake ssh client.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "child_process";
import { installMocks, reset, recorded, valueOf, ofType, byName, options, recordOptions, dependsOnNames, deployForTest } from "./mocks";
import { Ec2SwarmCluster, Ec2SwarmClusterArgs, clusterNodes } from "../../components/host/ec2-swarm";
import { SshEndpoint, SshRun, runSwarmSteps, swarmCreateSteps, swarmDeleteSteps } from "../../components/host/swarm-join";
import { APPS, loadConfig } from "../../stacks/registry";
import { rules, stackRules, ResourceValidationArgs, StackValidationArgs } from "../../policy/rules";

installMocks();
const scope = { project: "appstacks", stack: "dev" };

const JOIN = "pulumi-nodejs:dynamic:Resource";
const INSTANCE = "aws:ec2/instance:Instance";
const SG = "aws:ec2/securityGroup:SecurityGroup";

async function cluster(extra: Partial<Ec2SwarmClusterArgs> = {}): Promise<Ec2SwarmCluster> {
  reset();
  const c = new Ec2SwarmCluster("host", {
    managers: 3, workers: 2, registry: "10.0.0.5:5000",
    node: { region: "eu-west-1", sshCidrs: ["203.0.113.7/32", "2001:db8::/48"], publishedPorts: [8000, 80], publicKey: "ssh-ed25519 AAAAC3Nza you@laptop", amiId: "ami-0123456789abcdef0", scope },
    ...extra,
  }, { transformations: [recordOptions] });
  await Promise.all(c.joins.map((j) => valueOf(j.urn)));
  await valueOf(c.members);
  return c;
}

const joins = () => ofType(JOIN).filter((r) => r.name.endsWith("-join"));

describe("Ec2SwarmCluster", () => {
  test("one instance per node, tagged with its role; one members security group, no other", async () => {
    const c = await cluster();
    const instances = ofType(INSTANCE);
    expect(instances.map((i) => [i.name, i.inputs.tags["appstacks.swarm-role"]])).toEqual([
      ["host-manager-1-instance", "manager"], ["host-manager-2-instance", "manager"], ["host-manager-3-instance", "manager"],
      ["host-worker-1-instance", "worker"], ["host-worker-2-instance", "worker"],
    ]);
    expect(ofType(SG).map((s) => s.name)).toEqual(["host-members"]);
    for (const i of instances) expect(i.inputs.vpcSecurityGroupIds).toEqual(["host-members-id"]);
    expect(joins().map((j) => [j.name, j.inputs.role])).toEqual([
      ["host-manager-1-join", "first-manager"], ["host-manager-2-join", "manager"], ["host-manager-3-join", "manager"],
      ["host-worker-1-join", "worker"], ["host-worker-2-join", "worker"],
    ]);
    expect(await valueOf(c.members)).toEqual([
      { name: "manager-1", role: "first-manager", publicIp: "198.51.100.11", privateIp: "172.31.1.1" },
      { name: "manager-2", role: "manager", publicIp: "198.51.100.12", privateIp: "172.31.1.2" },
      { name: "manager-3", role: "manager", publicIp: "198.51.100.13", privateIp: "172.31.1.3" },
      { name: "worker-1", role: "worker", publicIp: "198.51.100.21", privateIp: "172.31.2.1" },
      { name: "worker-2", role: "worker", publicIp: "198.51.100.22", privateIp: "172.31.2.2" },
    ]);
    // One AWS provider and one AMI check for the cluster, one subnet (one availability zone).
    expect(ofType("pulumi:providers:aws").map((p) => p.name)).toEqual(["host-aws"]);
    expect(new Set(instances.map((i) => i.inputs.subnetId))).toEqual(new Set(["subnet-0aaa1111"]));
  });

  test("the docker provider talks to the first manager; it is a swarm with the given modes", async () => {
    const c = await cluster();
    expect(byName("host-manager-1-ssh-docker").inputs.host).toBe("ssh://admin@198.51.100.11:22");
    expect(await valueOf(c.provider.urn)).toMatch(/::host-manager-1-ssh-docker$/);
    expect(c.swarm).toEqual({ endpointMode: "vip", publishMode: "ingress", registry: "10.0.0.5:5000", dataNodeLabel: "appstacks.data" });
    expect(await valueOf(c.address)).toBe("ec2-198-51-100-11.eu-west-1.compute.amazonaws.com");
    expect(await valueOf(c.sshCommand)).toBe("ssh admin@198.51.100.11");
  });

  test("join order: the first manager initialises; every other node waits for it, managers one at a time, workers for every manager", async () => {
    await cluster();
    expect(await dependsOnNames("host-manager-1-join")).toEqual(["host-manager-1-ssh-engine-ready"]);
    expect(await dependsOnNames("host-manager-2-join")).toEqual(["host-manager-1-join", "host-manager-2-ssh-engine-ready"]);
    expect(await dependsOnNames("host-manager-3-join")).toEqual(["host-manager-1-join", "host-manager-2-join", "host-manager-3-ssh-engine-ready"]);
    for (const w of ["worker-1", "worker-2"]) {
      expect(await dependsOnNames(`host-${w}-join`)).toEqual(["host-manager-1-join", "host-manager-2-join", "host-manager-3-join", `host-${w}-ssh-engine-ready`]);
    }
    // A member leaves before its replacement joins.
    for (const j of joins()) expect([j.name, options.get(j.name)?.deleteBeforeReplace]).toEqual([j.name, true]);
  });

  test("each node is told its own private address and the first manager's; the first manager carries the data label", async () => {
    await cluster();
    const first = byName("host-manager-1-join").inputs;
    expect(first).toMatchObject({ advertiseAddr: "172.31.1.1", dataNodeLabel: "appstacks.data", trigger: "host-manager-1-instance-id" });
    expect(first.node.destination).toBe("admin@198.51.100.11");
    expect(first.manager).toBeUndefined();
    const worker = byName("host-worker-2-join").inputs;
    expect(worker).toMatchObject({ role: "worker", advertiseAddr: "172.31.2.2", managerAddr: "172.31.1.1" });
    expect([worker.node.destination, worker.manager.destination]).toEqual(["admin@198.51.100.22", "admin@198.51.100.11"]);
    expect(worker.dataNodeLabel).toBeUndefined();
  });

  test("security group: the swarm's ports from members only, never the world; published ports to the world; SSH from sshCidrs", async () => {
    await cluster();
    const sg = byName("host-members").inputs;
    const rules = sg.ingress.map((r: any) => [r.protocol, r.fromPort, r.toPort, r.self ?? false, r.cidrBlocks ?? [], r.ipv6CidrBlocks ?? []]);
    expect(rules).toEqual([
      ["tcp", 2377, 2377, true, [], []],
      ["tcp", 7946, 7946, true, [], []],
      ["udp", 7946, 7946, true, [], []],
      ["udp", 4789, 4789, true, [], []],
      ["tcp", 80, 80, false, ["0.0.0.0/0"], ["::/0"]],
      ["tcp", 8000, 8000, false, ["0.0.0.0/0"], ["::/0"]],
      ["tcp", 22, 22, false, ["203.0.113.7/32"], ["2001:db8::/48"]],
    ]);
    expect(sg.vpcId).toBe("vpc-0a1b2c3d");
  });

  test("no resource's inputs hold a join token, and the join has no token field", async () => {
    await cluster();
    expect(recorded.length).toBeGreaterThan(30);
    for (const r of recorded) expect([r.name, JSON.stringify(r.inputs)]).toEqual([r.name, expect.not.stringContaining("SWMTKN")]);
    for (const j of joins()) {
      expect(Object.keys(j.inputs).filter((k) => /token/i.test(k))).toEqual([]);
      // The join's code is there (it fetches the token when it runs), its value is not.
      expect(String(j.inputs.__provider)).toContain("join-token -q");
    }
  });

  test("only the first manager keeps its data volume on destroy (or takes a kept one); a newer AMI is named once", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
    let c: Ec2SwarmCluster;
    try {
      c = await cluster({ node: { region: "eu-west-1", sshCidrs: ["203.0.113.7/32"], publishedPorts: [], publicKey: "ssh-ed25519 AAAA x", amiId: "ami-0fedcba9876543210", scope, dataVolumeId: "vol-0abc1234def567890" } });
      expect(warn.mock.calls.filter(([m]) => /a newer AMI is published/.test(m))).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
    expect(byName("host-manager-1-data-attachment").inputs.volumeId).toBe("vol-0abc1234def567890");
    expect(ofType("aws:ebs/volume:Volume").map((v) => v.name)).toEqual(["host-manager-2-data", "host-manager-3-data", "host-worker-1-data", "host-worker-2-data"]);
    for (const v of ofType("aws:ebs/volume:Volume")) expect(options.get(v.name)?.retainOnDelete).toBe(false);
    expect(c.nodes).toHaveLength(5);
  });

  test("an even number of managers, or none, is refused in one line before anything is created", () => {
    for (const managers of [0, 2, 4, 9]) {
      reset();
      expect(() => new Ec2SwarmCluster("host", { managers, node: { region: "eu-west-1", sshCidrs: ["203.0.113.7/32"], publishedPorts: [], publicKey: "k", amiId: "ami-0123456789abcdef0", scope } })).toThrow(
        `managers: ${managers} is not allowed (allowed: an odd number from 1 to 7 (the managers need a majority up: an even number tolerates no more failures than one fewer))`,
      );
      expect(ofType(INSTANCE)).toEqual([]);
    }
    expect(clusterNodes(1, 0)).toEqual([{ name: "manager-1", role: "first-manager" }]);
  });

  test("Biostar on the cluster: swarm services, and no Docker object before every node is a member", async () => {
    const c = await cluster();
    await deployForTest(APPS.find((a) => a.name === "biostar")!, { host: c, imageOverrides: { postgres: "10.0.0.5:5000/postgres:16.4" }, secretSeed: pulumi.secret("a-seed-for-the-cluster-test") });
    expect(ofType("docker:index/service:Service").length).toBe(2);
    const docker = ofType("docker:index/service:Service").map((s) => s.name);
    for (const name of docker) {
      expect([name, await dependsOnNames(name)]).toEqual([name, expect.arrayContaining(joins().map((j) => j.name))]);
    }
  });
});

describe("the policy pack judges the cluster as the component registers it", () => {
  test("every resource passes every rule, and the stack's three managers the quorum rule", async () => {
    await cluster();
    const found: string[] = [];
    for (const r of recorded) {
      const a = { type: r.type, props: r.inputs, urn: `urn:pulumi:dev::appstacks::${r.type}::${r.name}`, name: r.name } as unknown as ResourceValidationArgs;
      for (const rule of rules()) rule.validateResource(a, (m: string) => { found.push(`${r.name} ${rule.name}: ${m}`); });
    }
    const resources = recorded.map((r) => ({ type: r.type, props: r.inputs, urn: r.name, name: r.name }));
    for (const rule of stackRules()) rule.validateStack({ resources, stackTags: new Map() } as unknown as StackValidationArgs, (m: string) => { found.push(`${rule.name}: ${m}`); });
    expect(found).toEqual([]);
    expect(ofType(INSTANCE).filter((i) => i.inputs.tags["appstacks.swarm"] === "appstacks-dev-host")).toHaveLength(5);
  });
});

describe("SwarmJoin's commands (pure) and how they run", () => {
  const node: SshEndpoint = { destination: "admin@198.51.100.21", port: 22, sshOptions: ["-o", "BatchMode=yes"] };
  const manager: SshEndpoint = { destination: "admin@198.51.100.11", port: 22, sshOptions: ["-o", "BatchMode=yes"] };
  const TOKEN = "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-1awxwuwd3z9j1z3puu7rcgdbx";

  test("the first manager initialises (or takes over a kept swarm) and labels itself; commands sh can parse", () => {
    const [init] = swarmCreateSteps({ role: "first-manager", advertiseAddr: "172.31.1.1", dataNodeLabel: "appstacks.data" });
    expect(init.on).toBe("node");
    expect(init.command).toContain("inactive) docker swarm init --advertise-addr 172.31.1.1 ;;");
    expect(init.command).toContain(`{ [ "$(docker info --format '{{.Swarm.NodeAddr}}')" = 172.31.1.1 ] && docker node ls >/dev/null 2>&1; } || docker swarm init --force-new-cluster --advertise-addr 172.31.1.1`);
    expect(init.command).toContain(`docker node update --label-add appstacks.data=true "$(docker info --format '{{.Swarm.NodeID}}')"`);
    for (const role of ["first-manager", "manager", "worker"] as const) {
      for (const s of [...swarmCreateSteps({ role, advertiseAddr: "172.31.2.1", managerAddr: "172.31.1.1", dataNodeLabel: "l" }), ...swarmDeleteSteps(role, "abc123")]) {
        expect(() => execFileSync("sh", ["-n"], { input: s.command })).not.toThrow();
      }
    }
  });

  // The scripts' branches, run by sh against a stand-in `docker` that answers `info` as a node in
  // the given state would and logs every other call (no engine is started).
  function runWithStub(command: string, node: { state: string; addr?: string; nodeLs?: boolean }, stdin = ""): string[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-swarm-stub-"));
    try {
      fs.writeFileSync(path.join(dir, "docker"), [
        "#!/bin/sh",
        'case "$*" in',
        `  "info --format {{.Swarm.LocalNodeState}}") echo ${node.state} ;;`,
        `  "info --format {{.Swarm.NodeAddr}}") echo ${node.addr ?? ""} ;;`,
        '  "info --format {{.Swarm.NodeID}}") echo node-abc ;;',
        `  "node ls") ${node.nodeLs === false ? "exit 1" : "exit 0"} ;;`,
        '  *) echo "$*" >> "$(dirname "$0")/log" ;;',
        "esac",
      ].join("\n"), { mode: 0o755 });
      const out = execFileSync("sh", ["-c", command], { input: stdin, encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH}` } });
      expect(out.trim().split("\n").pop()).toBe("node-abc");
      return fs.existsSync(path.join(dir, "log")) ? fs.readFileSync(path.join(dir, "log"), "utf8").trim().split("\n") : [];
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test("the scripts' branches: init a new swarm, keep a healthy one, take over a kept one; join unless already a member", () => {
    const [init] = swarmCreateSteps({ role: "first-manager", advertiseAddr: "172.31.1.1", dataNodeLabel: "appstacks.data" });
    const label = "node update --label-add appstacks.data=true node-abc";
    expect(runWithStub(init.command, { state: "inactive" })).toEqual(["swarm init --advertise-addr 172.31.1.1", label]);
    expect(runWithStub(init.command, { state: "active", addr: "172.31.1.1" })).toEqual([label]);
    expect(runWithStub(init.command, { state: "active", addr: "172.31.9.9" })).toEqual(["swarm init --force-new-cluster --advertise-addr 172.31.1.1", label]);
    expect(runWithStub(init.command, { state: "active", addr: "172.31.1.1", nodeLs: false })).toEqual(["swarm init --force-new-cluster --advertise-addr 172.31.1.1", label]);
    const [, join] = swarmCreateSteps({ role: "worker", advertiseAddr: "172.31.2.1", managerAddr: "172.31.1.1" });
    expect(runWithStub(join.command, { state: "inactive" }, `${TOKEN}\n`)).toEqual([`swarm join --token ${TOKEN} --advertise-addr 172.31.2.1 172.31.1.1:2377`]);
    expect(runWithStub(join.command, { state: "active" }, `${TOKEN}\n`)).toEqual([]);
    // Leaving: only the member that joined (node-abc here) leaves; a replacement at its address stays.
    const leave = (id: string) => swarmDeleteSteps("worker", id)[0].command + "\ndocker info --format '{{.Swarm.NodeID}}'";
    expect(runWithStub(leave("node-abc"), { state: "active" })).toEqual(["swarm leave --force"]);
    expect(runWithStub(leave("node-xyz"), { state: "active" })).toEqual([]);
  });

  test("a worker's token comes from the first manager and goes to the node on stdin, never on a command line or in the result", () => {
    const steps = swarmCreateSteps({ role: "worker", advertiseAddr: "172.31.2.1", managerAddr: "172.31.1.1" });
    expect(steps.map((s) => [s.on, s.yields])).toEqual([["manager", "token"], ["node", "nodeId"]]);
    expect(steps[0].command).toBe("docker swarm join-token -q worker");
    expect(steps[1].command).toContain('docker swarm join --token "$t" --advertise-addr 172.31.2.1 172.31.1.1:2377');
    expect(swarmCreateSteps({ role: "manager", advertiseAddr: "172.31.1.2", managerAddr: "172.31.1.1" })[0].command).toBe("docker swarm join-token -q manager");

    const calls: { on: string; command: string; stdin?: string }[] = [];
    const ssh: SshRun = (t, command, stdin) => {
      calls.push({ on: t.destination, command, stdin });
      return command.startsWith("docker swarm join-token") ? `${TOKEN}\n` : "ready\nnode-w1\n";
    };
    expect(runSwarmSteps(steps, node, manager, ssh)).toBe("node-w1");
    expect(calls.map((c) => c.on)).toEqual([manager.destination, node.destination]);
    expect(calls[1].stdin).toBe(`${TOKEN}\n`);
    expect(calls.map((c) => c.command).join("\n")).not.toContain("SWMTKN");
  });

  test("a failed join says why without the token", () => {
    const steps = swarmCreateSteps({ role: "worker", advertiseAddr: "172.31.2.1", managerAddr: "172.31.1.1" });
    const ssh: SshRun = (_t, command) => {
      if (command.startsWith("docker swarm join-token")) return TOKEN;
      throw Object.assign(new Error("exit 1"), { stderr: `Error response from daemon: rejected ${TOKEN}: timeout` });
    };
    expect(() => runSwarmSteps(steps, node, manager, ssh)).toThrow("swarm node admin@198.51.100.21: Error response from daemon: rejected <join token>: timeout");
  });

  test("leaving: a manager is demoted first, the node leaves only if still the member that joined, the manager forgets it; best effort", () => {
    expect(swarmDeleteSteps("first-manager", "m1")).toEqual([]);
    expect(swarmDeleteSteps("worker", "w1").map((s) => [s.on, s.command])).toEqual([
      ["node", `[ "$(docker info --format '{{.Swarm.NodeID}}')" != w1 ] || docker swarm leave --force`],
      ["manager", "docker node rm --force w1"],
    ]);
    expect(swarmDeleteSteps("manager", "m2")[0]).toMatchObject({ on: "manager", command: "docker node demote m2" });
    const failing: SshRun = () => { throw new Error("gone"); };
    expect(() => runSwarmSteps(swarmDeleteSteps("manager", "m2"), node, manager, failing)).not.toThrow();
  });

  test("an address that would need shell quoting is refused", () => {
    expect(() => swarmCreateSteps({ role: "worker", advertiseAddr: "1.2.3.4; rm -rf /", managerAddr: "172.31.1.1" })).toThrow('advertiseAddr: "1.2.3.4; rm -rf /" is not allowed');
  });
});

describe("target ec2-swarm in config", () => {
  const EC2 = { publicKey: "ssh-ed25519 AAAA x", sshCidrs: ["203.0.113.7/32"], amiId: "ami-0123456789abcdef0" };
  test("one manager and two workers unless set; the ec2 and swarm settings apply", () => {
    const cfg = loadConfig("appstacks", { target: "ec2-swarm", apps: ["biostar"], ec2: EC2, swarm: { registry: "10.0.0.5:5000", replicas: { "biostar.web": 3 } } });
    expect(cfg).toMatchObject({ target: "ec2-swarm", ec2Swarm: { managers: 1, workers: 2 }, ec2: EC2, swarm: { replicas: { "biostar.web": 3 } } });
    expect(loadConfig("appstacks", { target: "ec2-swarm", ec2: EC2, ec2Swarm: { managers: 5, workers: 0 } }).ec2Swarm).toEqual({ managers: 5, workers: 0 });
  });
});
