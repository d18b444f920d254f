// PEcAn deployed for real on the twins of its images (images/pecan) as its own compose runs it:
// PostGIS, RabbitMQ, BETY's set-up jobs, the data loader, BETY, web, API, the home page, the
// model monitor, the sync app, RStudio, executor and a runner, every route behind the proxy by
// host name and path, over HTTP and HTTPS. A workflow submitted through the proxy travels API →
// broker → executor → runner and its output on the shared runs volume comes back through the
// API. Credentials reach the images as variables through the wrapper: in each process's
// environment, nowhere in `docker inspect`.
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, networksLabelled, healthOf, volumesLabelled, execIn, removeVolumesLabelled, logsOf } from "./support/docker";
import { freePort, http } from "../../support/net";
import { PECAN_IMAGES, standIns } from "../../support/images";
import { execFileSync } from "child_process";
import * as https from "https";
import * as nodeHttp from "http";

const STACK_LABEL = "appstacks.stack";
let t: TestStack | undefined;
let base = "";
let secure = "";
const FIRST_USERS_PASSWORD = "illinois-e2e";
const RSTUDIO_PASSWORD = "rstudio-e2e-pass";

/** A GET with its own Host header (and, for HTTPS, Traefik's self-signed default certificate accepted). */
function get(url: string, host?: string): Promise<{ status: number; body: string; location?: string }> {
  const u = new URL(url);
  const client = u.protocol === "https:" ? https : nodeHttp;
  return new Promise((resolve, reject) => {
    const req = client.request(u, { headers: host ? { host } : {}, rejectUnauthorized: false } as https.RequestOptions, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, location: res.headers.location }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  t = await projectStack("pecan");
  const port = await freePort();
  const tlsPort = await freePort();
  // Routed by host name: "localhost" here, so a request for any other name finds no route.
  await setConfig(t.stack, {
    "appstacks:apps": ["pecan"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("postgis/postgis", "rabbitmq", "nginx", ...PECAN_IMAGES),
    "appstacks:pecan": { port, tlsPort, host: "localhost", fqdn: "pecan-e2e", name: "e2e", rstudio: true, machineId: 42, syncPeers: [7], firstUsers: { carya: 1, guest: 4 } },
  });
  await t.stack.setConfig("appstacks:pecanFirstUsersPassword", { value: FIRST_USERS_PASSWORD, secret: true });
  await t.stack.setConfig("appstacks:pecanRstudioPassword", { value: RSTUDIO_PASSWORD, secret: true });
  base = `http://localhost:${port}`;
  secure = `https://localhost:${tlsPort}`;
});

afterAll(async () => {
  await tearDown(t);
  if (t) removeVolumesLabelled(STACK_LABEL, t.runId);
});

const dbContainer = () => containersLabelled(STACK_LABEL, t!.runId).find((n) => n.endsWith("-pecan-postgres"))!;
const sql = (q: string) => execIn(dbContainer(), ["psql", "-U", "postgres", "-d", "bety", "-tAc", q]);
const container = (svc: string) => containersLabelled(STACK_LABEL, t!.runId).find((n) => n.endsWith(`-pecan-${svc}`))!;

test("up: every service healthy; only the front proxy publishes; every route of PEcAn's stack answers through it, by host name, over HTTP and HTTPS", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const running = containersLabelled(STACK_LABEL, t!.runId).map((n) => n.replace(/^.*-pecan-/, "")).sort();
  // The init jobs stay, exited 0: the record of what ran.
  expect(running).toEqual(["api", "bety", "dbsync", "docs", "executor", "front-proxy", "init-db", "init-machine", "init-user-carya", "init-user-guest",
    "load-data", "monitor", "postgres", "rabbitmq", "rstudio", "runner-sipnet", "web"]);
  for (const c of containersLabelled(STACK_LABEL, t!.runId).filter((n) => !/-(init-|load-data)/.test(n))) expect(healthOf(c)).toBe("healthy");
  const published = containersLabelled(STACK_LABEL, t!.runId).filter((c) => execFileSync("docker", ["port", c], { encoding: "utf8" }).trim() !== "");
  // The front proxy (Traefik) publishes the one port and routes /pecan/, /bety/ and /api/ by path.
  expect(published.map((n) => n.replace(/^.*-pecan-/, ""))).toEqual(["front-proxy"]);

  expect(up.outputs.urls.value).toMatchObject({ pecan: `${base}/pecan/`, "pecan-https": `${secure}/pecan/` });
  const web = await http(`${base}/pecan/`);
  expect(web.status).toBe(200);
  expect(web.body).toContain("<li>Model: SIPNET (git)</li>");
  expect(web.body).toContain("<li>broker: connected</li>");
  const bety = await http(`${base}/bety/`);
  expect(bety.body).toContain("<li>machine id: 42</li>");
  expect(bety.body).toContain("<li>users: 2</li>");
  expect(bety.body).toContain("<li>sync peers: 7</li>");
  expect(JSON.parse((await http(`${base}/api/ping`)).body)).toEqual({ request: "ping", response: "pong" });
  // / is PEcAn's home page (pecan/docs), its book under /docs/pecan/.
  const home = await http(`${base}/`);
  expect([home.status, home.body]).toEqual([200, expect.stringContaining('<a href="/monitor/">')]);
  expect((await http(`${base}/docs/pecan/`)).body).toContain("The Predictive Ecosystem Analyzer");
  // The monitor and the sync app serve at their root behind the stripped prefix.
  expect((await http(`${base}/monitor/`)).body).toContain("PEcAn model monitor");
  const dbsync = await http(`${base}/dbsync/`);
  expect([dbsync.status, dbsync.body]).toEqual([200, expect.stringContaining("<li>localhost: machine id 42</li>")]);
  // RStudio sends a visitor to its sign-in page under the prefix the proxy tells it.
  const rstudio = await get(`${base}/rstudio/`);
  expect([rstudio.status, rstudio.location]).toEqual([302, "/rstudio/auth-sign-in"]);
  expect((await get(`${base}/rstudio/auth-sign-in`)).body).toContain("<li>user: carya</li>");
  // Routed by host name and path: another name finds no route, on either port.
  expect((await get(`${base}/pecan/`, "other.example.org")).status).toBe(404);
  // HTTPS: the same routes, TLS ended by the proxy (Traefik's self-signed default certificate).
  const overTls = await get(`${secure}/pecan/`);
  expect([overTls.status, overTls.body]).toEqual([200, expect.stringContaining("<li>Model: SIPNET (git)</li>")]);
  expect((await get(`${secure}/bety/`)).body).toContain("<li>machine id: 42</li>");
  expect((await get(`${secure}/`, "other.example.org")).status).toBe(404);
});

test("the data loader ran once, after the users and before the web tier: its files are on the runs volume and the web UI shows them for this host", async () => {
  const logs = execFileSync("docker", ["logs", container("load-data")], { encoding: "utf8" });
  expect(logs).toContain("Done!");
  expect(execIn(container("web"), ["ls", "/data/sites"]).split("\n").sort()).toEqual(["ebifarm", "harvard_ems", "willow"]);
  expect(execIn(container("web"), ["cat", "/data/sites/willow/ED_MET_DRIVER_HEADER"])).toBe("/data/sites/willow/");
  expect(sql("SELECT count(*) FROM dbfiles f JOIN machines m ON m.id = f.machine_id WHERE f.container_type = 'Input' AND m.hostname = 'pecan-e2e'")).toBe("5");
  const web = await http(`${base}/pecan/`);
  expect(web.body).toContain("<h1>PEcAn e2e</h1>");
  expect(web.body).toContain("<li>Site with data on pecan-e2e: EBI Farm (2 files)</li>");
  expect(web.body).toContain("<li>Site with data on pecan-e2e: Willow Creek (US-WCr) (2 files)</li>");
  const started = (svc: string) => Date.parse(JSON.parse(execFileSync("docker", ["inspect", container(svc)], { encoding: "utf8" }))[0].State.StartedAt);
  const finished = Date.parse(JSON.parse(execFileSync("docker", ["inspect", container("load-data")], { encoding: "utf8" }))[0].State.FinishedAt);
  expect(started("load-data")).toBeGreaterThanOrEqual(Date.parse(JSON.parse(execFileSync("docker", ["inspect", container("init-user-guest")], { encoding: "utf8" }))[0].State.FinishedAt));
  for (const svc of ["web", "api", "monitor", "dbsync"]) expect(started(svc)).toBeGreaterThanOrEqual(finished);
});

test("the monitor hears the runner's heartbeat and registers its model on this host in BETY; the web UI shows it", async () => {
  let models: any = {};
  for (let i = 0; i < 40 && !models.SIPNET; i++) {
    await new Promise((r) => setTimeout(r, 500));
    models = JSON.parse((await http(`${base}/monitor/models.json`)).body);
  }
  const hostname = execFileSync("docker", ["inspect", "--format", "{{.Config.Hostname}}", container("runner-sipnet")], { encoding: "utf8" }).trim();
  expect(models.SIPNET.git).toMatchObject({ queue: "SIPNET_git", model_info: { name: "SIPNET", binary: "/usr/local/bin/sipnet.git" } });
  expect(Object.values(models.SIPNET.git.consumers).map((c: any) => c.hostname)).toContain(hostname);
  // BETY's dump has the model: the monitor adds only its binary on this host, not a second model.
  expect(sql("SELECT count(*) FROM models")).toBe("2");
  expect(sql("SELECT file_path || '/' || file_name FROM dbfiles f JOIN machines m ON m.id = f.machine_id WHERE f.container_type = 'Model' AND m.hostname = 'pecan-e2e'")).toBe("/usr/local/bin/sipnet.git");
  expect((await http(`${base}/pecan/`)).body).toContain("<li>Model on pecan-e2e: SIPNET</li>");
});

test("secrets are in the processes' environment, set from files, and nowhere in docker inspect", () => {
  const betyPassword = execIn(container("bety"), ["cat", "/run/secrets/db-password"]);
  // RStudio's password, set in config as a secret, is the account's: rocker's /init reads PASSWORD.
  expect(execIn(container("rstudio"), ["sh", "-c", "tr '\\0' '\\n' < /proc/1/environ"])).toContain(`PASSWORD=${RSTUDIO_PASSWORD}`);
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
    expect(inspect).not.toContain(RSTUDIO_PASSWORD);
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

test("pecan/db run again on the same server finds the database and changes nothing; a user added twice is reported, not doubled; the data loader run again adds nothing", () => {
  // A job's last lines, from both streams: psql's error (stderr) can be logged after the script's
  // own last line (a CI run failed on that).
  const lastLines = (name: string) => logsOf(container(name), 3);
  execFileSync("docker", ["start", "-a", container("init-db")], { encoding: "utf8" });
  expect(lastLines("init-db")).toContain("already exists, please remove database first");
  execFileSync("docker", ["start", "-a", container("init-user-carya")], { encoding: "utf8" });
  expect(lastLines("init-user-carya")).toContain("Could not add user to database");
  execFileSync("docker", ["start", "-a", container("load-data")], { encoding: "utf8" });
  expect(lastLines("load-data")).toContain("already added to input");
  expect(sql("SELECT count(*) FROM dbfiles WHERE container_type = 'Input'")).toBe("5");
  expect(sql("SELECT count(*) FROM models")).toBe("2");
  expect(sql("SELECT count(*) FROM users")).toBe("2");
});

test("destroy leaves no labelled container or network", async () => {
  await t!.stack.destroy(streamOutput);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(networksLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(volumesLabelled(STACK_LABEL, t!.runId)).toEqual([]);
});
