// The DevOps lab deployed for real: the proxy reaches every server in redis's list (a spawned one
// included), a blue→green switch under continuous requests loses none and replaces no proxy, the
// reader returns what the writer wrote, and destroy removes spawned containers too.
import { execFileSync } from "child_process";
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, networksLabelled, healthOf, execIn, removeLabelled, volumesLabelled } from "./support/docker";
import { freePortsFor, http } from "../../support/net";
import { standIns } from "../../support/images";

const STACK_LABEL = "appstacks.stack";
let t: TestStack | undefined;
let ports: Record<string, number>;
let urls: Record<string, string>;
let lab: Record<string, unknown>;

const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
const name = (svc: string) => `appstacks-${t!.runId}-lab-${svc}`.toLowerCase();
const servers = () => execIn(name("redis"), ["redis-cli", "LRANGE", "servers", "0", "-1"]).split("\n").filter((l) => l !== "");

/** The spawner answers /destroy before the container has finished its requests and gone. */
async function removedWithin(container: string, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 250))) {
    if (!containersLabelled(STACK_LABEL, t!.runId).includes(container)) return true;
  }
  return false;
}

async function getJson(url: string): Promise<{ status: number; body: any; upstream: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json(), upstream: res.headers.get("x-upstream") };
}

beforeAll(async () => {
  t = await projectStack("lab");
  ports = await freePortsFor(["proxyPort", "livePort", "registryPort", "bluePort", "greenPort", "readerPort"]);
  lab = { ...ports, live: "blue", writeIntervalSeconds: 2 };
  await setConfig(t.stack, {
    "appstacks:apps": ["lab"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("redis", "registry", "debian"),
    "appstacks:lab": lab,
  });
});

afterAll(async () => {
  await tearDown(t);
  if (t) {
    removeLabelled(STACK_LABEL, t.runId);
    for (const v of volumesLabelled(STACK_LABEL, t.runId)) docker("volume", "rm", "-f", v);
  }
});

test("up: every service healthy, the switch job ran, blue and green came through the registry", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  urls = up.outputs.urls.value as Record<string, string>;
  const containers = containersLabelled(STACK_LABEL, t!.runId).map((n) => n.replace(/^.*-lab-/, "")).sort();
  expect(containers).toEqual(["blue", "front-proxy", "green", "proxy", "reader", "redis", "registry", "spawner", "switch", "webapp", "writer"]);
  for (const c of containers.filter((c) => c !== "switch")) expect(`${c}: ${healthOf(name(c))}`).toBe(`${c}: healthy`);
  expect(docker("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", name("switch"))).toBe("exited 0");
  // Only the spawner and the front proxy (it reads its routes from the engine) hold the engine's socket.
  for (const c of containers) {
    const mounts = docker("inspect", "--format", "{{range .Mounts}}{{.Source}} {{end}}", name(c));
    expect(`${c}: ${mounts.includes("docker.sock")}`).toBe(`${c}: ${c === "spawner" || c === "front-proxy"}`);
  }
  // The lab's entry points roll out behind the front proxy, which alone publishes their ports.
  for (const c of ["proxy", "reader"]) expect(`${c}: ${docker("inspect", "--format", "{{json .HostConfig.PortBindings}}", name(c))}`).toMatch(new RegExp(`^${c}: (\\{\\}|null)$`));
  const repo = `appstacks-${t!.runId}-lab-app`.toLowerCase();
  const tags = await getJson(`http://127.0.0.1:${ports.registryPort}/v2/${repo}/tags/list`);
  expect(tags.body.tags.sort()).toEqual(["blue", "green"]);
  for (const c of ["blue", "green"]) {
    const image = docker("inspect", "--format", "{{.Image}}", name(c));
    expect(docker("image", "inspect", "--format", "{{json .RepoDigests}}", image)).toContain(`127.0.0.1:${ports.registryPort}/${repo}@sha256:`);
    const direct = await getJson(`http://localhost:${ports[`${c}Port`]}/`);
    expect(direct.body.color).toBe(c);
  }
});

test("the proxy round-robins over every server in redis, a spawned one included; /destroy removes it, never the base", async () => {
  expect(servers()).toEqual(["http://webapp:3000"]);
  const spawned = await getJson(`${urls.lab}spawn`);
  expect(spawned.status).toBe(201);
  expect(spawned.body.spawned).toBe(`http://${name("webapp")}-3001:3001`);
  expect(servers()).toEqual(["http://webapp:3000", spawned.body.spawned]);
  const child = `${name("webapp")}-3001`;
  expect(healthOf(child)).toBe("healthy");
  expect(docker("inspect", "--format", "{{index .Config.Labels \"appstacks.spawned\"}} {{index .Config.Labels \"appstacks.stack\"}}", child)).toBe(`true ${t!.runId}`);

  const seen = new Map<string, number>();
  for (let i = 0; i < 20; i++) {
    const r = await getJson(urls.lab);
    expect(r.status).toBe(200);
    seen.set(r.upstream!, (seen.get(r.upstream!) ?? 0) + 1);
  }
  expect([...seen.keys()].sort()).toEqual(servers().sort());
  expect([...seen.values()]).toEqual([10, 10]);

  const destroyed = await getJson(`${urls.lab}destroy`);
  expect(destroyed.status).toBe(200);
  expect(destroyed.body.destroyed).toBe(spawned.body.spawned);
  expect(servers()).toEqual(["http://webapp:3000"]);
  expect(await removedWithin(child, 30000)).toBe(true);
  const none = await getJson(`${urls.lab}destroy`);
  expect(none.status).toBe(409);
  expect(servers()).toEqual(["http://webapp:3000"]);
});

test("blue→green switch under continuous requests: none fails, the proxy is not replaced, blue keeps running", async () => {
  expect((await getJson(urls["lab-live"])).body.color).toBe("blue");
  const proxyId = docker("inspect", "--format", "{{.Id}}", name("proxy"));
  const blueId = docker("inspect", "--format", "{{.Id}}", name("blue"));

  let running = true;
  const counts = { sent: 0, failed: 0, blue: 0, green: 0 };
  const failures: string[] = [];
  const worker = async () => {
    while (running) {
      counts.sent++;
      try {
        const r = await getJson(urls["lab-live"]);
        if (r.status !== 200) throw new Error(`status ${r.status}`);
        counts[r.body.color as "blue" | "green"]++;
      } catch (e) {
        counts.failed++;
        failures.push(String(e));
      }
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, worker));
  await setConfig(t!.stack, { "appstacks:lab": { ...lab, live: "green" } });
  const up = await t!.stack.up(streamOutput);
  await new Promise((r) => setTimeout(r, 1000));
  running = false;
  await load;
  process.stdout.write(`switch under load: ${JSON.stringify(counts)}\n`);

  expect(up.summary.result).toBe("succeeded");
  expect(failures).toEqual([]);
  expect(counts.blue).toBeGreaterThan(0);
  expect(counts.green).toBeGreaterThan(0);
  const { same, ...changes } = up.summary.resourceChanges ?? {};
  expect(changes).toEqual({ replace: 1 }); // the switch job only
  expect(docker("inspect", "--format", "{{.Id}}", name("proxy"))).toBe(proxyId);
  expect(docker("inspect", "--format", "{{.Id}}", name("blue"))).toBe(blueId);
  expect(healthOf(name("blue"))).toBe("healthy");
  for (let i = 0; i < 5; i++) expect((await getJson(urls["lab-live"])).body.color).toBe("green");
  lab = { ...lab, live: "green" };
});

test("the reader returns what the writer wrote", async () => {
  const before = execIn(name("writer"), ["cat", "/data/random"]);
  const page = await http(urls["lab-reader"]);
  const after = execIn(name("writer"), ["cat", "/data/random"]);
  expect(page.status).toBe(200);
  const body = page.body.replace(/\r\n/g, "\n").trim();
  expect(body.split("\n").length).toBeGreaterThan(0);
  expect(body.startsWith(before)).toBe(true);
  expect(after.startsWith(body)).toBe(true);
});

test("a second up changes nothing", async () => {
  const up = await t!.stack.up(streamOutput);
  const { same, ...changes } = up.summary.resourceChanges ?? {};
  expect(changes).toEqual({});
});

test("destroy leaves nothing labelled, spawned containers included", async () => {
  const spawned = await getJson(`${urls.lab}spawn`);
  expect(spawned.status).toBe(201);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toContain(`${name("webapp")}-3001`);
  await t!.stack.destroy(streamOutput);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(networksLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(volumesLabelled(STACK_LABEL, t!.runId)).toEqual([]);
});
