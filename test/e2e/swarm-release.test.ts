// Releases on a real three-node swarm (test/e2e/programs/swarm-release: one web service, two
// tasks, its site a swarm config, behind the app's Traefik on the manager, which follows the
// swarm's tasks): a new release rolls out under 200 requests a second with none failed; a release
// that fails its health check never gets a request, is rolled back by the swarm itself
// (failure_action: rollback) and `up` says so; the next good release rolls out and its old
// config is removed.
import * as path from "path";
import { execFileSync } from "child_process";
import { testStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { http } from "../../support/net";
import { standIn } from "../../support/images";
import { failureText } from "./support/cli";
import { LoadOutcome, underLoad } from "../../support/load";
import { startSwarmCluster, SwarmCluster } from "../../support/swarm-cluster";

const PROGRAM = path.join(__dirname, "programs", "swarm-release");
const PORT = 8080;
/** The rate issue #20 asks a rolling update to serve with no failed request. */
const RATE = 200;
let t: TestStack | undefined;
let cluster: SwarmCluster | undefined;

const onManager = (args: string[]) => execFileSync("docker", ["-H", cluster!.dockerHost, ...args], { encoding: "utf8" }).trim();
const configsOfStack = () => cluster!.labelled("config", "appstacks.stack", t!.runId);
// The project name is short: a swarm names a service or network in at most 63 characters.
const service = (role: string) => `swarm-release-${t!.runId}-site-${role}`.toLowerCase();
const url = () => `http://${cluster!.nodes[0].ip}:${PORT}/`;

/** The distinct pages 20 requests through the proxy get. */
async function pages(): Promise<string[]> {
  const got = new Set<string>();
  for (let i = 0; i < 20; i++) got.add((await http(url())).body.trim());
  return [...got].sort();
}

/** `up` under steady load through the proxy: what the load saw, and `up`'s failure text if it failed. */
async function upUnderLoad(): Promise<{ load: LoadOutcome; failure?: string }> {
  const { value: failure, load } = await underLoad(url(), { rate: RATE, tailMs: 3000 }, async () => {
    try {
      await t!.stack.up(streamOutput);
      return undefined;
    } catch (e) {
      return failureText(() => Promise.reject(e));
    }
  });
  process.stdout.write(`under load: ${load.sent} requests at ${load.achievedRate}/s, ${load.ok} ok, ${load.failed} failed, worst ${load.worstLatencyMs} ms\n`);
  return { load, failure };
}

beforeAll(async () => {
  t = await testStack(PROGRAM, "swarm-release");
  cluster = await startSwarmCluster(t.runId.toLowerCase());
  const pushed = await cluster.pushImages([standIn("nginx"), standIn("traefik")]);
  await setConfig(t.stack, {
    runId: t.runId, dockerHost: cluster.dockerHost, image: pushed[standIn("nginx")], proxyImage: pushed[standIn("traefik")], port: String(PORT), release: "1",
  });
});

afterAll(async () => {
  await tearDown(t);
  await cluster?.stop();
});

test("release 1 runs two tasks on two nodes, reached through the proxy on the manager, which alone publishes a port", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const web = await cluster!.runningTasks(service("web"));
  expect(new Set(web.map((x) => x.node)).size).toBe(2);
  expect((await cluster!.runningTasks(service("front-proxy"))).map((x) => x.node)).toEqual([cluster!.nodes[0].container]);
  expect(onManager(["service", "inspect", service("web"), "--format", "{{json .Endpoint.Ports}}"])).toBe("null");
  expect(await pages()).toEqual(["release 1"]);
});

test(`release 2 rolls out task by task under ${RATE} requests a second, none failed`, async () => {
  await setConfig(t!.stack, { release: "2" });
  const { load, failure } = await upUnderLoad();
  expect(failure).toBeUndefined();
  expect({ failed: load.failed, ok: load.ok > 0 }).toEqual({ failed: 0, ok: true });
  expect(await pages()).toEqual(["release 2"]);
});

test("release 3 fails its health check: it never gets a request, the swarm rolls it back by itself and up fails saying so", async () => {
  await setConfig(t!.stack, { release: "3", healthy: false });
  const { load, failure } = await upUnderLoad();
  expect(failure).toContain("service rollback completed");
  expect(onManager(["service", "inspect", service("web"), "--format", "{{.UpdateStatus.State}}"])).toBe("rollback_completed");
  // A request that reached release 3 would have failed: it listens on the wrong port.
  expect({ failed: load.failed, ok: load.ok > 0 }).toEqual({ failed: 0, ok: true });
  expect(await pages()).toEqual(["release 2"]);
  expect((await cluster!.runningTasks(service("web"))).length).toBe(2);
});

test("release 4 rolls out; only its config is left", async () => {
  await setConfig(t!.stack, { release: "4", healthy: true });
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  expect(await pages()).toEqual(["release 4"]);
  expect(await configsOfStack()).toHaveLength(1);
});
