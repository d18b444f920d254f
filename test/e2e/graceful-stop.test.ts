// Graceful stops, on the real engine: a replaced PostgreSQL gets its stop signal (SIGINT, the
// official image's and our stand-in's) and time to shut down, so it checkpoints and says so, and
// the next one starts from a cleanly shut down data directory with every committed row; and
// `destroy` still takes only as long as the processes need, not the grace periods.
import { ChildProcess, execFileSync, spawn } from "child_process";
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, execIn, removeVolumesLabelled, logsOf } from "./support/docker";
import { freePort, http } from "../../support/net";
import { standIns } from "../../support/images";

const STACK_LABEL = "appstacks.stack";
let t: TestStack | undefined;
let url = "";

function docker(args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).trim();
}


const containerOf = (svc: string) => containersLabelled(STACK_LABEL, t!.runId).find((n) => n.endsWith(`-biostar-${svc}`))!;
const psql = (sql: string) => execIn(containerOf("db"), ["psql", "-U", "biostar", "-d", "biostar", "-tAc", sql]);

/** Something running beside the deployment that collects its output (docker logs -f, docker events). */
/** Watchers still running: afterAll ends them, so a test that fails before stopping its own leaves no process behind. */
const watchers: ChildProcess[] = [];

function watch(args: string[]): { child: ChildProcess; output: () => string; ended: Promise<void> } {
  const child = spawn("docker", args);
  watchers.push(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const ended = new Promise<void>((resolve) => child.on("close", () => resolve()));
  return { child, output: () => out, ended };
}

/** `docker events` of this stack's containers that stop ("die"), as name → exit code, from now on. */
function watchDeaths() {
  const w = watch(["events", "--format", "{{json .}}", "--filter", "type=container", "--filter", "event=die", "--filter", `label=${STACK_LABEL}=${t!.runId}`]);
  return {
    stop: async (): Promise<Record<string, number>> => {
      // Events arrive within milliseconds of the stop; give the stream a moment, then end it.
      await new Promise((r) => setTimeout(r, 1000));
      w.child.kill();
      await w.ended;
      const deaths = w.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { Actor: { Attributes: Record<string, string> } });
      return Object.fromEntries(deaths.map((e) => [e.Actor.Attributes.name, Number(e.Actor.Attributes.exitCode)]));
    },
  };
}

beforeAll(async () => {
  t = await projectStack("graceful");
  await setConfig(t.stack, {
    "appstacks:apps": ["biostar"],
    "appstacks:imageOverrides": standIns("postgres", "debian"),
    "appstacks:biostar": { port: await freePort() },
  });
});

afterAll(async () => {
  for (const w of watchers) if (w.exitCode === null && w.signalCode === null) w.kill();
  await tearDown(t);
  if (t) removeVolumesLabelled(STACK_LABEL, t.runId);
});

test("every container is deployed with a grace period: 30 s for PostgreSQL (data volume), 10 s for the web app and the jobs", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  url = (up.outputs.urls.value as Record<string, string>).biostar;
  expect((await http(url)).status).toBe(200);
  const containers = (await t!.stack.exportStack()).deployment.resources.filter((r: { type: string }) => r.type === "docker:index/container:Container");
  const grace = Object.fromEntries(containers.map((r: { urn: string; outputs: { destroyGraceSeconds: number } }) => [r.urn.split("::").pop(), r.outputs.destroyGraceSeconds]));
  expect(grace).toEqual({ "biostar-db-container": 30, "biostar-migrate-container": 10, "biostar-init-container": 10, "biostar-web-container": 10, "biostar-front-proxy-container": 10 });
  // The image's stop signal, which the provider's stop sends: PostgreSQL's fast shutdown.
  expect(docker(["inspect", "--format", "{{.Config.StopSignal}}", containerOf("db")])).toBe("SIGINT");
});

test("a replaced PostgreSQL shuts down cleanly (SIGINT, checkpoint, exit 0) and the new one finds every committed row", async () => {
  psql("CREATE TABLE graceful_rows (id int PRIMARY KEY, note text)");
  psql("INSERT INTO graceful_rows SELECT g, 'batch' FROM generate_series(1, 1000) g");
  // Committed one by one, the last an instant before the replacement: no checkpoint has run since.
  for (let i = 1001; i <= 1020; i++) psql(`INSERT INTO graceful_rows VALUES (${i}, 'single')`);
  expect((await http(`${url}posts`, { title: "kept across a graceful stop" })).status).toBe(201);

  const old = containerOf("db");
  const oldId = docker(["inspect", "--format", "{{.Id}}", old]);
  // The old container's log, followed until the provider removes it.
  const oldLog = watch(["logs", "--follow", "--since", "0s", old]);
  const deaths = watchDeaths();
  const dbUrn = (await t!.stack.exportStack()).deployment.resources.find((r: { urn: string }) => r.urn.endsWith("biostar-db-container")).urn;
  const started = Date.now();
  const up = await t!.stack.up({ ...streamOutput, replace: [dbUrn] });
  const seconds = (Date.now() - started) / 1000;
  expect(up.summary.result).toBe("succeeded");
  await oldLog.ended;
  const died = await deaths.stop();

  // The old server: asked for a fast shutdown, checkpointed, and exited 0, not killed (137).
  expect(oldLog.output()).toContain("received fast shutdown request");
  expect(oldLog.output()).toContain("database system is shut down");
  expect(died[old]).toBe(0);
  // The new server found a data directory that was shut down, not one to recover.
  const fresh = containerOf("db");
  expect(docker(["inspect", "--format", "{{.Id}}", fresh])).not.toBe(oldId);
  const newLog = logsOf(fresh);
  expect(newLog).toMatch(/database system was shut down at /);
  expect(newLog).not.toMatch(/was interrupted|not properly shut down|automatic recovery in progress/);
  // Nothing committed was lost.
  expect(psql("SELECT count(*), max(id) FROM graceful_rows")).toBe("1020|1020");
  expect((await http(url)).body).toContain("<li>kept across a graceful stop</li>");
  process.stdout.write(`replacing the database took ${seconds.toFixed(1)} s (grace period 30 s)\n`);
});

test("a second up changes nothing", async () => {
  const up = await t!.stack.up(streamOutput);
  const { same, ...changed } = up.summary.resourceChanges ?? {};
  expect(changed).toEqual({});
});

test("destroy takes as long as the processes need, not the grace periods: every container exits on its signal, none is killed", async () => {
  const deaths = watchDeaths();
  const running = containersLabelled(STACK_LABEL, t!.runId).filter((n) => docker(["inspect", "--format", "{{.State.Running}}", n]) === "true");
  expect(running.map((n) => n.replace(/.*-biostar-/, "")).sort()).toEqual(["db", "front-proxy", "web"]);
  const started = Date.now();
  await t!.stack.destroy(streamOutput);
  const seconds = (Date.now() - started) / 1000;
  const died = await deaths.stop();
  expect(Object.fromEntries(running.map((n) => [n.replace(/.*-biostar-/, ""), died[n]]))).toEqual({ db: 0, web: 0, "front-proxy": 0 });
  // An ignored signal would cost the web app's whole 10 s before SIGKILL (exit 137).
  expect(seconds).toBeLessThan(10);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  process.stdout.write(`destroy took ${seconds.toFixed(1)} s (grace periods: db 30 s, web 10 s)\n`);
});
