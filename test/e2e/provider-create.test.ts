// Our docker provider creates containers the way docker-compose does (toolchain/provider-docker/
// shim/container_create.go): the image looked up by its reference, the container created on its
// networks, no default bridge to disconnect. These check, against the real daemon, that it makes
// the same containers and the same state as the upstream create, which the same program runs in
// a second stack with APPSTACKS_UPSTREAM_CREATE=1. What it saves is the benchmark's business.
import { execFileSync } from "child_process";
import * as path from "path";
import { testStack, tearDown, streamOutput, TestStack } from "../../support/workspace";
import { freePorts } from "../../support/net";
import { removeLabelled, volumesLabelled } from "./support/docker";

const LABEL = "appstacks.test";
const IMAGE = process.env.APPSTACKS_BASE_IMAGE ?? "appstacks/base:bookworm";
const PROGRAM = path.join(__dirname, "programs", "provider-create");
const CONTAINER = "docker:index/container:Container";

const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
const inspect = (name: string) => JSON.parse(docker("inspect", name))[0];

interface Run { t: TestStack; port: number; started: number; outputs: Record<string, string> }
const runs: { ours?: Run; upstream?: Run } = {};
let imported: TestStack | undefined;

beforeAll(async () => {
  const [p1, p2] = await freePorts(2);
  for (const [key, port] of [["ours", p1], ["upstream", p2]] as const) {
    const t = await testStack(PROGRAM, key === "ours" ? "create" : "createup");
    if (key === "upstream") t.stack.workspace.envVars.APPSTACKS_UPSTREAM_CREATE = "1";
    await t.stack.setAllConfig({ runId: { value: t.runId }, image: { value: IMAGE }, port: { value: String(port) } });
    runs[key] = { t, port, started: Math.floor(Date.now() / 1000), outputs: {} };
  }
  // One after the other: both up at once would only measure the machine's contention.
  for (const run of [runs.ours!, runs.upstream!]) {
    const up = await run.t.stack.up(streamOutput);
    run.outputs = Object.fromEntries(Object.entries(up.outputs).map(([k, v]) => [k, String(v.value)]));
  }
});

afterAll(async () => {
  // Only a stack whose import failed is left; it holds none of the containers then.
  await tearDown(imported);
  for (const run of [runs.ours, runs.upstream]) {
    if (!run) continue;
    await tearDown(run.t);
    removeLabelled(LABEL, run.t.runId);
    for (const v of volumesLabelled(LABEL, run.t.runId)) docker("volume", "rm", "-f", v);
  }
});

/** `value` with the container's id (and its short form) and the run masked; `more` masks what else the caller names. */
function masked(value: unknown, id: string, run: Run, more: (text: string) => string = (text) => text): Record<string, any> {
  return JSON.parse(more(JSON.stringify(value).split(id).join("<id>").split(id.slice(0, 12)).join("<short-id>").split(run.t.runId).join("<run>")));
}

/** A container's inspect with what must differ between two containers (ids, names, addresses, times) masked. */
function comparable(run: Run, name: string): Record<string, unknown> {
  const raw = inspect(name);
  const c = masked(raw, raw.Id, run, (text) => text.split(`"${run.port}"`).join('"<port>"'));
  delete c.Created;
  c.State = { Status: c.State.Status, Running: c.State.Running, ExitCode: c.State.ExitCode, Health: c.State.Health?.Status };
  delete c.GraphDriver;
  for (const ep of Object.values(c.NetworkSettings.Networks) as Record<string, unknown>[]) {
    for (const k of ["NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen", "MacAddress", "IPv6Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen"]) delete ep[k];
  }
  c.NetworkSettings = { Networks: c.NetworkSettings.Networks, Ports: c.NetworkSettings.Ports };
  // Both creates list volumes in the order of the argument's set, whose hash covers the volume's
  // name (it holds the run): an order of no meaning, which differs between the two stacks.
  c.HostConfig.Binds?.sort();
  c.Mounts?.sort((a: { Destination: string }, b: { Destination: string }) => a.Destination.localeCompare(b.Destination));
  return c;
}

interface StateResource { type: string; urn: string; id: string; outputs: Record<string, unknown> }

/** The resources in a stack's state. */
async function resourcesOf(t: TestStack): Promise<StateResource[]> {
  return (await t.stack.exportStack()).deployment.resources as StateResource[];
}

/** The container resources' state outputs, with the same masking (and the addresses the engine chose left out). */
async function stateOf(run: Run): Promise<Record<string, unknown>> {
  const state = await resourcesOf(run.t);
  const out: Record<string, unknown> = {};
  for (const r of state.filter((x) => x.type === CONTAINER)) out[r.urn.split("::").pop()!] = maskedOutputs(r, run);
  return out;
}

/** A container resource's outputs with its id, the run and its published port masked, and the engine's addresses left out. */
function maskedOutputs(r: StateResource, run: Run): Record<string, unknown> {
  const o = masked(r.outputs, r.id, run);
  // The addresses are the engine's choice; the networks, in the order the engine's map gave them, are not.
  o.networkDatas = (o.networkDatas as { networkName: string }[]).map((n) => n.networkName).sort();
  o.ports = (o.ports as Record<string, unknown>[] | undefined)?.map((p) => ({ ...p, external: p.external === run.port ? "<port>" : p.external }));
  return o;
}

/**
 * The network events the engine logged for a container since the run began ("connect <network>",
 * "disconnect <network>"). Docker 20.10's events filter `container=` does not match network
 * events, so they are picked by the container attribute here.
 */
function networkEvents(run: Run, id: string): string[] {
  const out = docker("events", "--since", String(run.started), "--until", String(Math.floor(Date.now() / 1000) + 1),
    "--filter", "type=network", "--format", "{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.container}}");
  return out.split("\n").filter((l) => l.endsWith(` ${id}`)).map((l) => l.slice(0, -id.length - 1).replace(run.t.runId, "<run>")).sort();
}

test("the compose-like create never puts the container on the default bridge; the upstream create does and then takes it off", () => {
  const ours = networkEvents(runs.ours!, runs.ours!.outputs.webId);
  const upstream = networkEvents(runs.upstream!, runs.upstream!.outputs.webId);
  expect(ours).not.toContain("disconnect bridge");
  expect(upstream).toContain("disconnect bridge");
  expect(ours).toEqual(expect.arrayContaining(["connect appstacks-create-front-<run>", "connect appstacks-create-back-<run>"]));
});

test("the service container is the upstream's, field for field: config, host config, mounts, networks with their aliases, ports", () => {
  const ours = comparable(runs.ours!, runs.ours!.outputs.webName);
  const upstream = comparable(runs.upstream!, runs.upstream!.outputs.webName);
  expect(ours).toEqual(upstream);
  // And it is what the program asked for (the comparison alone would pass if both were wrong).
  const web = inspect(runs.ours!.outputs.webName);
  expect(web.HostConfig.NetworkMode).toBe("bridge");
  expect(Object.keys(web.NetworkSettings.Networks).sort()).toEqual([`appstacks-create-back-${runs.ours!.t.runId}`, `appstacks-create-front-${runs.ours!.t.runId}`]);
  expect(web.NetworkSettings.Networks[`appstacks-create-front-${runs.ours!.t.runId}`].Aliases).toEqual(expect.arrayContaining(["web", "www"]));
  expect(web.HostConfig.PortBindings["8080/tcp"]).toEqual([{ HostIp: "127.0.0.1", HostPort: String(runs.ours!.port) }]);
  expect(web.HostConfig.Memory).toBe(64 * 1024 * 1024);
  expect(web.HostConfig.NanoCpus).toBe(5e8);
  expect(web.HostConfig.Init).toBe(true);
  expect(docker("exec", runs.ours!.outputs.webName, "stat", "-c", "%a", "/run/secrets/token", "/app/run.sh").split("\n")).toEqual(["444", "744"]);
  // Both files arrive in one archive (one copy): each with its own content, as the upstream's two copies.
  const files = (r: typeof runs.ours) => docker("exec", r!.outputs.webName, "cat", "/run/secrets/token", "/app/run.sh");
  expect(files(runs.ours)).toBe("not-a-real-token#!/bin/sh\necho ready");
  expect(files(runs.ours)).toBe(files(runs.upstream));
  expect(web.State.Health.Status === "healthy" || web.State.Health.Status === "starting").toBe(true);
});

test("the job ran to completion the same way: attached until it exited 0, its uploaded file read", () => {
  expect(runs.ours!.outputs.jobExit).toBe("0");
  expect(comparable(runs.ours!, runs.ours!.outputs.jobName)).toEqual(comparable(runs.upstream!, runs.upstream!.outputs.jobName));
});

test("the state is the upstream's, and round-trips: preview and refresh find nothing to change", async () => {
  expect(await stateOf(runs.ours!)).toEqual(await stateOf(runs.upstream!));
  const preview = await runs.ours!.t.stack.preview();
  expect(Object.keys(preview.changeSummary)).toEqual(["same"]);
  const refresh = await runs.ours!.t.stack.refresh(streamOutput);
  expect(Object.keys(refresh.summary.resourceChanges ?? {})).toEqual(["same"]);
  expect(Object.keys((await runs.ours!.t.stack.preview()).changeSummary)).toEqual(["same"]);
});

test("a container made by the compose-like create imports like one made by the upstream create", async () => {
  imported = await testStack(PROGRAM, "createimp");
  await imported.stack.setAllConfig({ runId: { value: imported.runId }, image: { value: IMAGE }, port: { value: "1" } });
  const read = async (id: string, name: string) => {
    const result = await imported!.stack.import({ resources: [{ type: CONTAINER, name, id }], protect: false, generateCode: false });
    expect(result.summary.result).toBe("succeeded");
    const state = await resourcesOf(imported!);
    return state.find((x) => x.urn.endsWith(`::${name}`))!;
  };
  const ours = await read(runs.ours!.outputs.webId, "ours");
  const upstream = await read(runs.upstream!.outputs.webId, "upstream");
  expect(maskedOutputs(ours, runs.ours!)).toEqual(maskedOutputs(upstream, runs.upstream!));
  expect(ours.outputs.networkMode).toBe("bridge");
  // The imported containers belong to the other two stacks: forget this stack without deleting them.
  await imported.stack.workspace.removeStack(imported.stack.name, { force: true });
});
