// Zero-downtime rollouts on the real engine (components/runtime/front-proxy.ts, the provider's
// shim/rollout.go): requests keep flowing through the app's Traefik while `up` replaces the web
// service; a new release takes over with no failed request; a release that fails its health
// check never receives traffic, `up` fails with one line, and the previous release keeps serving
// under its own name.
import * as path from "path";
import { execFileSync } from "child_process";
import { testStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, removeLabelled } from "./support/docker";
import { freePort, http } from "../../support/net";
import { standIns } from "../../support/images";

const STACK_LABEL = "appstacks.stack";
let t: TestStack | undefined;
let url = "";

const inspect = (name: string) => JSON.parse(execFileSync("docker", ["inspect", name], { encoding: "utf8" }))[0];

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
  t = await testStack(path.join(__dirname, "programs", "rollout"), "rollout");
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
  expect(web.HostConfig.PortBindings ?? {}).toEqual({});
  expect(web.State.Health).toBeUndefined();
});

test("a new release rolls out under load with no failed request, under the same name", async () => {
  const before = (await t!.stack.outputs()).webId.value as string;
  const l = load();
  await t!.stack.setConfig("release", { value: "2" });
  const up = await t!.stack.up(streamOutput);
  const result = await l.stop();
  expect(up.summary.resourceChanges).toMatchObject({ replace: 1 });
  expect(result.failures).toEqual([]);
  expect(result.ok).toBeGreaterThan(50);
  expect(result.bodies).toEqual(["release 1", "release 2"]);
  const after = up.outputs.webId.value as string;
  expect(after).not.toBe(before);
  expect(inspect(up.outputs.webName.value as string).Id).toBe(after);
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
});
