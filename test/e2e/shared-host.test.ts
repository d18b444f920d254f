// Stacks that share a host (issue #18, item 4): WattRex's dev and prod settings deployed side by
// side on one engine, each answering on its own ports; a third stack asking for a host port the
// first publishes is refused by `preview` (and `up`) with one line, before anything is created;
// and a redeploy of a stack is not refused for its own ports.
//
// Ports: the seed's dev (web 8869, MySQL 3369, MQTT 1883) and prod (web 8811, MySQL 3322, MQTT
// 1884: the seed has one MQTT port, prod takes the next) when all six are free on this machine;
// otherwise (a dev stack or another run holds one) six free ports, said in the log.
import * as net from "net";
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, dockerObjectsOfStack, removeLabelled, removeVolumesLabelled } from "./support/docker";
import { freePorts, http } from "../../support/net";
import { standIns } from "../../support/images";
import { failureText, validationLines } from "./support/cli";

const STACK_LABEL = "appstacks.stack";
type WattrexPorts = { webPort: number; dbPort: number; mqttPort: number };
const SEED_PORTS: Record<"dev" | "prod", WattrexPorts> = {
  dev: { webPort: 8869, dbPort: 3369, mqttPort: 1883 },
  prod: { webPort: 8811, dbPort: 3322, mqttPort: 1884 },
};

let dev: TestStack | undefined;
let prod: TestStack | undefined;
let third: TestStack | undefined;
let ports = SEED_PORTS;

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, () => srv.close(() => resolve(true)));
  });
}

async function wattrexConfig(t: TestStack, p: WattrexPorts) {
  await setConfig(t.stack, {
    "appstacks:apps": ["wattrex"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("mysql", "rabbitmq", "debian"),
    "appstacks:wattrex": p,
  });
}

beforeAll(async () => {
  const seed = [...Object.values(SEED_PORTS.dev), ...Object.values(SEED_PORTS.prod)];
  const free = await Promise.all(seed.map(isFree));
  if (!free.every(Boolean)) {
    const [a, b, c, d, e, f] = await freePorts(6);
    ports = { dev: { webPort: a, dbPort: b, mqttPort: c }, prod: { webPort: d, dbPort: e, mqttPort: f } };
    process.stdout.write(`[shared-host] seed ports taken (${seed.filter((_, i) => !free[i]).join(", ")}): using ${JSON.stringify(ports)}\n`);
  }
  [dev, prod, third] = await Promise.all([projectStack("ports-dev"), projectStack("ports-prod"), projectStack("ports-third")]);
  await Promise.all([wattrexConfig(dev, ports.dev), wattrexConfig(prod, ports.prod)]);
  const [dbPort, mqttPort] = await freePorts(2);
  // The third stack wants dev's web port, and free ports otherwise.
  await wattrexConfig(third, { webPort: ports.dev.webPort, dbPort, mqttPort });
});

afterAll(async () => {
  await Promise.all([tearDown(third), tearDown(prod), tearDown(dev)]);
  for (const t of [dev, prod, third]) {
    if (!t) continue;
    removeLabelled(STACK_LABEL, t.runId);
    removeVolumesLabelled(STACK_LABEL, t.runId);
  }
});

test("dev and prod settings side by side on one engine: both up, both answer on their own ports", async () => {
  const [upDev, upProd] = await Promise.all([dev!.stack.up(streamOutput), prod!.stack.up(streamOutput)]);
  for (const [up, p] of [[upDev, ports.dev], [upProd, ports.prod]] as const) {
    expect(up.summary.result).toBe("succeeded");
    const url = (up.outputs.urls.value as Record<string, string>).wattrex;
    expect(url).toBe(`http://localhost:${p.webPort}/`);
    const page = await http(url);
    expect(page.status).toBe(200);
    expect(page.body).toContain("<li>Cycle test: LFP cell 1</li>");
  }
  // broker, db, mn-manager, web and the front proxy in front of web.
  expect(containersLabelled(STACK_LABEL, dev!.runId)).toHaveLength(5);
  expect(containersLabelled(STACK_LABEL, prod!.runId)).toHaveLength(5);
});

test("a redeploy is not refused for the stack's own ports: dev's preview changes nothing", async () => {
  const preview = await dev!.stack.preview();
  const { same, ...changes } = preview.changeSummary;
  expect(changes).toEqual({});
  expect(same).toBeGreaterThan(0);
});

test("a third stack asking for dev's web port: preview and up refuse it with one line, nothing is created", async () => {
  const line =
    // The port is published by the front proxy in front of dev's web service.
    `appstacks:wattrex.webPort: host port ${ports.dev.webPort} is already published by stack "${dev!.runId}" (app wattrex, service front-proxy) ` +
    "on this Docker host (allowed: a port no other stack publishes)";
  expect(validationLines(await failureText(() => third!.stack.preview()))).toEqual([line]);
  expect(validationLines(await failureText(() => third!.stack.up()))).toEqual([line]);
  expect(dockerObjectsOfStack(third!.runId)).toEqual([]);
  const state = (await third!.stack.exportStack()).deployment;
  // Only the stack itself may be recorded: no host, no container, no network.
  expect((state.resources ?? []).filter((r: { type: string }) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  // Dev still answers: the refused stack touched nothing of it.
  expect((await http(`http://localhost:${ports.dev.webPort}/`)).status).toBe(200);
});
