// The DevOps lab on the real three-node swarm (support/swarm-cluster.ts), deployed by the program
// with target swarm and `lab.registry: host`: blue and green go through the swarm's registry
// like every build (the lab's own registry listens on 127.0.0.1 of one engine, which a swarm
// cannot keep); the spawner, on the manager, starts webapps from the image the app built there,
// on the app's overlay network, and the proxy (a swarm task on any node) reaches them; the
// blue → green switch under requests; `destroy` leaves nothing, spawned containers included.
import { projectStack, tearDown, streamOutput, setConfig, secondRun, TestStack } from "../../support/workspace";
import { http } from "../../support/net";
import { standIn } from "../../support/images";
import { startSwarmCluster, SwarmCluster } from "../../support/swarm-cluster";
import { eventually } from "../../support/eventually";
import { underLoad } from "../../support/load";

const STACK_LABEL = "appstacks.stack";
let t: TestStack | undefined;
let cluster: SwarmCluster | undefined;
let urls: Record<string, string>;
let lab: Record<string, unknown>;

const name = (svc: string) => `appstacks-${t!.runId}-lab-${svc}`.toLowerCase();
const labelled = (kind: string) => cluster!.labelled(kind, STACK_LABEL, t!.runId);
const onManager = (args: string[]) => cluster!.docker(args).then((out) => out.trim());

/** The servers the lab's proxy round-robins over, read from redis inside its task. */
async function servers(): Promise<string[]> {
  const [task] = await cluster!.runningTasks(name("redis"));
  const node = cluster!.nodes.find((n) => n.container === task.node)!;
  const container = (await cluster!.dockerOn(node, ["ps", "--filter", `label=com.docker.swarm.service.name=${name("redis")}`, "--format", "{{.Names}}"])).trim();
  return (await cluster!.dockerOn(node, ["exec", container, "redis-cli", "LRANGE", "servers", "0", "-1"])).split("\n").filter((l) => l !== "");
}

async function getJson(url: string): Promise<{ status: number; body: any; upstream: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json(), upstream: res.headers.get("x-upstream") };
}

beforeAll(async () => {
  t = await projectStack("swarm-lab");
  cluster = await startSwarmCluster(t.runId.toLowerCase());
  const pushed = await cluster.pushImages([standIn("redis"), standIn("debian"), standIn("traefik")]);
  // The lab's images build FROM the base on the manager, under its usual name.
  await cluster.baseOnManager(standIn("debian"), pushed);
  lab = { registry: "host", live: "blue", writeIntervalSeconds: 2 };
  await setConfig(t.stack, {
    "appstacks:target": "swarm",
    "appstacks:swarm": cluster.programSettings,
    "appstacks:apps": ["lab"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": { redis: pushed[standIn("redis")], debian: standIn("debian"), traefik: pushed[standIn("traefik")] },
    "appstacks:lab": lab,
  });
});

afterAll(async () => {
  await tearDown(t);
  await cluster?.stop();
});

test("up: every long-running service a swarm service whose task runs, no registry of the lab's own, the switch ran on the manager", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  urls = up.outputs.urls.value as Record<string, string>;
  expect(urls.lab).toBe(`http://${cluster!.nodes[0].ip}:3456/`);
  const services = (await labelled("service")).map((s) => s.replace(/^.*-lab-/, "")).sort();
  expect(services).toEqual(["blue", "front-proxy", "green", "proxy", "reader", "redis", "spawner", "webapp", "writer"]);
  for (const s of services) expect([s, await onManager(["service", "ls", "--filter", `name=${name(s)}`, "--format", "{{.Replicas}}"])]).toEqual([s, "1/1"]);
  expect(await onManager(["inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name("switch")])).toBe("exited 0");
  expect(await labelled("volume")).toEqual([]);
  expect((await getJson(urls["lab-live"])).body.color).toBe("blue");
});

test("the spawner starts a webapp on the manager from the image the app built; the proxy, a task on any node, reaches it over the overlay", async () => {
  expect(await servers()).toEqual(["http://webapp:3000"]);
  const spawned = await getJson(`${urls.lab}spawn`);
  expect(spawned.status).toBe(201);
  const child = `${name("webapp")}-3001`;
  expect(spawned.body.spawned).toBe(`http://${child}:3001`);
  expect(await onManager(["inspect", "--format", "{{.Config.Image}} {{.State.Health.Status}}", child])).toBe(`${name("webapp")}:built healthy`);
  const seen = new Map<string, number>();
  for (let i = 0; i < 20; i++) {
    const r = await getJson(urls.lab);
    expect(r.status).toBe(200);
    seen.set(r.upstream!, (seen.get(r.upstream!) ?? 0) + 1);
  }
  expect([...seen.keys()].sort()).toEqual((await servers()).sort());
  expect([...seen.values()]).toEqual([10, 10]);
  const destroyed = await getJson(`${urls.lab}destroy`);
  expect([destroyed.status, destroyed.body.destroyed]).toEqual([200, spawned.body.spawned]);
  await eventually(`${child} removed`, async () => expect(await onManager(["ps", "-a", "--filter", `name=${child}`, "--format", "{{.Names}}"])).toBe(""), 30_000);
});

test("blue → green under requests: none fails, the proxy and blue are not touched, live answers green", async () => {
  const proxyVersion = await onManager(["service", "inspect", "--format", "{{.Version.Index}}", name("proxy")]);
  await setConfig(t!.stack, { "appstacks:lab": { ...lab, live: "green" } });
  let changes: Record<string, number> = {};
  const { load } = await underLoad(urls["lab-live"], { rate: 50, connections: 8, leadMs: 1000 }, async () => {
    const up = await t!.stack.up(streamOutput);
    const { same, ...changed } = up.summary.resourceChanges ?? {};
    changes = changed;
  });
  // sent also counts what was on the wire when the load stopped (autocannon drops those clients).
  process.stdout.write(`switch under load on the swarm: ${load.ok} answered 2xx, ${load.failed} failed (non-2xx ${load.non2xx}, errors and time-outs ${load.errors}), worst ${load.worstLatencyMs} ms\n`);
  expect(load.failed).toBe(0);
  expect(changes).toEqual({ replace: 1 }); // the switch job only
  expect(await onManager(["service", "inspect", "--format", "{{.Version.Index}}", name("proxy")])).toBe(proxyVersion);
  for (let i = 0; i < 5; i++) expect((await getJson(urls["lab-live"])).body.color).toBe("green");
  lab = { ...lab, live: "green" };
});

test("the reader, on one node, returns what the writer, maybe on another, wrote", async () => {
  await eventually("the reader's page", async () => {
    const page = await http(urls["lab-reader"]);
    expect(page.status).toBe(200);
    expect(page.body.trim().split("\n").length).toBeGreaterThan(0);
  }, 30_000);
});

test("a second preview and up change nothing", async () => {
  expect(await secondRun(t!.stack)).toEqual({ planned: {}, diff: "", changed: {} });
});

test("destroy leaves no service, secret, config, network or container, a spawned one included", async () => {
  expect((await getJson(`${urls.lab}spawn`)).status).toBe(201);
  await t!.stack.destroy(streamOutput);
  for (const kind of ["service", "secret", "config", "network", "volume"]) expect({ kind, left: await labelled(kind) }).toEqual({ kind, left: [] });
  expect(await onManager(["ps", "-a", "--filter", `label=${STACK_LABEL}=${t!.runId}`, "--format", "{{.Names}}"])).toBe("");
});
