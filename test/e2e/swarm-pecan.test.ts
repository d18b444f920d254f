// PEcAn on the real three-node swarm (support/swarm-cluster.ts), deployed by the program with
// target swarm: its routes by path (/, /pecan/, /bety/, /api/, /monitor/, /dbsync/) through its
// Traefik on the manager, which reads the swarm's services; every long-running service a swarm
// service whose tasks run; the services that share its runs volume on the data node with it;
// `destroy` leaves no service, secret, config or network.
import { execFileSync } from "child_process";
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { http } from "../../support/net";
import { PECAN_IMAGES, standIns } from "../../support/images";
import { startSwarmCluster, SwarmCluster } from "../../support/swarm-cluster";

const STACK_LABEL = "appstacks.stack";
const PORT = 8088;
let t: TestStack | undefined;
let cluster: SwarmCluster | undefined;

const onManager = (args: string[]) => execFileSync("docker", ["-H", cluster!.dockerHost, ...args], { encoding: "utf8" }).trim();
const labelled = (kind: string) => cluster!.labelled(kind, STACK_LABEL, t!.runId);
const base = () => `http://${cluster!.nodes[0].ip}:${PORT}`;

beforeAll(async () => {
  t = await projectStack("swarm-pecan");
  cluster = await startSwarmCluster(t.runId.toLowerCase());
  await cluster.docker(["node", "update", "--label-add", "appstacks.data=true", cluster.nodes[0].nodeId]);
  const images = standIns("postgis/postgis", "rabbitmq", "nginx", ...PECAN_IMAGES);
  const pushed = await cluster.pushImages(Object.values(images));
  await setConfig(t.stack, {
    "appstacks:target": "swarm",
    "appstacks:swarm": cluster.programSettings,
    "appstacks:apps": ["pecan"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": Object.fromEntries(Object.entries(images).map(([image, ref]) => [image, pushed[ref]])),
    "appstacks:pecan": { port: PORT, fqdn: "pecan-swarm", name: "swarm", machineId: 43 },
  });
});

afterAll(async () => {
  await tearDown(t);
  await cluster?.stop();
});

test("up: PEcAn's routes by path answer through its Traefik on the manager; every service a swarm service whose tasks run", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const services = await labelled("service");
  expect(services.map((s) => s.replace(/^.*-pecan-/, "")).sort()).toEqual(["api", "bety", "dbsync", "docs", "executor", "front-proxy", "monitor", "postgres", "rabbitmq", "runner-sipnet", "web"]);
  for (const s of services) expect([s, onManager(["service", "ls", "--filter", `name=${s}`, "--format", "{{.Replicas}}"])]).toEqual([s, "1/1"]);
  const web = await http(`${base()}/pecan/`);
  expect([web.status, web.body]).toEqual([200, expect.stringContaining("<li>Model: SIPNET (git)</li>")]);
  expect(web.body).toContain("<li>broker: connected</li>");
  expect((await http(`${base()}/bety/`)).body).toContain("<li>machine id: 43</li>");
  expect(JSON.parse((await http(`${base()}/api/ping`)).body)).toEqual({ request: "ping", response: "pong" });
  expect((await http(`${base()}/`)).body).toContain('<a href="/monitor/">');
  expect((await http(`${base()}/monitor/`)).body).toContain("PEcAn model monitor");
  expect((await http(`${base()}/dbsync/`)).body).toContain("machine id 43");
});

test("the services that share the runs volume run on the data node with it; the proxy alone publishes a port", async () => {
  const manager = cluster!.nodes[0].container;
  const withVolumes = (await labelled("service")).filter((s) => onManager(["service", "inspect", s, "--format", "{{range .Spec.TaskTemplate.ContainerSpec.Mounts}}{{.Type}} {{end}}"]).includes("volume"));
  expect(withVolumes.length).toBeGreaterThanOrEqual(4);
  for (const svc of withVolumes) expect([svc, (await cluster!.runningTasks(svc)).map((x) => x.node)]).toEqual([svc, [manager]]);
  const publishing = (await labelled("service")).filter((s) => onManager(["service", "inspect", s, "--format", "{{json .Endpoint.Ports}}"]) !== "null");
  expect(publishing.map((s) => s.replace(/^.*-pecan-/, ""))).toEqual(["front-proxy"]);
});

test("destroy leaves no service, secret, config or network on the swarm", async () => {
  await t!.stack.destroy(streamOutput);
  for (const kind of ["service", "secret", "config", "network"]) expect({ kind, left: await labelled(kind) }).toEqual({ kind, left: [] });
});
