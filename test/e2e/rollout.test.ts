// Zero-downtime rollouts on the real engine (components/runtime/front-proxy.ts, the provider's
// shim/rollout.go): requests keep flowing through the app's Traefik while `up` replaces the web
// service; a new release takes over with no failed request; a release that fails its health
// check never receives traffic, `up` fails with one line, and the previous release keeps serving
// under its own name; `npm run rollback` brings the previous release (its image and settings)
// back the same way, and `--clear` returns to the current one.
import * as path from "path";
import { promisify } from "util";
import { execFile, execFileSync } from "child_process";
import { testStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, removeLabelled } from "./support/docker";
import { freePort, http } from "../../support/net";
import { standIns } from "../../support/images";
import { fileBackendUrl } from "../../support/backend";

const STACK_LABEL = "appstacks.stack";
let t: TestStack | undefined;
let url = "";
/** The image ID each release ran, by release number. */
const imageOf: Record<string, string> = {};
const PROGRAM = path.join(__dirname, "programs", "rollout");

const inspect = (name: string) => JSON.parse(execFileSync("docker", ["inspect", name], { encoding: "utf8" }))[0];

/** IDs of the stack's containers the engine paused between two times (seconds since the epoch). */
function pausedBetween(since: number, until: number): string[] {
  const out = execFileSync("docker", ["events", "--since", since.toFixed(3), "--until", until.toFixed(3),
    "--filter", "type=container", "--filter", "event=pause", "--filter", `label=${STACK_LABEL}=${t!.runId}`, "--format", "{{.Actor.ID}}"], { encoding: "utf8" });
  return out.split("\n").filter(Boolean);
}

/** Requests from `workers` clients, each sending the next as soon as the last answered, until stopped. */
function load(workers = 4) {
  let running = true;
  const failures: string[] = [];
  const bodies = new Set<string>();
  let ok = 0;
  const worker = async () => {
    while (running) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
        const r = { status: res.status, body: await res.text() };
        if (r.status === 200) {
          ok += 1;
          bodies.add(r.body.trim());
        } else failures.push(`${r.status} ${r.body.trim().slice(0, 80)}`);
      } catch (e) {
        failures.push(String((e as { cause?: unknown }).cause ?? e).slice(0, 120));
      }
    }
  };
  const all = Promise.all(Array.from({ length: workers }, worker));
  return {
    stop: async () => {
      running = false;
      await all;
      return { ok, failures, bodies: [...bodies].sort() };
    },
  };
}

beforeAll(async () => {
  t = await testStack(PROGRAM, "rollout");
  const port = await freePort();
  url = `http://127.0.0.1:${port}/`;
  await setConfig(t.stack, { runId: t.runId, port, release: "1", imageOverrides: standIns("nginx") });
  await t.stack.up(streamOutput);
});

afterAll(async () => {
  await tearDown(t);
  if (t) removeLabelled(STACK_LABEL, t.runId);
});

test("release 1 answers through the front proxy, which alone publishes the port", async () => {
  expect(await http(url)).toEqual({ status: 200, body: "release 1\n" });
  const web = inspect(`appstacks-rollout-${t!.runId}-site-web`);
  imageOf["1"] = web.Image;
  expect(web.HostConfig.PortBindings ?? {}).toEqual({});
  expect(web.State.Health).toBeUndefined();
});

test("a new release rolls out under load with no failed request, under the same name", async () => {
  const before = (await t!.stack.outputs()).webId.value as string;
  const l = load();
  await t!.stack.setConfig("release", { value: "2" });
  const since = Date.now() / 1000;
  const up = await t!.stack.up(streamOutput);
  const result = await l.stop();
  // The old release was drained (paused while the proxy dropped its route) before its stop.
  expect(pausedBetween(since, Date.now() / 1000)).toEqual([before]);
  // The image and the container; the release record moves release 1 to previous.
  expect(up.summary.resourceChanges).toMatchObject({ replace: 2, update: 1 });
  expect(result.failures).toEqual([]);
  expect(result.ok).toBeGreaterThan(50);
  expect(result.bodies).toEqual(["release 1", "release 2"]);
  const after = up.outputs.webId.value as string;
  expect(after).not.toBe(before);
  expect(inspect(up.outputs.webName.value as string).Id).toBe(after);
  imageOf["2"] = inspect(up.outputs.webName.value as string).Image;
  expect(imageOf["2"]).not.toBe(imageOf["1"]);
  // The previous release is gone: one web container of the stack, plus its proxy.
  expect(containersLabelled(STACK_LABEL, t!.runId).sort()).toEqual([`appstacks-rollout-${t!.runId}-site-front-proxy`, `appstacks-rollout-${t!.runId}-site-web`]);
  expect(await http(url)).toEqual({ status: 200, body: "release 2\n" });
});

test("a release that fails its health check never takes traffic: up fails in one line, the previous release keeps serving", async () => {
  const serving = (await t!.stack.outputs()).webId.value as string;
  const l = load();
  await setConfig(t!.stack, { release: "3", healthy: false });
  let error = "";
  try {
    await t!.stack.up();
  } catch (e) {
    error = String((e as Error).message);
  }
  const result = await l.stop();
  expect(result.failures).toEqual([]);
  expect(error).toMatch(/site web: the new release failed its health check, last output: not healthy after 15s: .*Connection refused; it never received traffic and was removed, the previous release keeps serving/);
  expect(result.bodies).toEqual(["release 2"]);
  const name = `appstacks-rollout-${t!.runId}-site-web`;
  expect(inspect(name).Id).toBe(serving);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toHaveLength(2);
  // Fixed and deployed again, it rolls out as usual.
  await setConfig(t!.stack, { release: "4", healthy: true });
  await t!.stack.up(streamOutput);
  expect(await http(url)).toEqual({ status: 200, body: "release 4\n" });
  imageOf["4"] = inspect(`appstacks-rollout-${t!.runId}-site-web`).Image;
});

/** npm run rollback -- ARGS, as a user runs it, against the test's stack and backend. */
async function rollback(...args: string[]): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("npx", ["ts-node", "--transpile-only", "scripts/rollback.ts", "--stack", t!.runId, "--dir", PROGRAM, ...args], {
      cwd: path.join(__dirname, "..", ".."),
      env: { ...process.env, PULUMI_BACKEND_URL: fileBackendUrl(t!.backendDir), PULUMI_CONFIG_PASSPHRASE: "appstacks-test" },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (e) {
    process.stdout.write(String((e as { stdout?: string }).stdout ?? ""));
    throw new Error(String((e as { stderr?: string }).stderr ?? e).trim());
  }
}

test("rollback brings the release before back, its image and settings, with no failed request; --clear returns to the current one", async () => {
  const name = `appstacks-rollout-${t!.runId}-site-web`;
  // Release 3 never served, so the release before 4 is 2.
  let l = load();
  const out = await rollback("site", "web");
  let result = await l.stop();
  expect(result.failures).toEqual([]);
  expect(result.bodies).toEqual(["release 2", "release 4"]);
  expect(out).toMatch(/site web rolled back to its release of \S+ \(image sha256:[0-9a-f]{12}\); `npm run rollback -- --clear site web` deploys the current settings again/);
  expect(inspect(name).Image).toBe(imageOf["2"]);
  expect(await http(url)).toEqual({ status: 200, body: "release 2\n" });
  // The rollback is in the stack's config: the next up keeps it.
  const preview = await t!.stack.preview();
  expect(preview.changeSummary).not.toHaveProperty("replace");
  expect(preview.changeSummary).not.toHaveProperty("update");

  l = load();
  expect(await rollback("--clear", "site", "web")).toMatch(/site web runs its current image and settings again/);
  result = await l.stop();
  expect(result.failures).toEqual([]);
  expect(inspect(name).Image).toBe(imageOf["4"]);
  expect(await http(url)).toEqual({ status: 200, body: "release 4\n" });
  expect((await t!.stack.getAllConfig())["appstacks-rollout:rollback"]).toBeUndefined();
});

test("rollback refuses, in one line, a service with no release record", async () => {
  await expect(rollback("site", "db")).rejects.toThrow(/rollback: site db: no release record in stack \S+ \(allowed: a service that rolls out: site web\)/);
});

test("destroy stops the last release without a drain: no release replaces it, so none is paused", async () => {
  const serving = (await t!.stack.outputs()).webId.value as string;
  const since = Date.now() / 1000;
  await t!.stack.destroy(streamOutput);
  expect(pausedBetween(since, Date.now() / 1000)).toEqual([]);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(() => inspect(serving)).toThrow(/No such object/);
});
