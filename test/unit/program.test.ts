// The program itself (index.ts) under mocks, each run in a fresh Node process: what the target
// loads and what `server` reports. The local target must not pay for loading @pulumi/aws. The two
// runs are concurrent: each is a process of its own, mostly compiling the program.
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";

const ROOT = path.resolve(__dirname, "../..");

// A seed, as every real stack has (else the program warns).
const SEED = { "appstacks:secretSeed": "a-seed-for-the-unit-tests-only" };

async function runProgram(config: Record<string, unknown>): Promise<{ types: string[]; server: Record<string, unknown>; awsLoaded: boolean; admitted: string[] }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(ROOT, "test/unit/support/run-program.ts"), JSON.stringify({ ...SEED, ...config })],
    // An engine that does not exist: the unit tests never read the real one (the check of host
    // ports other stacks hold then logs that it was skipped).
    { cwd: ROOT, env: { ...process.env, PULUMI_CONFIG: undefined, DOCKER_HOST: "unix:///nonexistent/appstacks-unit-tests.sock" } },
  );
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

test.concurrent("the local target deploys without loading the AWS SDK", async () => {
  const r = await runProgram({ "appstacks:apps": ["biostar"] });
  expect(r.awsLoaded).toBe(false);
  expect(r.types).toContain("docker:index/container:Container");
  expect(r.types.some((t) => t.startsWith("aws:"))).toBe(false);
  expect(r.server).toEqual({ target: "local", address: "localhost" });
});

test.concurrent("the ec2 target loads it and reports the instance's addresses", async () => {
  const r = await runProgram({
    "appstacks:target": "ec2",
    "appstacks:apps": ["biostar"],
    "appstacks:ec2": { region: "eu-west-1", sshCidrs: ["203.0.113.7/32"], publicKey: "ssh-ed25519 AAAA x", amiId: "ami-0123456789abcdef0" },
  });
  expect(r.awsLoaded).toBe(true);
  expect(r.types).toEqual(expect.arrayContaining(["aws:ec2/instance:Instance", "docker:index/container:Container"]));
  expect(r.server).toMatchObject({ target: "ec2", publicIp: "198.51.100.7", sshCommand: "ssh admin@198.51.100.7" });
});

test.concurrent("Biostar's production profile on EC2: the security group admits SSH from the configured CIDRs and nginx's 80 from anywhere, nothing else", async () => {
  const r = await runProgram({
    "appstacks:target": "ec2",
    "appstacks:apps": ["biostar"],
    "appstacks:biostar": { profile: "production", port: 80 },
    "appstacks:ec2": { region: "eu-west-1", sshCidrs: ["203.0.113.7/32"], publicKey: "ssh-ed25519 AAAA x", amiId: "ami-0123456789abcdef0" },
  });
  expect(r.admitted).toEqual(["22 from 203.0.113.7/32", "80 from 0.0.0.0/0"]);
});

test.concurrent("the ec2-swarm target builds the cluster from the ec2 and swarm settings and reports its nodes", async () => {
  const r = await runProgram({
    "appstacks:target": "ec2-swarm",
    "appstacks:apps": ["biostar"],
    "appstacks:ec2": { region: "eu-west-1", sshCidrs: ["203.0.113.7/32"], publicKey: "ssh-ed25519 AAAA x", amiId: "ami-0123456789abcdef0" },
    "appstacks:swarm": { registry: "10.0.0.5:5000", replicas: { "biostar.web": 3 } },
    "appstacks:imageOverrides": { postgres: "10.0.0.5:5000/postgres:16.4" },
  });
  expect(r.types).toEqual(expect.arrayContaining(["aws:ec2/instance:Instance", "docker:index/service:Service", "pulumi-nodejs:dynamic:Resource"]));
  expect(r.server).toMatchObject({ target: "ec2-swarm", publicIp: "198.51.100.11", sshCommand: "ssh admin@198.51.100.11" });
  expect((r.server.nodes as { role: string }[]).map((n) => n.role)).toEqual(["first-manager", "worker", "worker"]);
  // The members group: the swarm's ports from the group itself (no CIDR), SSH and Biostar's port as on one host.
  expect(r.admitted).toEqual(["22 from 203.0.113.7/32", "2377 from ", "4789 from ", "7946 from ", "7946 from ", "8000 from 0.0.0.0/0"]);
});
