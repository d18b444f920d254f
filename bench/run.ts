// npm run bench [-- --runs 3 --apps biostar,wattrex --sizes 10,25,50 --only apps,engine,scaling,zero-downtime,idle,swarm
//                  --rate 200 --load "what else ran on the machine" --merge]
// One run of the harness on this machine's daemon: ours vs docker-compose for every app in
// bench/apps.ts, the engine's fixed cost, the synthetic stack's growth, requests during rollouts,
// the CPU an idle deployment of every app costs, and one site on a three-node swarm against
// `docker stack deploy`.
// Writes bench/results/latest.{json,md}; the engine's output goes to a log file (path printed).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { APPS, ROOT, lab } from "./apps";
import { loadNow, machineInfo } from "./lib/machine";
import { latestBlock, renderMarkdown, withLatest } from "./lib/render";
import { AppResult, BenchResults, IdleResult, mergeResults, ScalingPoint, SwarmResult, ZeroDowntimeResult } from "./lib/results";
import { buildComposeImages, composeApp, emptyUp, oursApp, oursWarmUp, syntheticCold } from "./phases";
import { labBlueGreen, plainReplacement } from "./zero-downtime";
import { idleSection } from "./idle";
import { swarmSection } from "./swarm";

const DEFAULT_OUT = path.join(ROOT, "bench/results");
const SECTIONS = ["apps", "engine", "scaling", "zero-downtime", "idle", "swarm"] as const;

function options() {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "3" },
      apps: { type: "string", default: APPS.map((a) => a.name).join(",") },
      sizes: { type: "string", default: "10,25,50" },
      only: { type: "string", default: SECTIONS.join(",") },
      rate: { type: "string", default: "200" },
      load: { type: "string" },
      merge: { type: "boolean", default: false },
      out: { type: "string", default: DEFAULT_OUT },
    },
  });
  const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);
  const positive = (key: string, s: string) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${key}: ${s} is not allowed (allowed: a positive integer)`);
    return n;
  };
  const apps = list(values.apps!).map((name) => APPS.find((a) => a.name === name) ?? fail(`--apps: ${name} is not allowed (allowed: ${APPS.map((a) => a.name).join(", ")})`));
  const only = list(values.only!).map((s) => (SECTIONS as readonly string[]).includes(s) ? s : fail(`--only: ${s} is not allowed (allowed: ${SECTIONS.join(", ")})`));
  return {
    runs: positive("runs", values.runs!), apps, sizes: list(values.sizes!).map((s) => positive("sizes", s)), only: new Set(only),
    rate: positive("rate", values.rate!), load: values.load, out: values.out!, merge: values.merge!,
  };
}

function fail(msg: string): never {
  throw new Error(msg);
}

const say = (s: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`);

async function main() {
  const o = options();
  const log = path.join(os.tmpdir(), `appstacks-bench-${Date.now()}.log`);
  say(`engine and compose output: ${log}`);
  const machine = await machineInfo();
  const notes = [
    "Cold = no containers, volumes or networks of the run; every image already built for both tools (stand-ins by setup, " +
      "the apps' images built once before timing: `docker build` for compose, an untimed deploy of ours for its BuildKit cache). " +
      "Ours still runs its image build step, which hits that cache.",
    "Each phase is timed from the command's start until every container of the run is healthy (services) or exited 0 (jobs), polled every 100 ms; ours returns only once healthy.",
    "Teardown: ours stops each container with its image's stop signal and a grace period (30 s with a data volume, 10 s otherwise), and also removes its image tags; compose stops with the stop signal and a 10 s grace, then removes. Both run the same images, whose processes exit on the signal.",
  ];

  // Built once, before any timing: the images compose runs (ours builds the same contexts, cached).
  // The swarm section runs no compose twin of the apps.
  if (["apps", "zero-downtime", "idle"].some((s) => o.only.has(s))) for (const app of o.apps) await buildComposeImages(app, say);

  const apps: AppResult[] = [];
  let engineFixedCost: number[] | undefined;
  const scaling: ScalingPoint[] = [];
  const zeroDowntime: ZeroDowntimeResult[] = [];
  let idle: IdleResult | undefined;
  let swarm: SwarmResult | undefined;
  // Written after every section, so a section that fails later does not lose the ones measured.
  // --merge: what this run measures replaces its part of the saved results (see mergeResults).
  const earlier = o.merge ? (JSON.parse(fs.readFileSync(path.join(o.out, "latest.json"), "utf8")) as BenchResults) : undefined;
  const measured = [...o.only].map((s) => (s === "apps" ? `apps ${o.apps.map((a) => a.name).join(", ")}` : s)).join("; ");
  const save = (final: boolean) => {
    const current: BenchResults = {
      date: new Date().toISOString(),
      machine: { ...machine, loadAverage: { start: machine.loadAverage.start, end: loadNow() } },
      load: o.load ?? `not stated (pass --load "…"); 1-minute load average ${machine.loadAverage.start} at start on ${machine.cores} cores`,
      runs: o.runs,
      notes,
      apps,
      engineFixedCost,
      scaling,
      zeroDowntime,
      idle,
      swarm,
    };
    const results = earlier ? mergeResults(earlier, current, measured) : current;
    fs.mkdirSync(o.out, { recursive: true });
    fs.writeFileSync(path.join(o.out, "latest.json"), JSON.stringify(results, null, 2) + "\n");
    const md = renderMarkdown(results);
    fs.writeFileSync(path.join(o.out, "latest.md"), md);
    if (final) console.log("\n" + md);
    // docs/benchmarks.md quotes the latest results between its markers (see "Latest results").
    const doc = path.join(ROOT, "docs", "benchmarks.md");
    if (o.out === DEFAULT_OUT) fs.writeFileSync(doc, withLatest(fs.readFileSync(doc, "utf8"), latestBlock(results)));
  };

  if (o.only.has("apps")) {
    for (const app of o.apps) {
      const r: AppResult = {
        app: app.name, change: app.change.what,
        phases: { cold: { ours: [], compose: [] }, noop: { ours: [], compose: [] }, change: { ours: [], compose: [] }, teardown: { ours: [], compose: [] } },
        oursNoopChanges: [], replaced: { ours: [], compose: [] }, noopTouched: { ours: [], compose: [] },
      };
      say(`${app.name}: untimed deploy of ours (its builder's cache)`);
      await oursWarmUp(app, log);
      for (let i = 1; i <= o.runs; i++) {
        // Alternate which tool goes first, so neither always gets the warmer caches.
        const order = i % 2 === 1 ? (["ours", "compose"] as const) : (["compose", "ours"] as const);
        for (const tool of order) {
          say(`${app.name} run ${i}/${o.runs}: ${tool}`);
          const run = tool === "ours" ? await oursApp(app, log) : await composeApp(app);
          for (const phase of ["cold", "noop", "change", "teardown"] as const) r.phases[phase][tool].push(run[phase]);
          r.replaced[tool].push(run.replaced);
          r.noopTouched[tool].push(run.noopTouched);
          if (run.engineChanges !== undefined) r.oursNoopChanges.push(run.engineChanges);
          say(`  cold ${run.cold.toFixed(2)}s, no-op ${run.noop.toFixed(2)}s, change ${run.change.toFixed(2)}s (replaced ${run.replaced}), teardown ${run.teardown.toFixed(2)}s`);
        }
      }
      apps.push(r);
    }
  }

  if (o.only.has("apps")) save(false);
  if (o.only.has("engine")) {
    engineFixedCost = [];
    for (let i = 1; i <= o.runs; i++) {
      engineFixedCost.push(await emptyUp(log));
      say(`empty program up ${i}/${o.runs}: ${engineFixedCost[engineFixedCost.length - 1].toFixed(2)}s`);
    }
  }

  save(false);
  if (o.only.has("scaling")) {
    for (const n of o.sizes) {
      const point: ScalingPoint = { services: n, ours: [], compose: [] };
      for (let i = 1; i <= o.runs; i++) {
        const r = await syntheticCold(n, log);
        point.ours.push(r.ours);
        point.compose.push(r.compose);
        say(`synthetic ${n} services, run ${i}/${o.runs}: ours ${r.ours.toFixed(2)}s, compose ${r.compose.toFixed(2)}s`);
      }
      scaling.push(point);
    }
  }

  save(false);
  if (o.only.has("zero-downtime")) {
    const emit = (z: ZeroDowntimeResult) =>
      say(`  ${z.scenario}: ${z.status === "measured" ? `sent ${z.sent}, failed ${z.failed}, worst ${z.worstLatencyMs} ms, ${z.rolloutSeconds?.toFixed(1)} s` : `${z.status}: ${z.reason}`}`);
    // Every app whose web service publishes HTTP (the lab has its own blue/green section below).
    for (const app of o.apps.filter((a) => a.web && a !== lab)) {
      say(`requests during a plain replacement: ${app.name} at ${o.rate} req/s`);
      zeroDowntime.push(...(await plainReplacement(app, o.rate, log, emit)));
    }
    zeroDowntime.push(...(await labBlueGreen(o.rate, log, emit)));
  }

  save(false);
  if (o.only.has("idle")) idle = await idleSection(o.apps, o.runs, log, say);

  save(false);
  if (o.only.has("swarm")) swarm = await swarmSection(o.runs, o.rate, log, say);

  save(true);
  say(`wrote ${path.join(o.out, "latest.md")} and latest.json`);
}

main().catch((e) => {
  console.error(`[bench] FAILED: ${(e as Error).message}`);
  process.exit(1);
});
