// PEcAn deployed for real: PostGIS, RabbitMQ, the init jobs, BETY, web, API, executor and a
// runner behind the proxy. A workflow submitted through the proxy travels API → broker →
// executor → runner and its output on the shared runs volume comes back through the API.
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, networksLabelled, healthOf, volumesLabelled, execIn } from "./support/docker";
import { freePort, http } from "../../support/net";
import { PECAN_IMAGES, standIns } from "../../support/images";
import { execFileSync } from "child_process";

const STACK_LABEL = "appstacks.stack";
let t: TestStack | undefined;
let base = "";

beforeAll(async () => {
  t = await projectStack("pecan");
  const port = await freePort();
  await setConfig(t.stack, {
    "appstacks:apps": ["pecan"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("postgis/postgis", "rabbitmq", "nginx", ...PECAN_IMAGES),
    "appstacks:pecan": { port, machineId: 42, syncPeers: [{ machineId: 7, url: "https://pecan.example.org/bety/" }], firstUsers: { carya: 1, guest: 4 } },
  });
  base = `http://localhost:${port}`;
});

afterAll(async () => {
  await tearDown(t);
  if (t) for (const v of volumesLabelled(STACK_LABEL, t.runId)) execFileSync("docker", ["volume", "rm", "-f", v]);
});

const dbContainer = () => containersLabelled(STACK_LABEL, t!.runId).find((n) => n.endsWith("-pecan-postgres"))!;
const sql = (q: string) => execIn(dbContainer(), ["psql", "-U", "bety", "-d", "bety", "-tAc", q]);

test("up: every service healthy; only the proxy publishes; web, BETY and the API answer through it", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const running = containersLabelled(STACK_LABEL, t!.runId).map((n) => n.replace(/^.*-pecan-/, "")).sort();
  // The init jobs stay, exited 0: the record of what ran.
  expect(running).toEqual(["api", "bety", "executor", "init-schema", "init-users", "postgres", "proxy", "rabbitmq", "runner-sipnet", "web"]);
  for (const c of containersLabelled(STACK_LABEL, t!.runId).filter((n) => !/-init-/.test(n))) expect(healthOf(c)).toBe("healthy");
  const published = containersLabelled(STACK_LABEL, t!.runId).filter((c) => execFileSync("docker", ["port", c], { encoding: "utf8" }).trim() !== "");
  expect(published.map((n) => n.replace(/^.*-pecan-/, ""))).toEqual(["proxy"]);

  expect((up.outputs.urls.value as Record<string, string>).pecan).toBe(`${base}/pecan/`);
  const web = await http(`${base}/pecan/`);
  expect(web.status).toBe(200);
  expect(web.body).toContain("<li>Model: SIPNET (git)</li>");
  expect(web.body).toContain("<li>machine id: 42</li>");
  expect(web.body).toContain("<li>broker: connected</li>");
  const bety = await http(`${base}/bety/`);
  expect(bety.body).toContain("<li>users: 2</li>");
  expect(bety.body).toContain("<li>sync peer: machine 7 at https://pecan.example.org/bety/</li>");
  expect(JSON.parse((await http(`${base}/api/ping`)).body)).toEqual({ request: "ping", response: "pong" });
});

test("a workflow submitted through the proxy is consumed by the runner; its output is on the runs volume", async () => {
  const submitted = await fetch(`${base}/api/workflows/`, { method: "POST", body: JSON.stringify({ model: "SIPNET" }), headers: { "content-type": "application/json" } });
  expect(submitted.status).toBe(201);
  const { id } = (await submitted.json()) as { id: number };
  let status: any = {};
  for (let i = 0; i < 60 && status.status !== "finished"; i++) {
    await new Promise((r) => setTimeout(r, 500));
    status = JSON.parse((await http(`${base}/api/workflows/${id}`)).body);
  }
  expect(status).toMatchObject({ id, model: "SIPNET", status: "finished" });
  // The runner records its host name: the runner container's.
  const runner = containersLabelled(STACK_LABEL, t!.runId).find((n) => n.endsWith("-pecan-runner-sipnet"))!;
  expect(status.runner).toBe(execFileSync("docker", ["inspect", "--format", "{{.Config.Hostname}}", runner], { encoding: "utf8" }).trim());
  expect(status.output).toContain(`SIPNET run of workflow ${id}`);
});

test("a second up changes nothing, and the database was initialised exactly once", async () => {
  const up = await t!.stack.up(streamOutput);
  const { same, ...changes } = up.summary.resourceChanges ?? {};
  expect(changes).toEqual({});
  expect(sql("SELECT step FROM appstacks_init ORDER BY step")).toBe("schema\nusers");
  expect(sql("SELECT count(*) FROM users")).toBe("2");
});

test("an init job run again on the same database finds its marker and changes nothing", () => {
  const job = containersLabelled(STACK_LABEL, t!.runId).find((n) => n.endsWith("-pecan-init-schema"))!;
  execFileSync("docker", ["start", "-a", job], { encoding: "utf8" });
  expect(execFileSync("docker", ["logs", "--tail", "1", job], { encoding: "utf8" })).toContain("already done on this database");
  expect(sql("SELECT count(*) FROM models")).toBe("2");
});

test("destroy leaves no labelled container or network", async () => {
  await t!.stack.destroy(streamOutput);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(networksLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(volumesLabelled(STACK_LABEL, t!.runId)).toEqual([]);
});
