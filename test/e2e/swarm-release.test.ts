// Releases on a real three-node swarm (test/e2e/programs/swarm-release: one web service, two
// tasks, its site a swarm config): a release that fails its health check is rolled back by the
// swarm itself (failure_action: rollback) and `up` says so, no node serving the failed release and
// both tasks back on the release before; the next good release rolls out and its old config is removed.
import * as path from "path";
import { execFileSync } from "child_process";
import { testStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { http } from "../../support/net";
import { standIn } from "../../support/images";
import { failureText } from "./support/cli";
import { eventually } from "./support/eventually";
import { startSwarmCluster, SwarmCluster } from "./support/swarm-cluster";

const PROGRAM = path.join(__dirname, "programs", "swarm-release");
const PORT = 8080;
let t: TestStack | undefined;
let cluster: SwarmCluster | undefined;

const onManager = (args: string[]) => execFileSync("docker", ["-H", cluster!.dockerHost, ...args], { encoding: "utf8" }).trim();
const configsOfStack = () => onManager(["config", "ls", "--filter", `label=appstacks.stack=${t!.runId}`, "--format", "{{.Name}}"]).split("\n").filter((l) => l !== "");

/** What every node running a task answers on /. */
async function pages(): Promise<string[]> {
  const service = `appstacks-swarm-release-${t!.runId}-site-web`.toLowerCase();
  const nodes = (await cluster!.runningTasks(service)).map((x) => x.node);
  return Promise.all(cluster!.nodes.filter((n) => nodes.includes(n.container)).map(async (n) => (await http(`http://${n.ip}:${PORT}/`)).body.trim()));
}

beforeAll(async () => {
  t = await testStack(PROGRAM, "swarm-release");
  cluster = await startSwarmCluster(t.runId.toLowerCase());
  const pushed = await cluster.pushImages([standIn("nginx")]);
  await setConfig(t.stack, { runId: t.runId, dockerHost: cluster.dockerHost, image: pushed[standIn("nginx")], port: String(PORT), release: "1" });
});

afterAll(async () => {
  await tearDown(t);
  await cluster?.stop();
});

test("release 1 runs two tasks on two nodes", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  // The task the failed release replaced (stop-first: host-mode ports) is started again with the
  // release before; the other never stopped.
  expect((await pages()).filter((p) => p !== "release 1")).toEqual([]);
  await eventually("both tasks back on release 1", async () => expect(await pages()).toEqual(["release 1", "release 1"]), 60_000);
});

test("release 2 fails its health check: the swarm rolls it back by itself, up fails saying so, no task serves release 2 and both serve release 1 again", async () => {
  await setConfig(t!.stack, { release: "2", healthy: false });
  const started = Date.now();
  const text = await failureText(() => t!.stack.up(streamOutput));
  process.stdout.write(`failed release rolled back in ${Date.now() - started} ms\n`);
  expect(text).toContain("service rollback completed");
  expect(onManager(["service", "inspect", `appstacks-swarm-release-${t!.runId}-site-web`.toLowerCase(), "--format", "{{.UpdateStatus.State}}"])).toBe("rollback_completed");
  expect(await pages()).toEqual(["release 1", "release 1"]);
});

test("release 3 rolls out; only its config is left", async () => {
  await setConfig(t!.stack, { release: "3", healthy: true });
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  expect(await pages()).toEqual(["release 3", "release 3"]);
  expect(configsOfStack()).toHaveLength(1);
});
