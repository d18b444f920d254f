// Requests during a rollout: a load generator sends continuous requests through a published
// endpoint while a change rolls out; what failed and the worst latency.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BenchApp, composeServices, lab, Ports, ROOT, STANDINS } from "./apps";
import { cli, waitReady, removeLabelled } from "./lib/docker";
import { underLoad } from "../support/load";
import { appStack, remove, up } from "./lib/ours";
import { ZeroDowntimeResult } from "./lib/results";
import { freePortsFor } from "../support/net";
import { composeProject } from "./phases";
import { setConfig } from "../support/workspace";

const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));
/** A web container that cannot pass its health check under this load is a result, not a hang. */
const ROLLOUT_TIMEOUT_MS = 240_000;

/** One rollout under load; a rollout that fails (e.g. never healthy under load) is reported as failed. */
async function rollout(scenario: string, url: string, rate: number, action: () => Promise<unknown>): Promise<ZeroDowntimeResult> {
  try {
    const { load, actionSeconds } = await underLoad(url, { rate }, action);
    return { scenario, status: "measured", ...load, rolloutSeconds: actionSeconds };
  } catch (e) {
    return { scenario, status: "failed", reason: String((e as Error).message ?? e).split("\n")[0].slice(0, 200) };
  }
}

/** Load only, no change: what the endpoint does at this rate on this machine, for comparison. */
function steady(scenario: string, url: string, rate: number, seconds: number): Promise<ZeroDowntimeResult> {
  return underLoad(url, { rate }, () => pause(seconds * 1000)).then(({ load, actionSeconds }) => ({ scenario, status: "measured", ...load, rolloutSeconds: actionSeconds }));
}

/**
 * A new image of a stand-in (the same content, one label more, so a new ID): what a new release
 * of an image looks like to both tools. Built once, before any timing.
 */
async function releaseOf(standIn: string): Promise<string> {
  const tag = `appstacks-bench/release-of-${standIn.replace(/[^a-z0-9]+/g, "-")}:2`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-bench-release-"));
  try {
    fs.writeFileSync(path.join(dir, "Dockerfile"), `FROM ${standIn}\nLABEL appstacks.bench.release=2\n`);
    await cli("docker", ["build", "-q", "-t", tag, dir]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return tag;
}

/** The change that replaces `app`'s published web service: its own `change`, or a new release of an image the web service runs. */
async function webChange(app: BenchApp, ports: Ports, files: () => string): Promise<{ what: string; service: string; ours: Record<string, unknown>; compose: () => Promise<Record<string, string>> }> {
  const r = app.webRelease;
  if (r === undefined) return { what: app.change.what, service: app.change.service, ours: app.ours(ports, true), compose: async () => app.compose(ports, files(), true) };
  const tag = await releaseOf(STANDINS[r.releaseOf]);
  const base = app.ours(ports, false);
  return {
    what: `${r.service}: a new release of its ${r.releaseOf} image`,
    service: r.service,
    ours: { ...base, "appstacks:imageOverrides": { ...(base["appstacks:imageOverrides"] as Record<string, string>), [r.releaseOf]: tag } },
    compose: async () => {
      if (r.releaseOf === "nginx") return { NGINX_IMAGE: tag };
      // The apps' own images, built FROM the new base, as compose users rebuild them.
      const env: Record<string, string> = {};
      for (const img of app.builtImages) {
        await cli("docker", ["build", "-q", "-t", `${img.tag}-release`, "--build-arg", `BASE_IMAGE=${tag}`, path.join(ROOT, img.context)]);
        env[img.envVar] = `${img.tag}-release`;
      }
      return env;
    },
  };
}

/**
 * The default path: the published web service of `app` replaced by our `up` (through the front
 * proxy: a rollout), then the same change by docker-compose; ours preceded by a steady-load baseline.
 */
export async function plainReplacement(app: BenchApp, rate: number, log: string, emit: (r: ZeroDowntimeResult) => void): Promise<ZeroDowntimeResult[]> {
  if (!app.web) return [];
  const results: ZeroDowntimeResult[] = [];
  const push = (r: ZeroDowntimeResult) => { results.push(r); emit(r); };
  const ports = await freePortsFor(app.ports);
  const url = `http://127.0.0.1:${ports[app.web.port]}${app.web.path}`;
  let composeFiles = "";
  const change = await webChange(app, ports, () => composeFiles);
  const t = await appStack(`bench-zd-${app.name}`, app.ours(ports, false));
  try {
    await up(t, log);
    await waitReady(t.runId, app.services, app.jobs);
    push(await steady(`${app.name}: steady load, no change (ours)`, url, rate, 5));
    await setConfig(t.stack, change.ours);
    push(await rollout(`${app.name}: ${change.what}, \`up\` rolls ${change.service} out (ours)`, url, rate, () => up(t, log)));
  } finally {
    await remove(t, log);
    await removeLabelled(t.runId);
  }

  const { p, runId, files, cleanUp } = composeProject(app, "bench-zd", ports);
  composeFiles = files;
  try {
    await p.up();
    await waitReady(runId, composeServices(app), app.jobs);
    p.setEnv(await change.compose());
    push(await rollout(`${app.name}: the same change, \`docker-compose up -d\` + healthy`, url, rate, async () => {
      await p.up();
      await waitReady(runId, composeServices(app), app.jobs, ROLLOUT_TIMEOUT_MS);
    }));
    await p.down();
  } finally {
    await cleanUp();
  }
  return results;
}

// The DevOps lab's blue/green path: load through the proxy's live entry point while (1) the live
// colour switches blue → green (a config change that re-runs the one-shot switch job), then (2) a
// new release of the live colour rolls out (green rebuilt, pushed, pulled by digest, its container
// replaced; the proxy retries on blue while green is away).
export async function labBlueGreen(rate: number, log: string, emit: (r: ZeroDowntimeResult) => void): Promise<ZeroDowntimeResult[]> {
  // The lab's own bench entry (ports, stand-ins, config), with the rollouts' settings on top.
  const ports = await freePortsFor(lab.ports);
  const url = `http://127.0.0.1:${ports.live}/`;
  const base = lab.ours(ports, false);
  let settings: Record<string, unknown> = { ...(base["appstacks:lab"] as Record<string, unknown>), live: "blue" };
  const configWith = (patch: Record<string, unknown>) => ({ ...base, "appstacks:lab": (settings = { ...settings, ...patch }) });
  const t = await appStack("bench-zd-lab", configWith({}));
  const results: ZeroDowntimeResult[] = [];
  const push = (r: ZeroDowntimeResult) => { results.push(r); emit(r); };
  try {
    await up(t, log);
    await waitReady(t.runId, lab.services, lab.jobs);
    push(await steady("lab: steady load on the live entry point, no change", url, rate, 5));
    for (const [scenario, patch] of [
      ["lab: blue → green switch through the proxy (`lab.live`)", { live: "green" }],
      ["lab: new release of the live colour, green rebuilt and replaced (`lab.greenRelease`)", { greenRelease: "2" }],
    ] as const) {
      await setConfig(t.stack, configWith(patch));
      push(await rollout(scenario, url, rate, () => up(t, log)));
    }
  } finally {
    await remove(t, log);
    await removeLabelled(t.runId);
  }
  return results;
}
