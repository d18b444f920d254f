// A real three-node Docker Swarm (support/swarm-cluster.ts): one manager and two workers
// as Docker-in-Docker containers, images handed to them through the registry stand-in. Proves the
// nodes form a swarm, a pushed image runs as a service spread one task per node with a host-mode
// port answering on each node, and tasks on different nodes reach each other over an overlay
// network by service name (DNS round-robin; this kernel has no IPVS, so no VIPs and no routing
// mesh). Prints how long the cluster took to start, the push and the pulls, and what idle nodes use.
import * as http from "http";
import { uniqueRunId } from "../../support/workspace";
import { removeSwarmCluster, startSwarmCluster, SwarmCluster, SWARM_LABEL } from "../../support/swarm-cluster";
import { eventually } from "../../support/eventually";
import { execFileSync } from "child_process";

const IMAGE = "appstacks/nginx:local";
const name = uniqueRunId("swarm");
let cluster: SwarmCluster | undefined;
let pulled: Record<string, string> = {};
const report: string[] = [];

function getStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on("timeout", () => req.destroy(new Error(`${url}: timed out`)));
    req.on("error", reject);
  });
}

beforeAll(async () => {
  cluster = await startSwarmCluster(name);
  const t = cluster.timings;
  report.push(`cluster ${name}: engines answering ${t.enginesMs} ms, swarm formed (3 Ready) ${t.swarmMs} ms, ready (nodes labelled) ${t.totalMs} ms`);
}, 300_000);

afterAll(async () => {
  await cluster?.stop();
  await removeSwarmCluster(name);
  process.stdout.write(report.map((l) => `[swarm-cluster] ${l}\n`).join(""));
});

test("three Ready nodes, one manager (the leader) and two workers, labelled appstacks.node=<index>", async () => {
  const c = cluster!;
  const nodes = (await c.docker(["node", "ls", "--format", "{{.ID}} {{.Hostname}} {{.Status}} {{.ManagerStatus}}"])).split("\n").map((l) => l.trim()).sort();
  expect(nodes).toEqual(c.nodes.map((n) => `${n.nodeId} ${n.container} Ready ${n.role === "manager" ? "Leader" : ""}`.trim()).sort());
  expect(c.nodes.map((n) => n.role)).toEqual(["manager", "worker", "worker"]);
  for (const n of c.nodes) {
    expect(await c.docker(["node", "inspect", "-f", '{{index .Spec.Labels "appstacks.node"}} {{.Spec.Role}}', n.nodeId])).toBe(`${n.index} ${n.role}`);
  }
  // Every container, volume and network of the cluster carries the test's label.
  const labelled = execFileSync("docker", ["ps", "-a", "--filter", `label=${SWARM_LABEL}=${name}`, "--format", "{{.Names}}"], { encoding: "utf8" }).trim().split("\n").sort();
  expect(labelled).toEqual([...c.nodes.map((n) => n.container), `${name}-registry`].sort());
  await new Promise((r) => setTimeout(r, 10_000)); // let the nodes settle before measuring them idle
  const stats = execFileSync("docker", ["stats", "--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}}", ...c.nodes.map((n) => n.container)], { encoding: "utf8" }).trim();
  report.push(`idle nodes (docker stats): ${stats.split("\n").join("; ")}`);
});

test("an image pushed through the registry runs as a dnsrr service, one task per node, each answering HTTP on its node's host-mode port", async () => {
  const c = cluster!;
  let t0 = Date.now();
  pulled = await c.pushImages([IMAGE]);
  const mb = Math.round(Number(execFileSync("docker", ["image", "inspect", "-f", "{{.Size}}", IMAGE], { encoding: "utf8" })) / 1e6);
  report.push(`push of ${IMAGE} (${mb} MB) to the registry: ${Date.now() - t0} ms`);
  expect(pulled[IMAGE]).toBe(`${c.registryAddress}/appstacks/nginx:local`);
  t0 = Date.now();
  await Promise.all(c.nodes.map((n) => c.dockerOn(n, ["pull", "-q", pulled[IMAGE]], { timeoutMs: 600_000 })));
  report.push(`pull of ${pulled[IMAGE]} on the 3 nodes at once: ${Date.now() - t0} ms`);

  await c.docker(["network", "create", "-d", "overlay", "--attachable", "appnet"]);
  t0 = Date.now();
  await c.docker(["service", "create", "-q", "--detach=false", "--name", "web", "--replicas", "3",
    "--endpoint-mode", "dnsrr", "--network", "appnet", "--publish", "mode=host,target=80,published=8080",
    "--replicas-max-per-node", "1", "--placement-pref", "spread=node.labels.appstacks.node", pulled[IMAGE]], { timeoutMs: 300_000 });
  report.push(`service web (3 replicas) converged: ${Date.now() - t0} ms`);
  const running = (await c.docker(["service", "ps", "web", "--filter", "desired-state=running", "--format", "{{.Node}} {{.CurrentState}}"])).split("\n");
  expect(running.map((l) => l.split(" ")[0]).sort()).toEqual(c.nodes.map((n) => n.container).sort());
  for (const l of running) expect(l).toMatch(/ Running /);
  for (const n of c.nodes) {
    await eventually(`http://${n.ip}:8080/ (${n.container})`, async () => expect(await getStatus(`http://${n.ip}:8080/`)).toBe(200), 60_000);
  }
});

test("a task on one node reaches the tasks on the other nodes over the overlay network, by service name (DNS round-robin)", async () => {
  const c = cluster!;
  // Each node's task and its address on the overlay network.
  const tasks = await Promise.all(c.nodes.map(async (n) => {
    const id = await c.dockerOn(n, ["ps", "-q", "--filter", "label=com.docker.swarm.service.name=web"]);
    const ip = await c.dockerOn(n, ["inspect", "-f", '{{(index .NetworkSettings.Networks "appnet").IPAddress}}', id]);
    return { node: n, id, ip };
  }));
  const [here, ...others] = tasks;
  const inTask = (script: string) => c.dockerOn(here.node, ["exec", here.id, "bash", "-c", script]);
  // The service name resolves to every task (dnsrr: no virtual IP).
  const resolved = (await inTask("getent ahostsv4 web | awk '{print $1}' | sort -u")).split("\n");
  expect(resolved.sort()).toEqual(tasks.map((t) => t.ip).sort());
  // The manager's task reaches each worker's task across the overlay (VXLAN between the nodes).
  const get = (host: string) => `exec 3<>/dev/tcp/${host}/80 && printf 'GET / HTTP/1.0\\r\\nHost: web\\r\\n\\r\\n' >&3 && head -1 <&3`;
  for (const other of others) expect(await inTask(get(other.ip))).toMatch(/^HTTP\/1\.1 200/);
  // And by name: a few connections to "web" all answer (round-robin over the three tasks).
  for (let i = 0; i < 3; i++) expect(await inTask(get("web"))).toMatch(/^HTTP\/1\.1 200/);
});

test("stop removes every container, volume and network of the cluster, and is idempotent", async () => {
  const c = cluster!;
  await c.stop();
  await c.stop();
  for (const kind of [["ps", "-a"], ["volume", "ls"], ["network", "ls"]]) {
    expect(execFileSync("docker", [...kind, "-q", "--filter", `label=${SWARM_LABEL}=${name}`], { encoding: "utf8" }).trim()).toBe("");
  }
});
