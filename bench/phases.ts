// One run of each measurement: the four phases of an app with each tool, the empty program, the
// synthetic stack. Every run uses its own stack/project name and cleans up after itself by label.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BenchApp, composeServices, Ports, ROOT, STANDINS } from "./apps";
import { ComposeProject } from "./lib/compose";
import { cli, containersOf, removeLabelled, touched, waitReady } from "./lib/docker";
import { appStack, destroy, lastUpdateChanges, programStack, remove, up } from "./lib/ours";
import { serviceNames, syntheticCompose } from "./lib/synthetic";
import { timed, timedUntilReady } from "./lib/timing";
import { freePortsFor } from "../support/net";
import { setConfig, uniqueRunId } from "../support/workspace";

/** Seconds per phase of one run, and what the deploys touched. */
export interface AppRun {
  readonly cold: number;
  readonly noop: number;
  readonly change: number;
  readonly teardown: number;
  /** Containers the no-op deploy replaced or restarted. */
  readonly noopTouched: number;
  /** Containers the one-service change replaced. */
  readonly replaced: number;
  /** The engine's change count for the no-op (ours only). */
  readonly engineChanges?: number;
}

export async function oursApp(app: BenchApp, log: string): Promise<AppRun> {
  const ports = await freePortsFor(app.ports);
  const t = await appStack(`bench-${app.name}`, app.ours(ports, false));
  const ready = () => waitReady(t.runId, app.services, app.jobs);
  try {
    const cold = await timedUntilReady(() => up(t, log), ready);
    const before = await containersOf(t.runId);
    const noop = await timedUntilReady(() => up(t, log), ready);
    const changes = await lastUpdateChanges(t);
    const afterNoop = await containersOf(t.runId);
    await setConfig(t.stack, app.ours(ports, true));
    const change = await timedUntilReady(() => up(t, log), ready);
    const afterChange = await containersOf(t.runId);
    const [teardown] = await timed(() => destroy(t, log));
    const n = touched(before, afterNoop);
    return { cold, noop, change, teardown, noopTouched: n.replaced.length + n.restarted.length, replaced: touched(afterNoop, afterChange).replaced.length, engineChanges: changes };
  } finally {
    await remove(t, log);
    await removeLabelled(t.runId);
  }
}

/**
 * One untimed deploy and teardown of our stack. Our provider builds the app's images with
 * BuildKit, whose cache is not the one `docker build` filled for compose (the legacy builder
 * here): without this, the first measured run of ours built them for real.
 */
export async function oursWarmUp(app: BenchApp, log: string): Promise<void> {
  const t = await appStack(`bench-${app.name}-warm`, app.ours(await freePortsFor(app.ports), false));
  try {
    await up(t, log);
  } finally {
    await remove(t, log);
    await removeLabelled(t.runId);
  }
}

/** A compose project of the app's twin on fresh ports and files, with its variables set. */
export function composeProject(app: BenchApp, prefix: string, ports: Ports): { p: ComposeProject; runId: string; files: string; cleanUp: () => Promise<void> } {
  const runId = uniqueRunId(`${prefix}-${app.name}-compose`);
  const files = fs.mkdtempSync(path.join(os.tmpdir(), `appstacks-${prefix}-${app.name}-`));
  const images = Object.fromEntries(app.builtImages.map((i) => [i.envVar, i.tag]));
  const p = new ComposeProject(app.composeFile, runId, { BENCH_STACK: runId, BENCH_FILES: files, ...images, ...app.compose(ports, files, false) });
  const cleanUp = async () => {
    await removeLabelled(runId);
    fs.rmSync(files, { recursive: true, force: true });
  };
  return { p, runId, files, cleanUp };
}

/** The images compose runs, built once before any timing (ours builds the same contexts itself). */
export async function buildComposeImages(app: BenchApp, say: (s: string) => void = () => {}): Promise<void> {
  for (const img of app.builtImages) {
    say(`building ${img.tag} from ${img.context}`);
    await cli("docker", ["build", "-q", "-t", img.tag, "--build-arg", `BASE_IMAGE=${STANDINS.debian}`, path.join(ROOT, img.context)]);
  }
}

export async function composeApp(app: BenchApp): Promise<AppRun> {
  const ports = await freePortsFor(app.ports);
  const { p, runId, files, cleanUp } = composeProject(app, "bench", ports);
  const ready = () => waitReady(runId, composeServices(app), app.jobs);
  try {
    const cold = await timedUntilReady(() => p.up(), ready);
    const before = await containersOf(runId);
    const noop = await timedUntilReady(() => p.up(), ready);
    const afterNoop = await containersOf(runId);
    p.setEnv(app.compose(ports, files, true));
    const change = await timedUntilReady(() => p.up(), ready);
    const afterChange = await containersOf(runId);
    const [teardown] = await timed(() => p.down());
    const n = touched(before, afterNoop);
    return { cold, noop, change, teardown, noopTouched: n.replaced.length + n.restarted.length, replaced: touched(afterNoop, afterChange).replaced.length };
  } finally {
    await cleanUp();
  }
}

/** An empty program's `up`: the engine's fixed cost. */
export async function emptyUp(log: string): Promise<number> {
  const t = await programStack(path.join(ROOT, "bench/programs/empty"), "bench-empty");
  try {
    const [s] = await timed(() => up(t, log));
    return s;
  } finally {
    await remove(t, log);
  }
}

/** Cold deploy of N synthetic services, ours and compose; torn down untimed. */
export async function syntheticCold(n: number, log: string): Promise<{ ours: number; compose: number }> {
  const services = serviceNames(n);
  const t = await programStack(path.join(ROOT, "bench/programs/synthetic"), `bench-syn${n}`, { "bench:services": String(n) });
  let ours: number;
  try {
    ours = await timedUntilReady(() => up(t, log), () => waitReady(t.runId, services));
  } finally {
    await remove(t, log);
    await removeLabelled(t.runId);
  }
  const runId = uniqueRunId(`bench-syn${n}-compose`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-bench-syn-"));
  const file = path.join(dir, "docker-compose.yml");
  fs.writeFileSync(file, syntheticCompose(n, runId));
  const p = new ComposeProject(file, runId, {});
  let compose: number;
  try {
    compose = await timedUntilReady(() => p.up(), () => waitReady(runId, services));
    await p.down();
  } finally {
    await removeLabelled(runId);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { ours, compose };
}
