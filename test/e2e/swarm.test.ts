// Biostar on a real three-node Docker Swarm (test/e2e/support/swarm-cluster.ts: a manager and two
// workers in Docker-in-Docker), deployed by the project's own program with target swarm: the
// database on the data node with its volume, the jobs run once on the manager, the web app as
// three tasks spread over the nodes, built on the manager and pulled by every node through the
// registry. This kernel has no IPVS, so the stack uses DNS round robin and host-mode ports.
import { execFileSync } from "child_process";
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { http } from "../../support/net";
import { standIn } from "../../support/images";
import { startSwarmCluster, SwarmCluster } from "./support/swarm-cluster";

const STACK_LABEL = "appstacks.stack";
const PORT = 8000;
let t: TestStack | undefined;
let cluster: SwarmCluster | undefined;

/** Objects of a kind (service, secret, config, network, volume) on the manager with the stack's label. */
function onManager(kind: string): string[] {
  const out = execFileSync("docker", ["-H", cluster!.dockerHost, kind, "ls", "--filter", `label=${STACK_LABEL}=${t!.runId}`, "--format", "{{.Name}}"], { encoding: "utf8" });
  return out.split("\n").filter((l) => l !== "");
}

function tasksOf(service: string): { node: string; state: string }[] {
  const out = execFileSync("docker", ["-H", cluster!.dockerHost, "service", "ps", service, "--filter", "desired-state=running", "--format", "{{.Node}} {{.CurrentState}}"], { encoding: "utf8" });
  return out.split("\n").filter((l) => l !== "").map((l) => ({ node: l.split(" ")[0], state: l.split(" ").slice(1).join(" ") }));
}

beforeAll(async () => {
  t = await projectStack("swarm");
  cluster = await startSwarmCluster(t.runId.toLowerCase());
  process.stdout.write(`swarm of ${cluster.nodes.length} nodes ready in ${cluster.timings.totalMs} ms\n`);
  const manager = cluster.nodes[0];
  await cluster.docker(["node", "update", "--label-add", "appstacks.data=true", manager.nodeId]);
  const pushed = await cluster.pushImages([standIn("postgres"), standIn("debian")]);
  // The web image builds FROM the base on the manager, under its usual name: Docker 20.10's
  // BuildKit asks a registry in the FROM line over HTTPS whatever the engine's
  // insecure-registries say (ours is plain HTTP), while a local image needs no registry.
  await cluster.docker(["pull", "-q", pushed[standIn("debian")]]);
  await cluster.docker(["tag", pushed[standIn("debian")], standIn("debian")]);
  await setConfig(t.stack, {
    "appstacks:target": "swarm",
    "appstacks:apps": ["biostar"],
    "appstacks:imageOverrides": { postgres: pushed[standIn("postgres")], debian: standIn("debian") },
    "appstacks:biostar": { port: PORT },
    "appstacks:swarm": {
      dockerHost: cluster.dockerHost, address: manager.ip, endpointMode: "dnsrr", publishMode: "host",
      registry: cluster.registryAddress, replicas: { "biostar.web": 3 },
    },
  });
});

afterAll(async () => {
  await tearDown(t);
  await cluster?.stop();
});

test("up deploys Biostar on the swarm: the site answers on every node, data read from PostgreSQL, initialised once", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const url = (up.outputs.urls.value as Record<string, string>).biostar;
  expect(url).toBe(`http://${cluster!.nodes[0].ip}:${PORT}/`);
  for (const node of cluster!.nodes) {
    const page = await http(`http://${node.ip}:${PORT}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain("posts: 1; initialised: 1");
  }
});

test("the web app runs one task on each of the three nodes; the database on the data node", () => {
  const web = tasksOf(`appstacks-${t!.runId}-biostar-web`.toLowerCase());
  expect(web.map((x) => x.node).sort()).toEqual(cluster!.nodes.map((n) => n.container).sort());
  expect(web.every((x) => x.state.startsWith("Running"))).toBe(true);
  expect(tasksOf(`appstacks-${t!.runId}-biostar-db`.toLowerCase()).map((x) => x.node)).toEqual([cluster!.nodes[0].container]);
});

test("a second preview and up change nothing", async () => {
  const up = await t!.stack.up(streamOutput);
  const { same, ...changed } = up.summary.resourceChanges ?? {};
  expect(changed).toEqual({});
});

test("the database password is a swarm secret: a file in the task, in no service spec", async () => {
  const services = onManager("service");
  const secrets = onManager("secret");
  expect(secrets.length).toBeGreaterThan(0);
  const db = cluster!.nodes[0];
  const task = (await cluster!.dockerOn(db, ["ps", "--filter", "label=com.docker.swarm.service.name", "--format", "{{.Names}}"])).split("\n").find((n) => n.includes("-biostar-db."))!;
  const password = (await cluster!.dockerOn(db, ["exec", task, "cat", "/run/secrets/db-password"])).trim();
  expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
  for (const s of services) expect(execFileSync("docker", ["-H", cluster!.dockerHost, "service", "inspect", s], { encoding: "utf8" })).not.toContain(password);
});

test("destroy leaves no service, secret, config or network on the swarm; the data volume stays", async () => {
  await t!.stack.destroy(streamOutput);
  for (const kind of ["service", "secret", "config", "network"]) expect({ kind, left: onManager(kind) }).toEqual({ kind, left: [] });
  expect(onManager("volume").length).toBe(1);
});
