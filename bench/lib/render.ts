// The Markdown report of a run: the tables docs/benchmarks.md quotes. Pure: results in, text out.
import { BenchResults, Phase, PHASES } from "./results";
import { perService, ratio, summarize, Summary } from "./stats";

const PHASE_TITLE: Record<Phase, string> = {
  cold: "cold deploy → all healthy",
  noop: "no-op deploy",
  change: "one service's setting changed",
  teardown: "teardown",
};

/** The targets, checked against the medians (reported, never asserted by tests). */
const TARGET_RATIO: Partial<Record<Phase, number>> = { cold: 1.15, noop: 3 };

export function seconds(x: number): string {
  return x.toFixed(x < 10 ? 2 : 1);
}

export function minMedMax(s: Summary): string {
  return s.n === 1 ? seconds(s.median) : `${seconds(s.min)} / **${seconds(s.median)}** / ${seconds(s.max)}`;
}

export function formatRatio(r: number | undefined): string {
  return r === undefined ? "–" : `${r.toFixed(2)}×`;
}

/** A Markdown table; cells may not contain "|" (escaped if they do). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (c: string) => c.replace(/\|/g, "\\|");
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

function counts(xs: readonly number[]): string {
  if (xs.length === 0) return "–";
  const distinct = [...new Set(xs)];
  return distinct.length === 1 ? String(distinct[0]) : xs.join(", ");
}

export function appTable(r: BenchResults): string {
  const rows: string[][] = [];
  for (const app of r.apps) {
    for (const phase of PHASES) {
      const s = app.phases[phase];
      if (s.ours.length === 0 || s.compose.length === 0) continue;
      const ours = summarize(s.ours);
      const compose = summarize(s.compose);
      const rt = ratio(ours, compose);
      const target = TARGET_RATIO[phase];
      let check = target === undefined ? "" : `target ≤ ${target}×: ${rt !== undefined && rt <= target ? "met" : "missed"}`;
      if (phase === "noop") check += `; engine changes: ${counts(app.oursNoopChanges)}; containers touched: ours ${counts(app.noopTouched.ours)}, compose ${counts(app.noopTouched.compose)}`;
      if (phase === "change") check = `${app.change}; containers replaced: ours ${counts(app.replaced.ours)}, compose ${counts(app.replaced.compose)} (target 1)`;
      rows.push([app.app, PHASE_TITLE[phase], minMedMax(ours), minMedMax(compose), formatRatio(rt), check]);
    }
  }
  return table(["app", "phase", "ours (s)", "docker-compose (s)", "ours/compose", "checks"], rows);
}

export function scalingTable(r: BenchResults): string {
  const ok = r.scaling.filter((p) => p.ours.length > 0 && p.compose.length > 0);
  const ours = perService(ok.map((p) => ({ services: p.services, seconds: summarize(p.ours).median })));
  const compose = perService(ok.map((p) => ({ services: p.services, seconds: summarize(p.compose).median })));
  const rows = ok.map((p, i) => {
    const o = summarize(p.ours);
    const c = summarize(p.compose);
    const marginal = (m?: number) => (m === undefined ? "–" : seconds(m));
    return [
      String(p.services), minMedMax(o), minMedMax(c), formatRatio(ratio(o, c)),
      `${seconds(ours[i].perService)} / ${marginal(ours[i].marginal)}`, `${seconds(compose[i].perService)} / ${marginal(compose[i].marginal)}`,
    ];
  });
  return table(["services", "ours cold (s)", "docker-compose cold (s)", "ours/compose", "ours per service / per added service (s)", "compose per service / per added service (s)"], rows);
}

export function zeroDowntimeTable(r: BenchResults): string {
  const rows = r.zeroDowntime.map((z) =>
    z.status !== "measured"
      ? [z.scenario, `${z.status}: ${z.reason ?? ""}`, "", "", "", "", ""]
      : [z.scenario, `${z.rate} req/s (sent ${z.achievedRate ?? "?"}/s)`, String(z.sent), `${z.failed} (non-2xx ${z.non2xx}, connection errors/timeouts ${z.errors})`, `${z.worstLatencyMs} ms`, z.longestGapMs === undefined ? "–" : seconds(z.longestGapMs / 1000), seconds(z.rolloutSeconds ?? 0)],
  );
  return table(["scenario", "load asked (sent)", "requests sent", "failed attempts", "worst latency", "longest without a 2xx (s)", "rollout (s)"], rows);
}

/** The idle section: percent of all cores busy, min / median / max over the runs. */
export function idleTable(r: BenchResults): string {
  const i = r.idle!;
  const pct = (xs: number[]) => {
    const s = summarize(xs);
    const f = (x: number) => `${x.toFixed(1)} %`;
    return s.n === 1 ? f(s.median) : `${f(s.min)} / **${f(s.median)}** / ${f(s.max)}`;
  };
  return [
    `All of ${i.apps.join(", ")} deployed and left alone for ${i.settleSeconds} s, then the share of all cores busy over ${i.windowSeconds} s (\`/proc/stat\`).`,
    "",
    table(["what runs", "containers", "cores busy (min / **median** / max)"], [
      ["nothing (the machine's floor)", "0", pct(i.floor)],
      ["ours", String(i.containers.ours), pct(i.ours)],
      ["docker-compose twins", String(i.containers.compose), pct(i.compose)],
    ]),
  ].join("\n");
}

/** The swarm section: the phases of ours and of `docker stack deploy`, then the changes under load. */
export function swarmTable(r: BenchResults): string {
  const w = r.swarm!;
  const rows = PHASES.filter((p) => w.phases[p].ours.length > 0 && w.phases[p].stackDeploy.length > 0).map((p) => {
    const ours = summarize(w.phases[p].ours);
    const other = summarize(w.phases[p].stackDeploy);
    return [p === "change" ? "a new release rolled out (task by task)" : PHASE_TITLE[p], minMedMax(ours), minMedMax(other), formatRatio(ratio(ours, other))];
  });
  return [
    `${w.stack}; ${w.nodes} nodes. Each phase from the command's start until every task runs (a swarm task runs once its check passes), no update is under way and the site answers the release it should; the change under ${w.rate} req/s.`,
    "",
    table(["phase", "ours (s)", "docker stack deploy (s)", "ours/stack deploy"], rows),
    "",
    zeroDowntimeTable({ ...r, zeroDowntime: w.rollouts }),
  ].join("\n");
}

export function machineLine(r: BenchResults): string {
  const m = r.machine;
  const load = m.loadAverage.end === undefined ? `${m.loadAverage.start}` : `${m.loadAverage.start} → ${m.loadAverage.end}`;
  return `${r.date}: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}; Docker ${m.dockerVersion}, docker-compose ${m.composeVersion}, ` +
    `Pulumi ${m.pulumiVersion}, Node ${m.nodeVersion}; ${r.runs} run(s) each; load average ${load}. Load: ${r.load}`;
}

export function renderMarkdown(r: BenchResults): string {
  const parts = [
    "# Benchmark results",
    "",
    `Machine: ${machineLine(r)}`,
    "",
    "## Deploys, ours vs docker-compose (min / **median** / max, seconds)",
    "",
    appTable(r),
  ];
  if (r.engineFixedCost && r.engineFixedCost.length > 0) {
    parts.push("", "## Engine fixed cost", "", `An empty program's \`pulumi up\`: ${minMedMax(summarize(r.engineFixedCost))} s.`);
  }
  if (r.scaling.length > 0) parts.push("", "## Cold deploy of a synthetic stack of N small services", "", scalingTable(r));
  if (r.zeroDowntime.length > 0) parts.push("", "## Requests during a rollout", "", zeroDowntimeTable(r));
  if (r.idle) parts.push("", "## An idle deployment", "", idleTable(r));
  if (r.swarm) parts.push("", "## On a swarm: ours vs docker stack deploy (min / **median** / max, seconds)", "", swarmTable(r));
  if (r.notes.length > 0) parts.push("", "## Notes", "", ...r.notes.map((n) => `- ${n}`));
  return parts.join("\n") + "\n";
}

export const LATEST_START = "<!-- bench:latest:start (written by npm run bench) -->";
export const LATEST_END = "<!-- bench:latest:end -->";

/** The document (docs/benchmarks.md) with the text between the markers replaced by `body`; unchanged without markers. */
export function withLatest(doc: string, body: string): string {
  const a = doc.indexOf(LATEST_START);
  const b = doc.indexOf(LATEST_END);
  if (a < 0 || b < a) return doc;
  return `${doc.slice(0, a + LATEST_START.length)}\n${body.trim()}\n${doc.slice(b)}`;
}

/** docs/benchmarks.md's part of a run: the machine and the tables, under that page's own heading. */
export function latestBlock(r: BenchResults): string {
  return renderMarkdown(r).replace(/^# Benchmark results\n/, "").replace(/^## /gm, "#### ");
}
