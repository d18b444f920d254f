// WattRex deployed for real: MySQL, the MQTT broker, the web server and the node manager, with
// no restart needed; the page proves web → MySQL and node manager → broker → MySQL.
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, networksLabelled, healthOf, volumesLabelled } from "./support/docker";
import { freePorts, http } from "../../support/net";
import { standIns } from "../../support/images";
import { execFileSync } from "child_process";

const STACK_LABEL = "appstacks.stack";
let t: TestStack | undefined;

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
  if (t) for (const v of volumesLabelled(STACK_LABEL, t.runId)) execFileSync("docker", ["volume", "rm", "-f", v]);
});

test("up: every service healthy, the page reads MySQL and sees the node manager on the broker", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const containers = containersLabelled(STACK_LABEL, t!.runId).sort();
  expect(containers.map((n) => n.replace(/^.*-wattrex-/, ""))).toEqual(["broker", "db", "mn-manager", "web"]);
  for (const c of containers) expect(healthOf(c)).toBe("healthy");
  const url = (up.outputs.urls.value as Record<string, string>).wattrex;
  const page = await http(url);
  expect(page.status).toBe(200);
  expect(page.body).toContain("<li>Cycle test: LFP cell 1</li>");
  expect(page.body).toContain("node manager: alive; broker: connected");
});

test("a second up changes nothing", async () => {
  const up = await t!.stack.up(streamOutput);
  const { same, ...changes } = up.summary.resourceChanges ?? {};
  expect(changes).toEqual({});
});

test("destroy leaves no labelled container or network", async () => {
  await t!.stack.destroy(streamOutput);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(networksLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  // keepDataOnDestroy=false for this stack: the volumes went with it.
  expect(volumesLabelled(STACK_LABEL, t!.runId)).toEqual([]);
});
