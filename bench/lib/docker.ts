// The daemon as both tools left it, read through the docker CLI: which containers a run owns
// (by the appstacks.stack label both tools set), whether they are all healthy, which ones a
// deploy replaced or restarted. Asynchronous throughout, so the in-process load generator keeps
// sending while the harness waits.
import { execFile } from "child_process";
import { promisify } from "util";
import { healthCheckExec } from "../../support/health";

const run = promisify(execFile);
export const STACK_LABEL = "appstacks.stack";

export async function cli(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { env: env ? { ...process.env, ...env } : process.env, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.slice(0, 6).join(" ")}… failed: ${(err.stderr ?? err.message).trim().split("\n").slice(-5).join(" / ")}`);
  }
}

export interface ContainerState {
  readonly name: string;
  readonly id: string;
  /** The compose service or appstacks.service label. */
  readonly service: string;
  readonly status: string;
  readonly health?: string;
  readonly exitCode: number;
  readonly startedAt: string;
}

/** Every container labelled appstacks.stack=<stack>, with its state. */
export async function containersOf(stack: string): Promise<ContainerState[]> {
  const ids = (await cli("docker", ["ps", "-aq", "--no-trunc", "--filter", `label=${STACK_LABEL}=${stack}`])).split("\n").filter(Boolean);
  if (ids.length === 0) return [];
  let raw: string;
  try {
    raw = await cli("docker", ["inspect", ...ids]);
  } catch {
    return containersOf(stack); // one was removed between ps and inspect: look again
  }
  return Promise.all((JSON.parse(raw) as DockerInspect[]).map(async (c) => ({
    name: c.Name.replace(/^\//, ""),
    id: c.Id,
    service: c.Config.Labels["com.docker.compose.service"] ?? c.Config.Labels["appstacks.service"] ?? c.Name,
    status: c.State.Status,
    health: await healthNow(c),
    exitCode: c.State.ExitCode,
    startedAt: c.State.StartedAt,
  })));
}

/**
 * The engine's status, or "healthy" when it still says "starting" but the check passes now, or
 * when a rolling container's ready check passes (support/health.ts).
 */
async function healthNow(c: DockerInspect): Promise<string | undefined> {
  const status = c.State.Health?.Status;
  const exec = status === "starting" || status === undefined ? healthCheckExec(c.Id, c) : undefined;
  if (exec === undefined) return status;
  try {
    await run("docker", exec, { timeout: 10_000 });
    return "healthy";
  } catch {
    return status;
  }
}

interface DockerInspect {
  Name: string;
  Id: string;
  Config: { Labels: Record<string, string>; User?: string; Healthcheck?: { Test?: string[] } };
  State: { Status: string; ExitCode: number; StartedAt: string; Health?: { Status: string } };
}

/** Ready: every expected service has a container, services run (healthy when checked), jobs exited 0. */
export function readiness(containers: readonly ContainerState[], services: readonly string[], jobs: readonly string[]): { ready: boolean; failed?: string } {
  const byService = new Map(containers.map((c) => [c.service, c]));
  for (const s of [...services, ...jobs]) {
    const c = byService.get(s);
    if (!c) return { ready: false };
    if (jobs.includes(s)) {
      if (c.status === "exited" && c.exitCode !== 0) return { ready: false, failed: `job ${c.name} exited with ${c.exitCode}` };
      if (c.status !== "exited") return { ready: false };
    } else {
      if (c.status === "exited" || c.status === "dead") return { ready: false, failed: `${c.name} is ${c.status} (exit ${c.exitCode})` };
      if (c.status !== "running" || (c.health !== undefined && c.health !== "healthy")) return { ready: false };
    }
  }
  return { ready: true };
}

/**
 * Polls until ready (100 ms steps); throws on a failed job/container or after timeoutMs. Returns
 * when (performance.now()) the look that found the stack ready began: what the timed phases
 * count, so the look's own cost is never counted (see timedUntilReady in timing.ts).
 */
export async function waitReady(stack: string, services: readonly string[], jobs: readonly string[] = [], timeoutMs = 600_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lookedAt = performance.now();
    const r = readiness(await containersOf(stack), services, jobs);
    if (r.ready) return lookedAt;
    if (r.failed) throw new Error(`stack ${stack}: ${r.failed}`);
    if (Date.now() > deadline) throw new Error(`stack ${stack}: not healthy after ${timeoutMs / 1000}s`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Containers a deploy replaced (new ID for a service) and restarted (same ID, new start time). */
export function touched(before: readonly ContainerState[], after: readonly ContainerState[]): { replaced: string[]; restarted: string[] } {
  const old = new Map(before.map((c) => [c.service, c]));
  const replaced: string[] = [];
  const restarted: string[] = [];
  for (const c of after) {
    const b = old.get(c.service);
    if (!b || b.id !== c.id) replaced.push(c.service);
    else if (b.startedAt !== c.startedAt) restarted.push(c.service);
  }
  return { replaced: replaced.sort(), restarted: restarted.sort() };
}

/** What a failed run left behind, by its label only; never throws. */
export async function removeLabelled(stack: string): Promise<void> {
  const filter = `label=${STACK_LABEL}=${stack}`;
  const quiet = (p: Promise<string>) => p.catch(() => "");
  const list = async (kind: string[]) => (await quiet(cli("docker", [...kind, "--filter", filter]))).split("\n").filter(Boolean);
  for (const id of await list(["ps", "-aq"])) await quiet(cli("docker", ["rm", "-f", id]));
  for (const id of await list(["network", "ls", "-q"])) await quiet(cli("docker", ["network", "rm", id]));
  for (const id of await list(["volume", "ls", "-q"])) await quiet(cli("docker", ["volume", "rm", "-f", id]));
}
