// The SSH host for real: a throwaway "server" (an sshd container, key authentication only, with
// an engine's socket mounted) is the target; the program deploys Biostar through SshDockerHost,
// so every Docker call goes over ssh (the server's log shows the logins). The server shares
// this machine's daemon, which is why published ports answer on localhost; what is proven is the
// path: provider → ssh → docker on the server. A server whose host key is not the configured
// one is refused before any Docker object is created.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { projectStack, tearDown, streamOutput, setConfig, TestStack, uniqueRunId } from "../../support/workspace";
import { containersLabelled, networksLabelled, volumesLabelled } from "./support/docker";
import { freePort, http } from "../../support/net";
import { standIns } from "../../support/images";

const STACK_LABEL = "appstacks.stack";
const serverId = uniqueRunId("sshd");
const keys = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-ssh-keys-"));
let server = "";
let sshPort = 0;
let hostKey = "";
const stacks: TestStack[] = [];

function keygen(name: string): { privateKey: string; publicKey: string } {
  const file = path.join(keys, name);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", file]);
  return { privateKey: fs.readFileSync(file, "utf8"), publicKey: fs.readFileSync(`${file}.pub`, "utf8").trim() };
}
const client = keygen("client");

beforeAll(async () => {
  sshPort = await freePort();
  server = `appstacks-e2e-${serverId}`;
  execFileSync("docker", [
    "run", "-d", "--name", server, "--label", `${STACK_LABEL}=${serverId}`, "-p", `127.0.0.1:${sshPort}:22`,
    "-v", "/var/run/docker.sock:/var/run/docker.sock", "-e", `AUTHORIZED_KEY=${client.publicKey}`, "appstacks/sshd:local",
  ]);
  // The server's identity, as an operator would take it from the machine itself.
  for (let i = 0; i < 100 && hostKey === ""; i++) {
    try {
      hostKey = execFileSync("docker", ["exec", server, "cat", "/etc/ssh/ssh_host_ed25519_key.pub"], { encoding: "utf8" }).trim();
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
});

afterAll(async () => {
  for (const t of stacks) await tearDown(t);
  if (server) execFileSync("docker", ["rm", "-f", server]);
  fs.rmSync(keys, { recursive: true, force: true });
});

async function sshStack(prefix: string, key: string): Promise<{ t: TestStack; port: number }> {
  const t = await projectStack(prefix);
  stacks.push(t);
  const port = await freePort();
  await setConfig(t.stack, {
    "appstacks:target": "ssh",
    "appstacks:ssh": { address: "127.0.0.1", port: sshPort, user: "root", hostKey: key },
    "appstacks:apps": ["biostar"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("postgres", "debian"),
    "appstacks:biostar": { port },
  });
  await t.stack.setConfig("appstacks:sshPrivateKey", { value: client.privateKey, secret: true });
  return { t, port };
}

test("Biostar deploys through the ssh host and answers over HTTP; every Docker call went over ssh", async () => {
  expect(hostKey).toMatch(/^ssh-ed25519 /);
  const { t, port } = await sshStack("ssh", hostKey);
  const up = await t.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const page = await http(`http://127.0.0.1:${port}/`);
  expect(page.status).toBe(200);
  expect(containersLabelled(STACK_LABEL, t.runId).length).toBeGreaterThanOrEqual(2);
  const log = execFileSync("bash", ["-c", `docker logs ${server} 2>&1`], { encoding: "utf8" });
  expect(log).toMatch(/Accepted publickey for root/);
  // The key is not in state, only the path of the 0600 file the ssh client reads.
  // `pulumi stack export` as stored (the Automation API's exportStack decrypts secrets).
  const ws = t.stack.workspace as { workDir: string; envVars: Record<string, string> };
  const state = execFileSync("pulumi", ["stack", "export", "--stack", t.stack.name], { cwd: ws.workDir, env: { ...process.env, ...ws.envVars }, encoding: "utf8" });
  // Every line of the key's body (the first is the same in every OpenSSH key: skip it).
  for (const line of client.privateKey.split("\n").slice(2, -2)) {
    const at = state.indexOf(line);
    expect(at === -1 ? "absent" : state.slice(Math.max(0, at - 300), at + 80)).toBe("absent");
  }

  await t.stack.destroy(streamOutput);
  expect(containersLabelled(STACK_LABEL, t.runId)).toEqual([]);
  expect(networksLabelled(STACK_LABEL, t.runId)).toEqual([]);
  expect(volumesLabelled(STACK_LABEL, t.runId)).toEqual([]);
});

test("a server whose host key is not the configured one is refused before any Docker object exists", async () => {
  const other = keygen("not-the-server").publicKey.split(" ").slice(0, 2).join(" ");
  const { t } = await sshStack("ssh-badkey", other);
  await expect(t.stack.up(streamOutput)).rejects.toThrow(/host key verification failed/);
  expect(containersLabelled(STACK_LABEL, t.runId)).toEqual([]);
  expect(networksLabelled(STACK_LABEL, t.runId)).toEqual([]);
});
