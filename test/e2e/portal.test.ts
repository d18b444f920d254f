// The portal deployed for real: MongoDB (the FerretDB stand-in) with authentication, the ingest
// job, the scheduler, the Flask app and nginx. The page, fetched through nginx, shows the run the
// ingest job recorded in the database; the scheduler adds more runs on its interval; then HTTPS
// is switched on with a certificate and the page is served over TLS; destroy keeps the data
// volume and the next up opens it with the same derived credentials.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as https from "https";
import { execFileSync } from "child_process";
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, networksLabelled, healthOf, volumesLabelled, execIn, removeVolumesLabelled } from "./support/docker";
import { freePortsFor, http } from "../../support/net";
import { standIns } from "../../support/images";

const STACK_LABEL = "appstacks.stack";
const INTERVAL = 15;
let t: TestStack | undefined;
let ports: { httpPort: number; httpsPort: number };
let certDir: string;
const base = () => ({
  "appstacks:apps": ["portal"],
  "appstacks:imageOverrides": standIns("mongo", "nginx", "debian"),
});
const name = (svc: string) => `appstacks-${t!.runId}-portal-${svc}`;
const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" });
let cert = "";

/** GET over HTTPS, verified against the test's own certificate. */
function httpsGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(url, { ca: cert }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

const runCount = (body: string) => Number(body.match(/<span id="run-count">(\d+)<\/span>/)?.[1]);

beforeAll(async () => {
  t = await projectStack("portal");
  ports = await freePortsFor(["httpPort", "httpsPort"]);
  await setConfig(t.stack, { ...base(), "appstacks:portal": { httpPort: ports.httpPort, ingestIntervalSeconds: INTERVAL } });
  certDir = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-portal-cert-"));
});

afterAll(async () => {
  await tearDown(t);
  if (t) removeVolumesLabelled(STACK_LABEL, t.runId);
  if (certDir) fs.rmSync(certDir, { recursive: true, force: true });
});

/** Run ids the ingest printed ("ingest run <id>: N organizations"). */
function loggedRuns(container: string): string[] {
  const out = execFileSync("docker", ["logs", container], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return [...out.matchAll(/ingest run ([0-9a-f]{32}):/g)].map((m) => m[1]);
}

function pageRuns(body: string): string[] {
  return [...body.matchAll(/<code class="run">([0-9a-f]{32})<\/code>/g)].map((m) => m[1]);
}

test("up: every service healthy; the page through nginx shows the run the ingest job stored", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const containers = containersLabelled(STACK_LABEL, t!.runId).map((n) => n.replace(/^.*-portal-/, "")).sort();
  expect(containers).toEqual(["app", "front-proxy", "ingest", "mongo", "nginx", "scheduler"]);
  for (const svc of ["app", "mongo", "nginx", "scheduler"]) expect(healthOf(name(svc))).toBe("healthy");
  expect(docker("inspect", "--format", "{{.State.ExitCode}}", name("ingest")).trim()).toBe("0");

  const url = (up.outputs.urls.value as Record<string, string>).portal;
  expect(url).toBe(`http://localhost:${ports.httpPort}/`);
  const page = await http(url);
  expect(page.status).toBe(200);
  expect(page.body).toContain('<td class="org">Netflix</td>');
  const [jobRun] = loggedRuns(name("ingest"));
  expect(jobRun).toMatch(/^[0-9a-f]{32}$/);
  // The id was made up by the job and stored in MongoDB; the app can only know it from there.
  expect(pageRuns(page.body)).toContain(jobRun);
});

test("only the front proxy publishes a port (nginx behind it rolls out); app and database are only on the internal network", () => {
  for (const svc of ["app", "mongo", "ingest", "scheduler", "nginx", "front-proxy"]) {
    const bindings = JSON.parse(docker("inspect", "--format", "{{json .HostConfig.PortBindings}}", name(svc))) ?? {};
    expect([svc, Object.keys(bindings)]).toEqual([svc, svc === "front-proxy" ? ["80/tcp"] : []]);
  }
  const internal = docker("network", "inspect", "--format", "{{.Internal}}", name("backend")).trim();
  expect(internal).toBe("true");
  for (const svc of ["app", "mongo"]) {
    const nets = Object.keys(JSON.parse(docker("inspect", "--format", "{{json .NetworkSettings.Networks}}", name(svc))));
    expect(nets).toEqual([name("backend")]);
  }
});

test("MongoDB refuses a wrong password and unauthenticated reads; the secret is in no inspect output", () => {
  const app = name("app");
  const probe = (user: string, password: string) => execIn(app, ["python3", "-c", [
    "import sys; from pymongo import MongoClient; from urllib.parse import quote_plus as q",
    `c = MongoClient('mongodb://' + (q(sys.argv[1]) + ':' + q(sys.argv[2]) + '@' if sys.argv[1] else '') + 'mongo:27017/?authSource=admin', serverSelectionTimeoutMS=5000)`,
    "try:\n    print('ok', c.portal.organizations.count_documents({}))\nexcept Exception as e:\n    print('refused', type(e).__name__)",
  ].join("\n"), user, password]);
  const user = execIn(app, ["cat", "/run/secrets/mongo-root-username"]);
  const password = execIn(app, ["cat", "/run/secrets/mongo-root-password"]);
  expect(password.length).toBeGreaterThanOrEqual(16);
  expect(probe(user, password)).toBe("ok 5");
  expect(probe(user, `${password}x`)).toBe("refused OperationFailure");
  expect(probe("", "")).toBe("refused OperationFailure");
  for (const svc of ["app", "mongo", "ingest", "scheduler", "nginx"]) {
    expect(docker("inspect", name(svc))).not.toContain(password);
  }
});

test(`the scheduler ingests again every ${INTERVAL} s`, async () => {
  const deadline = Date.now() + 4 * INTERVAL * 1000;
  let scheduled: string[] = [];
  while (Date.now() < deadline && scheduled.length === 0) {
    await new Promise((r) => setTimeout(r, 2000));
    scheduled = loggedRuns(name("scheduler"));
  }
  expect(scheduled.length).toBeGreaterThan(0);
  const page = await http(`http://localhost:${ports.httpPort}/`);
  expect(pageRuns(page.body)).toContain(scheduled[0]);
  expect(runCount(page.body)).toBeGreaterThanOrEqual(2);
});

test("a second up changes nothing", async () => {
  const up = await t!.stack.up(streamOutput);
  const { same, ...changes } = up.summary.resourceChanges ?? {};
  expect(changes).toEqual({});
});

test("with a certificate, HTTPS passes through the front proxy to nginx and port 80 redirects to it", async () => {
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost", "-keyout", path.join(certDir, "key.pem"), "-out", path.join(certDir, "cert.pem")], { stdio: "ignore" });
  cert = fs.readFileSync(path.join(certDir, "cert.pem"), "utf8");
  const key = fs.readFileSync(path.join(certDir, "key.pem"), "utf8");
  await setConfig(t!.stack, { ...base(), "appstacks:portal": { ...ports, ingestIntervalSeconds: INTERVAL, tls: true } });
  await t!.stack.setConfig("appstacks:portalTlsCertificate", { value: cert, secret: true });
  await t!.stack.setConfig("appstacks:portalTlsKey", { value: key, secret: true });
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const url = (up.outputs.urls.value as Record<string, string>).portal;
  expect(url).toBe(`https://localhost:${ports.httpsPort}/`);
  expect(healthOf(name("nginx"))).toBe("healthy");

  // Verified against the test's own certificate: the TLS path is real, not merely open.
  const page = await httpsGet(url);
  expect(page.status).toBe(200);
  expect(page.body).toContain('<td class="org">Netflix</td>');
  const redirect = await fetch(`http://localhost:${ports.httpPort}/`, { redirect: "manual" });
  expect(redirect.status).toBe(301);
  expect(redirect.headers.get("location")).toBe(`https://localhost:${ports.httpsPort}/`);
  // The front proxy publishes both: HTTP routed to nginx, TLS passed through to it (nginx holds
  // the certificate), so nginx still rolls out with no gap.
  const bindings = (svc: string) => Object.keys(JSON.parse(docker("inspect", "--format", "{{json .HostConfig.PortBindings}}", name(svc))) ?? {}).sort();
  expect(bindings("front-proxy")).toEqual(["80/tcp", "81/tcp"]);
  expect(bindings("nginx")).toEqual([]);
  expect(docker("inspect", name("nginx"))).not.toContain("PRIVATE KEY");
});

test("destroy keeps the data volume; the next up opens it with the same (derived) credentials", async () => {
  const before = runCount((await httpsGet(`https://localhost:${ports.httpsPort}/`)).body);
  expect(before).toBeGreaterThanOrEqual(2);
  await t!.stack.destroy(streamOutput);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(networksLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(volumesLabelled(STACK_LABEL, t!.runId)).toEqual([name("mongodata")]);

  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  // The ingest job ran again against the kept database: a fresh one would count 1 run.
  expect(runCount((await httpsGet(`https://localhost:${ports.httpsPort}/`)).body)).toBeGreaterThan(before);
});

test("destroy leaves no labelled container or network", async () => {
  await t!.stack.destroy(streamOutput);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(networksLabelled(STACK_LABEL, t!.runId)).toEqual([]);
});
