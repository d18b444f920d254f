// PEcAn deployed for real on the twins of its images (images/pecan): PostGIS, RabbitMQ, BETY's
// set-up jobs, BETY, web, API, executor and a runner behind the proxy. A workflow submitted
// through the proxy travels API → broker → executor → runner and its output on the shared runs
// volume comes back through the API. Credentials reach the images as variables through the
// wrapper: in each process's environment, nowhere in `docker inspect`.
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, networksLabelled, healthOf, volumesLabelled, execIn, removeVolumesLabelled } from "./support/docker";
import { freePort, http } from "../../support/net";
import { PECAN_IMAGES, standIns } from "../../support/images";
import { execFileSync } from "child_process";

const STACK_LABEL = "appstacks.stack";
let t: TestStack | undefined;
let base = "";
const FIRST_USERS_PASSWORD = "illinois-e2e";

beforeAll(async () => {
  t = await projectStack("pecan");
  const port = await freePort();
  await setConfig(t.stack, {
    "appstacks:apps": ["pecan"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("postgis/postgis", "rabbitmq", "nginx", ...PECAN_IMAGES),
    "appstacks:pecan": { port, machineId: 42, syncPeers: [7], firstUsers: { carya: 1, guest: 4 } },
  });
  await t.stack.setConfig("appstacks:pecanFirstUsersPassword", { value: FIRST_USERS_PASSWORD, secret: true });
  base = `http://localhost:${port}`;
});

afterAll(async () => {
  await tearDown(t);
  if (t) removeVolumesLabelled(STACK_LABEL, t.runId);
});

const dbContainer = () => containersLabelled(STACK_LABEL, t!.runId).find((n) => n.endsWith("-pecan-postgres"))!;
const sql = (q: string) => execIn(dbContainer(), ["psql", "-U", "postgres", "-d", "bety", "-tAc", q]);
const container = (svc: string) => containersLabelled(STACK_LABEL, t!.runId).find((n) => n.endsWith(`-pecan-${svc}`))!;

test("up: every service healthy; only the front proxy publishes; web, BETY and the API answer through it, and / leads to the web UI", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const running = containersLabelled(STACK_LABEL, t!.runId).map((n) => n.replace(/^.*-pecan-/, "")).sort();
  // The init jobs stay, exited 0: the record of what ran.
  expect(running).toEqual(["api", "bety", "executor", "front-proxy", "init-db", "init-machine", "init-user-carya", "init-user-guest", "postgres", "rabbitmq", "runner-sipnet", "web"]);
  for (const c of containersLabelled(STACK_LABEL, t!.runId).filter((n) => !/-init-/.test(n))) expect(healthOf(c)).toBe("healthy");
  const published = containersLabelled(STACK_LABEL, t!.runId).filter((c) => execFileSync("docker", ["port", c], { encoding: "utf8" }).trim() !== "");
  // The front proxy (Traefik) publishes the one port and routes /pecan/, /bety/ and /api/ by path.
  expect(published.map((n) => n.replace(/^.*-pecan-/, ""))).toEqual(["front-proxy"]);

  expect((up.outputs.urls.value as Record<string, string>).pecan).toBe(`${base}/pecan/`);
  const web = await http(`${base}/pecan/`);
  expect(web.status).toBe(200);
  expect(web.body).toContain("<li>Model: SIPNET (git)</li>");
  expect(web.body).toContain("<li>broker: connected</li>");
  const bety = await http(`${base}/bety/`);
  expect(bety.body).toContain("<li>machine id: 42</li>");
  expect(bety.body).toContain("<li>users: 2</li>");
  expect(bety.body).toContain("<li>sync peers: 7</li>");
  expect(JSON.parse((await http(`${base}/api/ping`)).body)).toEqual({ request: "ping", response: "pong" });
  const root = await fetch(`${base}/`, { redirect: "manual" });
  expect([root.status, root.headers.get("location")]).toEqual([302, `${base}/pecan/`]);
});

test("secrets are in the processes' environment, set from files, and nowhere in docker inspect", () => {
  const betyPassword = execIn(container("bety"), ["cat", "/run/secrets/db-password"]);
  const brokerUri = execIn(container("web"), ["cat", "/run/secrets/rabbitmq-uri"]);
  expect(betyPassword.length).toBeGreaterThan(16);
  const environ = (svc: string) => execIn(container(svc), ["sh", "-c", "tr '\\0' '\\n' < /proc/1/environ"]);
  expect(environ("bety")).toContain(`BETYPASSWORD=${betyPassword}`);
  expect(environ("web")).toContain(`RABBITMQ_URI=${brokerUri}`);
  expect(environ("web")).not.toContain("APPSTACKS_ENV_FROM_FILES");
  for (const c of containersLabelled(STACK_LABEL, t!.runId)) {
    const inspect = execFileSync("docker", ["inspect", c], { encoding: "utf8" });
    expect(inspect).not.toContain(betyPassword);
    expect(inspect).not.toContain(brokerUri);
    expect(inspect).not.toContain(FIRST_USERS_PASSWORD);
  }
});

test("the first users can log in: BETY's digest of the configured password, salted with the secret key", () => {
  const key = execIn(container("bety"), ["cat", "/run/secrets/bety-secret-key"]);
  let digest = key;
  for (let i = 0; i < 10; i++) digest = require("crypto").createHash("sha1").update(`${digest}--carya--${FIRST_USERS_PASSWORD}--${key}`).digest("hex");
  expect(sql("SELECT crypted_password, access_level FROM users WHERE login = 'carya'")).toBe(`${digest}|1`);
});

test("a workflow submitted through the proxy is consumed by the runner; its output is on the runs volume", async () => {
  // AUTH_REQ=FALSE, as PEcAn's compose runs the API (see stacks/pecan.ts).
  const submitted = await fetch(`${base}/api/workflows/`, { method: "POST", body: JSON.stringify({ model: "SIPNET" }), headers: { "content-type": "application/json" } });
  expect(submitted.status).toBe(201);
  const { workflow_id: id } = (await submitted.json()) as { workflow_id: number };
  let status: any = {};
  for (let i = 0; i < 60 && !String(status.status).includes("FINISHED"); i++) {
    await new Promise((r) => setTimeout(r, 500));
    status = await (await fetch(`${base}/api/workflows/${id}/status`)).json();
  }
  // The runner records its host name: the runner container's.
  const hostname = execFileSync("docker", ["inspect", "--format", "{{.Config.Hostname}}", container("runner-sipnet")], { encoding: "utf8" }).trim();
  expect(status.status).toEqual(["QUEUED", "DISPATCHED", "SIPNET_git", "FINISHED", hostname]);
  expect(status.output).toContain(`SIPNET run of workflow ${id}`);
});

test("a second up changes nothing, and the database was set up exactly once", async () => {
  const up = await t!.stack.up(streamOutput);
  const { same, ...changes } = up.summary.resourceChanges ?? {};
  expect(changes).toEqual({});
  expect(sql("SELECT count(*) FROM users")).toBe("2");
  expect(sql("SELECT count(*) FROM models")).toBe("2");
});

test("pecan/db run again on the same server finds the database and changes nothing; a user added twice is reported, not doubled", () => {
  execFileSync("docker", ["start", "-a", container("init-db")], { encoding: "utf8" });
  expect(execFileSync("docker", ["logs", "--tail", "1", container("init-db")], { encoding: "utf8" })).toContain("already exists, please remove database first");
  execFileSync("docker", ["start", "-a", container("init-user-carya")], { encoding: "utf8" });
  expect(execFileSync("docker", ["logs", "--tail", "1", container("init-user-carya")], { encoding: "utf8" })).toContain("Could not add user to database");
  expect(sql("SELECT count(*) FROM models")).toBe("2");
  expect(sql("SELECT count(*) FROM users")).toBe("2");
});

test("destroy leaves no labelled container or network", async () => {
  await t!.stack.destroy(streamOutput);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(networksLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(volumesLabelled(STACK_LABEL, t!.runId)).toEqual([]);
});
