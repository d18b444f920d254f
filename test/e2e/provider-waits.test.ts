// Our docker provider replaces the upstream's fixed waits (toolchain/provider-docker/shim): these
// check that what the waits were for still holds, against the real daemon. How much time it
// saves is the benchmark's business (bench/), never asserted here.
import { execFileSync } from "child_process";
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { testStack, tearDown, streamOutput, TestStack } from "../../support/workspace";
import { containersLabelled, networksLabelled, volumesLabelled, removeLabelled } from "./support/docker";

const LABEL = "appstacks.test";
const IMAGE = process.env.APPSTACKS_BASE_IMAGE ?? "appstacks/base:bookworm";
let t: TestStack | undefined;
let outputs: Record<string, string> = {};

const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
const inspect = (name: string) => JSON.parse(docker("inspect", name))[0];

beforeAll(async () => {
  t = await testStack(path.join(__dirname, "programs", "provider-waits"), "waits");
  await t.stack.setAllConfig({ runId: { value: t.runId }, image: { value: IMAGE } });
});

afterAll(async () => {
  await tearDown(t);
  if (t) {
    removeLabelled(LABEL, t.runId);
    for (const v of volumesLabelled(LABEL, t.runId)) docker("volume", "rm", "-f", v);
  }
});

test("a dependent is created only once the health-gated container's check passes, probed by the provider, not at the engine's interval", async () => {
  const up = await t!.stack.up(streamOutput);
  outputs = Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, v.value as string]));
  const slow = inspect(outputs.slowName);
  const after = inspect(outputs.afterName);
  // The engine has not probed yet (its interval is 5 minutes): the provider ran the check itself.
  expect(slow.State.Health.Status).toBe("starting");
  expect(slow.State.Health.Log ?? []).toEqual([]);
  const ready = Number(docker("exec", outputs.slowName, "date", "-r", "/tmp/ready", "+%s.%N")) * 1000;
  expect(Date.parse(after.Created)).toBeGreaterThanOrEqual(Math.floor(ready));
});

test("a rebuilt image under the same tag replaces the old one: the old build is removed, the container runs the new one", async () => {
  const first = outputs.builtImageId;
  await t!.stack.setConfig("rev", { value: "2" });
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const second = up.outputs.builtImageId.value as string;
  expect(second).not.toBe(first);
  expect(inspect(up.outputs.userName.value as string).Image).toBe(second);
  expect(docker("images", "-q", "--no-trunc", "--filter", `label=appstacks.test=${t!.runId}`).split("\n")).toEqual([second]);
  // And a later up, and the destroy in afterAll, are not blocked by the replaced resource.
  expect((await t!.stack.preview()).changeSummary).toEqual({ same: expect.any(Number) });
});

test("a changed health-check interval replaces the container: Docker cannot change a running container's check", async () => {
  await t!.stack.setConfig("slowInterval", { value: "4m0s" });
  const up = await t!.stack.up(streamOutput);
  // Replaced, not updated in place (an update would leave the old check running).
  expect(up.summary.resourceChanges).toMatchObject({ replace: 1 });
  expect(up.summary.resourceChanges?.update).toBeUndefined();
  expect(inspect(outputs.slowName).Config.Healthcheck.Interval).toBe(240e9);
  await t!.stack.removeConfig("slowInterval");
  await t!.stack.up(streamOutput);
  expect(inspect(outputs.slowName).Config.Healthcheck.Interval).toBe(300e9);
});

test("refresh reads the network and the volume back exactly: nothing changed", async () => {
  const refresh = await t!.stack.refresh(streamOutput);
  expect(Object.keys(refresh.summary.resourceChanges ?? {})).toEqual(["same"]);
  const preview = await t!.stack.preview();
  expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
  const state = (await t!.stack.exportStack()).deployment.resources as { type: string; outputs: Record<string, any> }[];
  const net = state.find((r) => r.type === "docker:index/network:Network")!.outputs;
  expect(net.internal).toBe(true);
  expect(net.labels).toEqual(expect.arrayContaining([{ label: "appstacks.role", value: "provider-waits" }]));
  expect(inspect(outputs.networkName).Internal).toBe(true);
});

test("the upstream's debug log lines (a container's whole inspect on every read) reach `--debug` only when TF_LOG asks for them", async () => {
  // One operation at a time: each read's lines are then its own (the bridge points the shared
  // logger at the engine anew for every call).
  const quiet = await t!.stack.refresh({ debug: true, parallel: 1 });
  expect(quiet.stdout).not.toContain("Docker container inspect");
  const env = (t!.stack.workspace as LocalWorkspace).envVars;
  env.TF_LOG = "debug";
  try {
    const asked = await t!.stack.refresh({ debug: true, parallel: 1 });
    expect(asked.stdout).toContain("[DEBUG] Docker container inspect");
  } finally {
    delete env.TF_LOG;
  }
});

test("a waited-for container that exits and will not restart fails the up at once, with its exit code", async () => {
  await t!.stack.setConfig("crash", { value: "true" });
  // Its waitTimeout is 600 s: only the early failure ends the up within this test's time.
  await expect(t!.stack.up(streamOutput)).rejects.toThrow(/appstacks-waits-crash-\S+ exited with exit code 3/);
  await t!.stack.removeConfig("crash");
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  expect(containersLabelled(LABEL, t!.runId).some((n) => n.includes("crash"))).toBe(false);
}, 180_000);

test("a network and a volume still in use are removed once they are free, not failed at once", async () => {
  // A container outside Pulumi holds both: destroy must keep trying until it is gone.
  const holder = `appstacks-waits-holder-${t!.runId}`;
  docker("run", "-d", "--name", holder, "--label", `${LABEL}=${t!.runId}`, "--network", outputs.networkName,
    "-v", `${outputs.volumeName}:/held`, IMAGE, "sleep", "infinity");
  const destroy = t!.stack.destroy(streamOutput);
  await new Promise((r) => setTimeout(r, 4000));
  docker("rm", "-f", holder);
  const down = await destroy;
  // The stack, the network, the volume, slow, after, the built image and its user.
  expect(down.summary.resourceChanges).toEqual({ delete: 7 });
  expect(networksLabelled(LABEL, t!.runId)).toEqual([]);
  expect(docker("images", "-q", "--filter", `label=appstacks.test=${t!.runId}`)).toBe("");
  expect(volumesLabelled(LABEL, t!.runId)).toEqual([]);
});
