// WattRex deployed for real: MySQL, the MQTT broker, the web server and the master node manager
// (the real wattrex-mn-manager from PyPI), with no restart needed. The node manager opens its
// POSIX queues and connects to MySQL and the broker; a computational unit registering over MQTT
// ends up in MySQL and on the page: node manager → broker → MySQL → web.
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, networksLabelled, healthOf, volumesLabelled, removeVolumesLabelled } from "./support/docker";
import { freePorts, http } from "../../support/net";
import { standIns } from "../../support/images";
import { execFileSync, spawnSync } from "child_process";
import { eventually } from "../../support/eventually";
import * as fs from "fs";
import * as path from "path";

const STACK_LABEL = "appstacks.stack";
let t: TestStack | undefined;
let url = "";
const container = (svc: string) => containersLabelled(STACK_LABEL, t!.runId).find((n) => n.endsWith(`-wattrex-${svc}`))!;
const docker = (args: string[], input?: string) => execFileSync("docker", args, { encoding: "utf8", input }).trim();
/** A query run in the database container, with the app's own user and its secret file. */
const sql = (query: string) =>
  docker(["exec", container("db"), "sh", "-c", `MYSQL_PWD="$(cat /run/secrets/db-password)" mysql -N -u"$MYSQL_USER" "$MYSQL_DATABASE" -e "${query}"`]);

beforeAll(async () => {
  t = await projectStack("wattrex");
  const [webPort, dbPort, mqttPort] = await freePorts(3);
  await setConfig(t.stack, {
    "appstacks:apps": ["wattrex"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("mysql", "rabbitmq", "debian"),
    "appstacks:wattrex": { webPort, dbPort, mqttPort },
  });
});

afterAll(async () => {
  await tearDown(t);
  if (t) removeVolumesLabelled(STACK_LABEL, t.runId);
});

test("up: every service healthy, the page reads MySQL", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const containers = containersLabelled(STACK_LABEL, t!.runId).sort();
  expect(containers.map((n) => n.replace(/^.*-wattrex-/, ""))).toEqual(["broker", "db", "front-proxy", "mn-manager", "web"]);
  for (const c of containers) expect(healthOf(c)).toBe("healthy");
  url = (up.outputs.urls.value as Record<string, string>).wattrex;
  const page = await http(url);
  expect(page.status).toBe(200);
  expect(page.body).toContain("<li>Cycle test: LFP cell 1</li>");
  expect(page.body).toContain("computational units: 0");
});

test("the node manager is wattrex-mn-manager 1.0.9, running its node with its two 350-message queues", () => {
  const mn = container("mn-manager");
  expect(docker(["exec", mn, "pip", "show", "wattrex-mn-manager"])).toMatch(/^Version: 1\.0\.9$/m);
  expect(docker(["inspect", "--format", "{{json .HostConfig.Sysctls}}", mn])).toBe('{"fs.mqueue.msg_max":"350"}');
  // The queues exist in the container's own IPC namespace, at the size the package asks for.
  expect(docker(["exec", mn, "ls", "/dev/mqueue"]).split("\n").sort()).toEqual(["mn_data", "mn_reqs"]);
  expect(docker(["exec", mn, "cat", "/proc/sys/fs/mqueue/msg_max"])).toBe("350");
  const logs = docker(["logs", mn]);
  expect(logs).toContain("Already connected devices: []"); // its first query of MySQL answered
  expect(logs).toContain("Running MN Manager Node");
  expect(logs).not.toMatch(/ERROR|CRITICAL|Traceback/);
});

test("MySQL and the broker see the node manager's connections", () => {
  const mn = container("mn-manager");
  const mnIp = docker(["inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", mn]);
  // The app's user sees its own sessions: the web server's, this query's, and the node manager's
  // (named by its address, or by the name reverse DNS gives it on the stack's network).
  const clients = sql("SELECT SUBSTRING_INDEX(host, ':', 1) FROM information_schema.processlist WHERE user = SUBSTRING_INDEX(CURRENT_USER(), '@', 1)").split("\n");
  expect(clients.map((h) => (h === mnIp || h.startsWith(`${mn}.`) ? "node manager" : h))).toContain("node manager");
  // The broker's side, whatever RabbitMQ's version lists: an established TCP connection on its
  // MQTT port from the node manager's address, in the kernel's tables (little-endian hex; the
  // broker listens on a dual-stack socket, so the peer is an IPv4-mapped address in tcp6).
  const hexIp = mnIp.split(".").reverse().map((o) => Number(o).toString(16).toUpperCase().padStart(2, "0")).join("");
  const peers = docker(["exec", container("broker"), "sh", "-c", "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null"]).split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter(([, local, , state]) => local?.endsWith(":075B") && state === "01")
    .map(([, , remote]) => (remote.split(":")[0].endsWith(hexIp) ? "node manager" : remote));
  expect(peers).toContain("node manager");
});

test("a computational unit registers over MQTT: the node manager answers and writes it to MySQL, the page shows it", async () => {
  const script = fs.readFileSync(path.join(__dirname, "support", "wattrex_cu.py"), "utf8");
  const out = docker(["exec", "-i", container("mn-manager"), "python3", "-"], script);
  // The first unit gets id 0: the package offers the highest CUID plus one, starting from -1.
  expect(out).toBe("registered 0");
  expect(sql("SELECT CUID, HostName, IP FROM ComputationalUnit")).toBe("0\te2e-cu\t10.0.0.99");
  expect(docker(["logs", container("mn-manager")])).toContain("Registered new CU: 0");
  const page = await http(url);
  expect(page.body).toContain("computational units: 1");
  expect(page.body).toMatch(/<li>CU 0: e2e-cu \((ON|OFF)\)<\/li>/);
  for (const c of containersLabelled(STACK_LABEL, t!.runId)) expect(healthOf(c)).toBe("healthy");
});

test("a second up changes nothing", async () => {
  const up = await t!.stack.up(streamOutput);
  const { same, ...changes } = up.summary.resourceChanges ?? {};
  expect(changes).toEqual({});
});

test("the node manager's health check is true of it: it turns false when the broker goes away", async () => {
  const mn = container("mn-manager");
  const [kind, script] = JSON.parse(docker(["inspect", "--format", "{{json .Config.Healthcheck.Test}}", mn])) as string[];
  expect(kind).toBe("CMD-SHELL");
  const check = () => spawnSync("docker", ["exec", mn, "sh", "-c", script]).status;
  expect(check()).toBe(0);
  docker(["stop", container("broker")]);
  await eventually("the check fails without the broker", () => expect(check()).not.toBe(0), 30_000);
});

test("destroy leaves no labelled container or network", async () => {
  await t!.stack.destroy(streamOutput);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(networksLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  // keepDataOnDestroy=false for this stack: the volumes went with it.
  expect(volumesLabelled(STACK_LABEL, t!.runId)).toEqual([]);
});
