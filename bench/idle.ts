// The idle section: every app deployed at once, ours and then the compose twins, left alone, and
// the share of all cores busy over a window, beside the machine's own floor with neither running.
// Our health checks run every 30 s once deployed (our provider probes quickly only while a
// deployment waits); compose's twins keep the 2 s interval their service_healthy gating needs.
import { BenchApp, composeServices } from "./apps";
import { busyPercent } from "./lib/cpu";
import { cli, removeLabelled, STACK_LABEL, waitReady } from "./lib/docker";
import { appStack, remove, up } from "./lib/ours";
import { IdleResult } from "./lib/results";
import { composeProject } from "./phases";
import { freePortsFor } from "../support/net";

const SETTLE_SECONDS = 30;
const WINDOW_SECONDS = 60;

async function running(stack: string): Promise<number> {
  return (await cli("docker", ["ps", "-q", "--filter", `label=${STACK_LABEL}=${stack}`])).split("\n").filter(Boolean).length;
}

const settle = () => new Promise((r) => setTimeout(r, SETTLE_SECONDS * 1000));

/** One stack of ours holding every app, as the dev stack does. */
async function oursIdle(apps: readonly BenchApp[], log: string): Promise<[number, number]> {
  const config: Record<string, any> = { "appstacks:apps": [], "appstacks:imageOverrides": {} };
  for (const app of apps) {
    const c = app.ours(await freePortsFor(app.ports), false) as Record<string, any>;
    config["appstacks:apps"].push(...c["appstacks:apps"]);
    config["appstacks:imageOverrides"] = { ...config["appstacks:imageOverrides"], ...c["appstacks:imageOverrides"] };
    for (const [k, v] of Object.entries(c)) if (k !== "appstacks:apps" && k !== "appstacks:imageOverrides") config[k] = v;
  }
  const t = await appStack("bench-idle", config);
  try {
    await up(t, log);
    await settle();
    return [await busyPercent(WINDOW_SECONDS), await running(t.runId)];
  } finally {
    await remove(t, log);
    await removeLabelled(t.runId);
  }
}

async function composeIdle(apps: readonly BenchApp[]): Promise<[number, number]> {
  const projects = [];
  try {
    for (const app of apps) {
      const proj = composeProject(app, "bench-idle", await freePortsFor(app.ports));
      projects.push(proj);
      await proj.p.up();
      await waitReady(proj.runId, composeServices(app), app.jobs);
    }
    await settle();
    const busy = await busyPercent(WINDOW_SECONDS);
    let n = 0;
    for (const { runId } of projects) n += await running(runId);
    return [busy, n];
  } finally {
    for (const { p, cleanUp } of projects) {
      await p.down().catch(() => undefined);
      await cleanUp();
    }
  }
}

export async function idleSection(apps: readonly BenchApp[], runs: number, log: string, say: (s: string) => void): Promise<IdleResult> {
  const r = { floor: [] as number[], ours: [] as number[], compose: [] as number[], containers: { ours: 0, compose: 0 } };
  for (let i = 1; i <= runs; i++) {
    r.floor.push(await busyPercent(WINDOW_SECONDS / 2));
    const [ours, oursN] = await oursIdle(apps, log);
    const [compose, composeN] = await composeIdle(apps);
    r.ours.push(ours);
    r.compose.push(compose);
    r.containers = { ours: oursN, compose: composeN };
    say(`idle run ${i}/${runs}: floor ${r.floor[i - 1].toFixed(1)} %, ours ${ours.toFixed(1)} % (${oursN} containers), compose ${compose.toFixed(1)} % (${composeN})`);
  }
  return { apps: apps.map((a) => a.name), settleSeconds: SETTLE_SECONDS, windowSeconds: WINDOW_SECONDS, ...r };
}
