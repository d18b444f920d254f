// Kills the engine (SIGKILL to pulumi's whole process group, as a laptop lid or a cancelled CI
// runner does) at random moments of a cold `up`, a replacing `up` and a `destroy` of Biostar,
// then runs what a user runs: `npm run recover` and `up`. After every kill the stack must be
// healthy again, its rows intact, and no container labelled with the stack may be missing from
// state. Not in `npm test` (about 10 minutes): `npm run test:stress` (STRESS_KILLS, default 21).
import { spawnSync } from "child_process";
import * as path from "path";
import { projectStack, PROJECT_ROOT, setConfig, tearDown, TestStack } from "../../support/workspace";
import { containersLabelled, networksLabelled, volumesLabelled } from "../e2e/support/docker";
import { killGroup, pulumiCli, startPulumiCli } from "../e2e/support/cli";
import { TARGETS } from "../e2e/support/reliabilityTargets";
import { eventually } from "../../support/eventually";

const KILLS = Number(process.env.STRESS_KILLS ?? 21);
const STACK_LABEL = "appstacks.stack";
const target = TARGETS.biostar;
type Phase = "up" | "replace" | "destroy";
const PHASES: Phase[] = ["up", "replace", "destroy"];

let t: TestStack;
let url = "";
const rows: string[] = [];
const results: { kill: number; phase: Phase; atSeconds: number; finishedFirst: boolean; recovered: string[]; upSeconds: number }[] = [];

const docker = (args: string[]) => spawnSync("docker", args, { encoding: "utf8" }).stdout.trim();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


function cli(args: string[]): { seconds: number; out: string } {
  const t0 = Date.now();
  const r = pulumiCli(t, args);
  if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return { seconds: (Date.now() - t0) / 1000, out: r.stdout };
}

const dbContainer = () => containersLabelled(STACK_LABEL, t.runId).find((n) => n.endsWith("-biostar-db"))!;

/** Healthy, answering, every row there, and every labelled container known to state. */
async function converged(): Promise<void> {
  await eventually("the page answers", () => target.checkWeb(url), 120_000);
  await eventually("rows readable", () => expect(target.db.read(dbContainer())).toEqual([...rows].sort()), 120_000);
  const state = pulumiCli(t, ["stack", "export"]).stdout;
  const ids = docker(["ps", "-aq", "--no-trunc", "--filter", `label=${STACK_LABEL}=${t.runId}`]).split("\n").filter(Boolean);
  expect(ids.filter((id) => !state.includes(id))).toEqual([]);
  expect(JSON.parse(state).deployment.pending_operations ?? []).toEqual([]);
}

beforeAll(async () => {
  t = await projectStack("stress-kill");
  const config = await target.config();
  await setConfig(t.stack, config);
  url = `http://localhost:${(config["appstacks:biostar"] as { port: number }).port}/`;
  lasts.up = cli(["up", "--yes", "--skip-preview"]).seconds;
  const v = `row-${Date.now().toString(36)}`;
  target.db.write(dbContainer(), v);
  rows.push(v);
  await converged();
});

afterAll(async () => {
  if (!t) return;
  process.stdout.write(`\nkill | phase | killed after (s) | recover said | up after it (s)\n`);
  for (const r of results) {
    process.stdout.write(`${r.kill} | ${r.phase} | ${r.atSeconds.toFixed(2)}${r.finishedFirst ? " (had finished)" : ""} | ${r.recovered.join("; ")} | ${r.upSeconds.toFixed(1)}\n`);
  }
  await tearDown(t);
  for (const c of containersLabelled(STACK_LABEL, t.runId)) docker(["rm", "-f", c]);
  for (const n of networksLabelled(STACK_LABEL, t.runId)) docker(["network", "rm", n]);
  for (const v of volumesLabelled(STACK_LABEL, t.runId)) docker(["volume", "rm", v]);
});

// How long each phase takes unkilled (the first up measures the cold one; a run that finished
// before its kill measures again): kills land anywhere inside it.
const lasts: Record<Phase, number> = { up: 12, replace: 8, destroy: 3 };
let debug = false;

// Each kill costs a recover, an up and the checks: about 20 s.
jest.setTimeout(KILLS * 120_000);

test(`${KILLS} kills across up, replacing up and destroy: each recovered, no orphan, no lost row`, async () => {
  for (let kill = 1; kill <= KILLS; kill++) {
    const phase = PHASES[(kill - 1) % PHASES.length];
    // Set the scene, unkilled, measuring how long the phase takes.
    if (phase === "up") cli(["destroy", "--yes", "--skip-preview"]);
    if (phase === "replace") {
      debug = !debug;
      await setConfig(t.stack, { "appstacks:biostar": { ...((await target.config())["appstacks:biostar"] as object), port: Number(new URL(url).port), debug } });
    }
    const at = 0.3 + Math.random() * lasts[phase];
    const run = startPulumiCli(t, phase === "destroy" ? ["destroy", "--yes", "--skip-preview"] : ["up", "--yes", "--skip-preview"]);
    const t0 = Date.now();
    let finished = false;
    void run.done.then(() => (finished = true));
    await Promise.race([sleep(at * 1000), run.done]);
    const finishedFirst = finished;
    if (finishedFirst) lasts[phase] = (Date.now() - t0) / 1000;
    killGroup(run.child);
    await run.done;
    const recover = spawnSync("bash", [path.join(PROJECT_ROOT, "scripts", "recover.sh"), t.stack.name], {
      cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, ...t.stack.workspace.envVars, APPSTACKS_PROJECT_DIR: t.stack.workspace.workDir },
    });
    process.stdout.write(`[stress] kill ${kill} (${phase}, after ${at.toFixed(2)} s${finishedFirst ? ", had already finished" : ""}):\n${recover.stdout}${recover.stderr}`);
    expect(recover.status).toBe(0);
    const up = cli(["up", "--yes", "--skip-preview"]);
    await converged();
    results.push({ kill, phase, atSeconds: at, finishedFirst, recovered: recover.stdout.trim().split("\n").map((l) => l.replace(/^\[recover\] /, "")), upSeconds: up.seconds });
  }
  expect(results).toHaveLength(KILLS);
});
