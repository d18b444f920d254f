// The swarm section: one site on a real three-node swarm (support/swarm-cluster.ts: Docker-in-Docker
// nodes, a registry they pull from), deployed by ours (test/e2e/programs/swarm-release: the generic
// AppStack on a SwarmDockerHost) and by `docker stack deploy` of its twin (bench/compose/swarm-site.yml),
// each phase timed from the command's start until the same condition holds: every service of the
// run has all its tasks running (a swarm task runs once its check passes), no update in progress,
// and the site answers the release it should through the proxy.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "./apps";
import { cli } from "./lib/docker";
import { destroy, programStack, remove, up } from "./lib/ours";
import { PHASES, SwarmResult, ZeroDowntimeResult } from "./lib/results";
import { underLoad } from "../support/load";
import { standIn } from "../support/images";
import { setConfig, uniqueRunId } from "../support/workspace";
import { startSwarmCluster, SwarmCluster } from "../support/swarm-cluster";
import { releaseSite } from "../support/release-site";

const PROGRAM = path.join(ROOT, "test/e2e/programs/swarm-release");
const STACK_FILE = path.join(ROOT, "bench/compose/swarm-site.yml");
/** The proxy's port on the manager (its own network namespace: nothing else binds it). */
const PORT = 8080;
const LABEL = "appstacks.stack";
const TIMEOUT_MS = 300_000;

export const SWARM_SITE = "nginx site, 2 web tasks behind Traefik (swarm provider) on a 3-node swarm; the change: a new site (a new swarm config), rolled out task by task";

interface Deployer {
  /** Deploys release N and returns when the command does (stack deploy: at once). */
  deploy(release: number): Promise<void>;
  teardown(): Promise<void>;
  cleanUp(): Promise<void>;
  /** The value of the run's label on its swarm objects. */
  readonly runId: string;
}

type Phases = { cold: number; noop: number; change: number; teardown: number; rollout: ZeroDowntimeResult };

const manager = (c: SwarmCluster, args: string[], env?: NodeJS.ProcessEnv) => cli("docker", ["-H", c.dockerHost, ...args], env);
const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));

const labelled = (c: SwarmCluster, kind: "service" | "network" | "config", runId: string) => c.labelled(kind, LABEL, runId);

/** Every service converged on release N since `since` (ms): tasks all running, no update under way, the page right. */
async function converged(c: SwarmCluster, runId: string, release: number, since: number, updated: boolean): Promise<boolean> {
  // One listing a poll: each service's name and its running/desired tasks.
  const listed = (await manager(c, ["service", "ls", "--filter", `label=${LABEL}=${runId}`, "--format", "{{.Name}} {{.Replicas}}"])).split("\n").filter(Boolean);
  if (listed.length < 2 || !listed.every((l) => /^\S+ (\d+)\/\1$/.test(l.trim()))) return false;
  for (const s of listed.map((l) => l.split(" ")[0])) {
    const status = JSON.parse(await manager(c, ["service", "inspect", s, "--format", "{{json .UpdateStatus}}"])) as { State?: string; CompletedAt?: string } | null;
    if (status?.State !== undefined && status.State !== "completed") return false;
    if (updated && s.endsWith("web") && !(status?.State === "completed" && Date.parse(status.CompletedAt ?? "") >= since - 1000)) return false;
  }
  try {
    const res = await fetch(`http://${c.nodes[0].ip}:${PORT}/`, { signal: AbortSignal.timeout(2000) });
    return res.status === 200 && (await res.text()).trim() === `release ${release}`;
  } catch {
    return false;
  }
}

async function waitFor(what: string, f: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!(await f())) {
    if (Date.now() > deadline) throw new Error(`swarm bench: ${what} not reached after ${TIMEOUT_MS / 1000} s`);
    await pause(100);
  }
}

/** The four phases with one tool; the change rolls out under `rate` requests a second. */
async function phases(c: SwarmCluster, d: Deployer, rate: number, tool: string): Promise<Phases> {
  const timedPhase = async (release: number, updated: boolean) => {
    const t0 = Date.now();
    await d.deploy(release);
    await waitFor(`release ${release} converged`, () => converged(c, d.runId, release, t0, updated));
    return (Date.now() - t0) / 1000;
  };
  try {
    const cold = await timedPhase(1, false);
    const noop = await timedPhase(1, false);
    const { value: change, load, actionSeconds } = await underLoad(`http://${c.nodes[0].ip}:${PORT}/`, { rate }, () => timedPhase(2, true));
    const rollout: ZeroDowntimeResult = { scenario: `swarm: a new site rolled out, ${tool}`, status: "measured", ...load, rolloutSeconds: actionSeconds };
    const t0 = Date.now();
    await d.teardown();
    await waitFor("nothing left", async () => (await labelled(c, "service", d.runId)).length === 0 && (await labelled(c, "network", d.runId)).length === 0);
    return { cold, noop, change, teardown: (Date.now() - t0) / 1000, rollout };
  } finally {
    await d.cleanUp();
  }
}

async function ours(c: SwarmCluster, images: Record<string, string>, log: string): Promise<Deployer> {
  const t = await programStack(PROGRAM, "bench-swarm");
  await setConfig(t.stack, { runId: t.runId, dockerHost: c.dockerHost, image: images.nginx, proxyImage: images.traefik, port: String(PORT), release: "1" });
  return {
    runId: t.runId,
    async deploy(release) {
      await setConfig(t.stack, { release: String(release) });
      await up(t, log);
    },
    teardown: () => destroy(t, log),
    cleanUp: () => remove(t, log),
  };
}

function stackDeploy(c: SwarmCluster, images: Record<string, string>): Deployer {
  // A stack's name prefixes its networks; Traefik is told the edge network by that name.
  const runId = uniqueRunId("bench-swarm-stack").toLowerCase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-bench-swarm-"));
  const env = (release: number): NodeJS.ProcessEnv => {
    const site = releaseSite(String(release), true);
    const file = path.join(dir, `site-${release}.conf`);
    fs.writeFileSync(file, site);
    const hash = crypto.createHash("sha256").update(site).digest("hex").slice(0, 12);
    return { BENCH_STACK: runId, SITE_IMAGE: images.nginx, PROXY_IMAGE: images.traefik, SITE_PORT: String(PORT), SITE_FILE: file, SITE_CONFIG: `${runId}-site-${hash}` };
  };
  const rmAll = async () => {
    await manager(c, ["stack", "rm", runId]).catch(() => "");
    // Configs go once no task uses them; the stack removes only those it still names.
    await waitFor("tasks gone", async () => (await labelled(c, "service", runId)).length === 0);
    for (const cfg of await labelled(c, "config", runId)) await manager(c, ["config", "rm", cfg]).catch(() => "");
  };
  return {
    runId,
    deploy: async (release) => { await manager(c, ["stack", "deploy", "--prune", "-c", STACK_FILE, runId], env(release)); },
    teardown: async () => { await manager(c, ["stack", "rm", runId]); },
    cleanUp: async () => {
      await rmAll();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The section: `runs` runs of each tool on one cluster, alternating which goes first. */
export async function swarmSection(runs: number, rate: number, log: string, say: (s: string) => void): Promise<SwarmResult> {
  const result: SwarmResult = {
    stack: SWARM_SITE, nodes: 3, rate,
    phases: { cold: { ours: [], stackDeploy: [] }, noop: { ours: [], stackDeploy: [] }, change: { ours: [], stackDeploy: [] }, teardown: { ours: [], stackDeploy: [] } },
    rollouts: [],
  };
  say("swarm: starting a three-node cluster");
  const cluster = await startSwarmCluster(`bench-swarm-${process.pid}`);
  try {
    const pushed = await cluster.pushImages([standIn("nginx"), standIn("traefik")]);
    const images = { nginx: pushed[standIn("nginx")], traefik: pushed[standIn("traefik")] };
    for (let i = 1; i <= runs; i++) {
      const order = i % 2 === 1 ? (["ours", "stackDeploy"] as const) : (["stackDeploy", "ours"] as const);
      for (const tool of order) {
        say(`swarm run ${i}/${runs}: ${tool}`);
        const d = tool === "ours" ? await ours(cluster, images, log) : stackDeploy(cluster, images);
        const r = await phases(cluster, d, rate, tool === "ours" ? "`pulumi up` (ours)" : "`docker stack deploy` + converged");
        for (const p of PHASES) result.phases[p][tool].push(r[p]);
        result.rollouts.push(r.rollout);
        say(`  cold ${r.cold.toFixed(2)}s, no-op ${r.noop.toFixed(2)}s, change ${r.change.toFixed(2)}s (failed requests ${r.rollout.failed}), teardown ${r.teardown.toFixed(2)}s`);
      }
    }
  } finally {
    await cluster.stop();
  }
  return result;
}
