// The SSH and EC2 hosts under mocks: what they would create, and that no Docker object can be
// created before the engine answers (the readiness gate is every Docker resource's dependency).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { execFileSync } from "child_process";
import { parse } from "yaml";
import { installMocks, reset, valueOf, ofType, byName, options, recordOptions, dependsOnNames, deployForTest } from "./mocks";
import { SshDockerHost } from "../../components/host/ssh";
import { Ec2DockerHost, Ec2DockerHostArgs } from "../../components/host/ec2";
import { ec2UserData } from "../../components/host/ec2-user-data";
import { dockerSshHost, knownHostsLine, sshOptions, sshStateDir, worldOpenCidrs } from "../../components/host/ssh-options";
import { biostar } from "../../stacks/biostar";
import { loadConfig } from "../../stacks/registry";

installMocks();
const sshDir = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-unit-ssh-"));
afterAll(() => fs.rmSync(sshDir, { recursive: true, force: true }));
const scope = { project: "appstacks", stack: "dev" };
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostKeyHostKeyHostKeyHostKeyHostKeyHostKey";

const ec2Args = (extra: Partial<Ec2DockerHostArgs> = {}): Ec2DockerHostArgs => ({
  region: "eu-west-1", sshCidrs: ["203.0.113.7/32"], publishedPorts: [80, 443], publicKey: "ssh-ed25519 AAAAC3Nza you@laptop", amiId: "ami-0123456789abcdef0", scope, ...extra,
});

describe("ssh options (pure)", () => {
  const t = { address: "203.0.113.9", user: "deploy", port: 2222 };
  test("provider host string, known_hosts line, options per host-key mode", () => {
    expect(dockerSshHost(t)).toBe("ssh://deploy@203.0.113.9:2222");
    expect(knownHostsLine(t, HOST_KEY + " root@server")).toBe(`[203.0.113.9]:2222 ${HOST_KEY}\n`);
    expect(knownHostsLine({ ...t, port: 22 }, HOST_KEY)).toBe(`203.0.113.9 ${HOST_KEY}\n`);
    expect(sshOptions("/d", { hostKey: HOST_KEY }, true)).toEqual([
      "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=15",
      "-i", "/d/id", "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=/d/known_hosts", "-o", "StrictHostKeyChecking=yes",
    ]);
    expect(sshOptions("/d", { trustOnFirstUse: true }, false).join(" ")).toContain("StrictHostKeyChecking=accept-new");
    expect(sshOptions("/d", { insecureIgnoreHostKey: true }, false).join(" ")).toContain("StrictHostKeyChecking=no");
    // Stable per stack and target: a changed path would be a provider diff replacing every container.
    expect(sshStateDir(scope, t, "/b")).toBe(sshStateDir(scope, t, "/b"));
    expect(sshStateDir({ ...scope, stack: "prod" }, t, "/b")).not.toBe(sshStateDir(scope, t, "/b"));
  });
});

describe("SshDockerHost", () => {
  test("the provider speaks ssh with the pinned host key; the key is a 0600 file, never provider config", async () => {
    reset();
    const host = new SshDockerHost("host", { address: "203.0.113.9", user: "deploy", port: 2222, privateKey: pulumi.secret("PRIVATE-KEY-TEXT"), hostKeyCheck: { hostKey: HOST_KEY }, scope, sshDir }, { transformations: [recordOptions] });
    await valueOf(host.provider.urn);
    const provider = byName("host-docker");
    expect(provider.inputs.host).toBe("ssh://deploy@203.0.113.9:2222");
    const opts = (typeof provider.inputs.sshOpts === "string" ? JSON.parse(provider.inputs.sshOpts) : provider.inputs.sshOpts) as string[];
    const dir = sshStateDir(scope, { address: "203.0.113.9", user: "deploy", port: 2222 }, sshDir);
    expect(opts).toEqual(expect.arrayContaining(["-i", `${dir}/id`, `UserKnownHostsFile=${dir}/known_hosts`, "StrictHostKeyChecking=yes"]));
    expect(JSON.stringify(provider.inputs)).not.toContain("PRIVATE-KEY-TEXT");
    expect(fs.readFileSync(`${dir}/id`, "utf8")).toBe("PRIVATE-KEY-TEXT\n");
    expect(fs.statSync(`${dir}/id`).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(`${dir}/known_hosts`, "utf8")).toBe(`[203.0.113.9]:2222 ${HOST_KEY}\n`);
  });

  test("every Docker object of a stack waits for the engine to answer over ssh", async () => {
    reset();
    const host = new SshDockerHost("host", { address: "203.0.113.9", hostKeyCheck: { hostKey: HOST_KEY }, scope, sshDir, installDocker: true });
    await deployForTest(biostar, { host, stack: scope.stack });
    const gate = byName("host-engine-ready");
    expect(gate.inputs).toMatchObject({ destination: "root@203.0.113.9", port: 22, installDocker: true });
    const gateName = (await valueOf(host.ready[0].urn)).split("::").pop();
    expect(gateName).toBe("host-engine-ready");
    const docker = [...options.keys()].filter((n) => /-(container|network|volume|image)$/.test(n));
    expect(docker.length).toBeGreaterThan(5);
    for (const name of docker) {
      expect([name, (await dependsOnNames(name)).includes(gateName!)]).toEqual([name, true]);
    }
  });
});

describe("Ec2DockerHost", () => {
  test("security group: the stacks' published ports, SSH only from the configured CIDRs", async () => {
    reset();
    const host = new Ec2DockerHost("host", ec2Args({ publishedPorts: [8080, 80, 80], sshCidrs: ["203.0.113.7/32", "2001:db8::/48"] }));
    await valueOf(host.instance.id);
    const sg = byName("host-sg").inputs;
    expect(sg.vpcId).toBe("vpc-0a1b2c3d");
    expect(sg.ingress.map((r: any) => [r.fromPort, r.toPort, r.cidrBlocks, r.ipv6CidrBlocks])).toEqual([
      [80, 80, ["0.0.0.0/0"], ["::/0"]],
      [8080, 8080, ["0.0.0.0/0"], ["::/0"]],
      [22, 22, ["203.0.113.7/32"], ["2001:db8::/48"]],
    ]);
  });

  test("instance: IMDSv2 required, encrypted root volume of the configured size, the pinned AMI, default subnet, protection configurable", async () => {
    reset();
    const host = new Ec2DockerHost("host", ec2Args({ rootVolumeGb: 50, terminationProtection: true }));
    await valueOf(host.instance.id);
    const i = byName("host-instance").inputs;
    expect(i.metadataOptions).toMatchObject({ httpTokens: "required" });
    expect(i.rootBlockDevice).toMatchObject({ encrypted: true, volumeSize: 50 });
    expect(i.ami).toBe("ami-0123456789abcdef0");
    expect(i.subnetId).toBe("subnet-0aaa1111");
    expect(i.disableApiTermination).toBe(true);
    expect(i.userData).toBe(ec2UserData({ user: "admin", dataVolumeId: "host-data-id" }));
    expect(byName("host-key").inputs.publicKey).toBe("ssh-ed25519 AAAAC3Nza you@laptop");
    expect(await valueOf(host.sshCommand)).toBe("ssh admin@198.51.100.7");
    expect(byName("host-ssh-docker").inputs.host).toBe("ssh://admin@198.51.100.7:22");
  });

  test("the AMI is pinned: a newer published one is named in a warning, never taken", async () => {
    reset();
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
    try {
      const host = new Ec2DockerHost("host", ec2Args({ amiId: "ami-0fedcba9876543210" }));
      await valueOf(host.instance.id);
      expect(byName("host-instance").inputs.ami).toBe("ami-0fedcba9876543210");
      expect(warn.mock.calls.map((c) => c[0])).toContain(
        "appstacks:ec2.amiId is ami-0fedcba9876543210; a newer AMI is published: ami-0123456789abcdef0 (debian-12-amd64-20261101-1234). Setting it replaces the instance; Docker's data volume is kept and attached to the new one.");
      warn.mockClear();
      reset();
      const current = new Ec2DockerHost("host", ec2Args());
      await valueOf(current.instance.id);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  test("Docker's data: its own encrypted EBS volume in the instance's zone, kept on destroy, moved to a replacement instance", async () => {
    reset();
    const host = new Ec2DockerHost("host", ec2Args({ dataVolumeGb: 40 }), { transformations: [recordOptions] });
    await valueOf(host.instance.id);
    expect(byName("host-data").inputs).toMatchObject({ availabilityZone: "eu-west-1b", size: 40, type: "gp3", encrypted: true });
    expect(options.get("host-data")?.retainOnDelete).toBe(true);
    const attachment = byName("host-data-attachment").inputs;
    expect(attachment).toMatchObject({ volumeId: "host-data-id", instanceId: "host-instance-id", deviceName: "/dev/sdf", stopInstanceBeforeDetaching: true });
    // Detached before it is attached to a replacement instance (a volume attaches to one instance).
    expect(options.get("host-data-attachment")?.deleteBeforeReplace).toBe(true);
    // The engine is asked for only once the volume is attached.
    expect(await dependsOnNames("host-ssh-engine-ready")).toEqual(expect.arrayContaining(["host-data-attachment"]));
    expect(await valueOf(host.dataVolumeId)).toBe("host-data-id");

    reset();
    const dropping = new Ec2DockerHost("host", ec2Args({ keepDataOnDestroy: false }), { transformations: [recordOptions] });
    await valueOf(dropping.ready[0].urn);
    expect(options.get("host-data")?.retainOnDelete).toBe(false);
  });

  test("an existing data volume (one a destroy kept) is attached, not created", async () => {
    reset();
    const host = new Ec2DockerHost("host", ec2Args({ dataVolumeId: "vol-0abc1234def567890" }));
    await valueOf(host.ready[0].urn);
    expect(ofType("aws:ebs/volume:Volume")).toEqual([]);
    expect(byName("host-data-attachment").inputs.volumeId).toBe("vol-0abc1234def567890");
    expect(byName("host-instance").inputs.userData).toContain("nvme-Amazon_Elastic_Block_Store_vol0abc1234def567890");
  });

  test("user data: the data volume is formatted only when blank and mounted before Docker is installed and started", () => {
    const data = ec2UserData({ user: "admin", dataVolumeId: "vol-0abc1234def567890" });
    expect(data).toMatchSnapshot();
    const runcmd = data.slice(data.indexOf("runcmd:")).split("\n");
    const at = (cmd: string) => runcmd.findIndex((l) => l.includes(cmd));
    expect(at("appstacks-data-volume")).toBeGreaterThan(0);
    expect(at("appstacks-data-volume")).toBeLessThan(at("apt-get install -y docker.io"));
    expect(at("apt-get install -y docker.io")).toBeLessThan(at("systemctl enable --now docker"));
    expect(data).not.toMatch(/^packages:/m);
    expect(data).toContain('blkid "$dev" >/dev/null 2>&1 || mkfs.ext4');
    expect(data).toContain("RequiresMountsFor=/var/lib/docker");
    // Valid cloud-config, and a mount script sh can parse.
    const doc = parse(data) as { write_files: { path: string; content: string }[]; runcmd: string[] };
    const script = doc.write_files.find((f) => f.path === "/usr/local/sbin/appstacks-data-volume")!.content;
    expect(() => execFileSync("sh", ["-n"], { input: script })).not.toThrow();
    expect(doc.runcmd[0]).toBe("/usr/local/sbin/appstacks-data-volume");
  });

  test("SSH from the world is refused outside a sandbox, before anything is created", () => {
    expect(worldOpenCidrs(["203.0.113.7/32", "0.0.0.0/0", "::/0"], false)).toEqual([1, 2]);
    expect(worldOpenCidrs(["0.0.0.0/0"], true)).toEqual([]);
    reset();
    expect(() => new Ec2DockerHost("host", ec2Args({ sshCidrs: ["0.0.0.0/0"] }))).toThrow(
      'sshCidrs[0]: "0.0.0.0/0" is not allowed (allowed: a CIDR narrower than the whole internet (SSH open to the world is refused unless sandbox is true))',
    );
    expect(ofType("aws:ec2/instance:Instance")).toEqual([]);
  });
});

describe("host config", () => {
  const parse = (raw: Record<string, unknown>) => () => loadConfig("appstacks", raw);
  test.each([
    [{ target: "ssh" }, "appstacks:ssh.address: not set (allowed: the server's host name or IP address (required by target ssh))\nappstacks:ssh.hostKey: not set (allowed: the server's host key (ssh-keyscan -t ed25519 <address>), or insecureIgnoreHostKey: true for a throwaway server)"],
    // Single-line refusals are rows of test/bad-configs.ts; here, two problems give two lines.
  ])("%j is refused with a line per problem", (raw, message) => {
    expect(parse(raw)).toThrow(new Error(message));
  });
  test("a sandbox may open SSH to the world", () => {
    expect(loadConfig("appstacks", { target: "ec2", ec2: { publicKey: "ssh-ed25519 AAAA x", sshCidrs: ["0.0.0.0/0"], sandbox: true, amiId: "ami-0123456789abcdef0" } }).ec2.sandbox).toBe(true);
  });
  test("the committed prod environment parses", () => {
    const yaml = require("yaml");
    const doc = yaml.parse(fs.readFileSync(path.join(__dirname, "..", "..", "Pulumi.prod.yaml"), "utf8")).config;
    const raw = Object.fromEntries(Object.entries(doc).map(([k, v]) => [k.replace(/^appstacks:/, ""), v]));
    const cfg = loadConfig("appstacks", raw);
    expect(cfg).toMatchObject({ target: "ec2", apps: ["portal"], ec2: { terminationProtection: true, sandbox: false } });
    expect(JSON.stringify(doc)).not.toMatch(/secure|PRIVATE KEY|password/i);
  });
});
