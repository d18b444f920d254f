// The harness's arithmetic and report, without running any benchmark: statistics, ratios,
// per-service cost, readiness and "touched" logic, the Markdown tables, the synthetic compose file.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { APPS, composeServices } from "../../bench/apps";
import { perService, ratio, summarize } from "../../bench/lib/stats";
import { formatRatio, LATEST_END, LATEST_START, latestBlock, minMedMax, renderMarkdown, table, withLatest } from "../../bench/lib/render";
import { BenchResults, mergeResults } from "../../bench/lib/results";
import { ContainerState, readiness, touched } from "../../bench/lib/docker";
import { serviceNames, syntheticCompose, syntheticSpec } from "../../bench/lib/synthetic";
import { timedUntilReady } from "../../bench/lib/timing";
import { specProblems } from "../../components/app-spec";

describe("statistics", () => {
  test("min, median and max of an odd and an even count", () => {
    expect(summarize([3, 1, 2])).toEqual({ n: 3, min: 1, median: 2, max: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ n: 4, min: 1, median: 2.5, max: 4 });
    expect(summarize([7])).toEqual({ n: 1, min: 7, median: 7, max: 7 });
    expect(() => summarize([])).toThrow("no samples");
  });

  test("ratio of medians, ours over compose", () => {
    expect(ratio(summarize([2, 4, 100]), summarize([1, 2, 3]))).toBe(2);
    expect(ratio(summarize([1]), summarize([0]))).toBeUndefined();
  });

  test("per-service and marginal cost between sizes", () => {
    expect(perService([{ services: 25, seconds: 20 }, { services: 10, seconds: 8 }])).toEqual([
      { services: 10, perService: 0.8, marginal: undefined },
      { services: 25, perService: 0.8, marginal: 0.8 },
    ]);
  });
});

describe("daemon state", () => {
  const c = (service: string, over: Partial<ContainerState> = {}): ContainerState => ({
    name: `x-${service}`, id: `id-${service}`, service, status: "running", health: "healthy", exitCode: 0, startedAt: "t0", ...over,
  });

  test("ready only when services are healthy and jobs exited 0", () => {
    expect(readiness([c("db"), c("web"), c("migrate", { status: "exited", health: undefined })], ["db", "web"], ["migrate"])).toEqual({ ready: true });
    expect(readiness([c("db"), c("web", { health: "starting" })], ["db", "web"], [])).toEqual({ ready: false });
    expect(readiness([c("db")], ["db", "web"], [])).toEqual({ ready: false });
    expect(readiness([c("db"), c("migrate", { status: "exited", exitCode: 2 })], ["db"], ["migrate"]).failed).toBe("job x-migrate exited with 2");
    expect(readiness([c("db", { status: "exited", exitCode: 1 })], ["db"], []).failed).toContain("x-db is exited");
  });

  test("a new ID is a replacement, a new start time a restart", () => {
    const before = [c("db"), c("web"), c("migrate")];
    const after = [c("db"), c("web", { id: "id-web-2" }), c("migrate", { startedAt: "t1" })];
    expect(touched(before, after)).toEqual({ replaced: ["web"], restarted: ["migrate"] });
  });
});

describe("timing", () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // A look that takes 300 ms: it starts at `passesFrom` looks (0 = the first one passes).
  const looks = (passesFrom: number) => async () => {
    for (let i = 0; ; i++) {
      const lookedAt = performance.now();
      await sleep(300);
      if (i >= passesFrom) return lookedAt;
    }
  };

  // Bounds that hold on a loaded machine too: a timer never fires early, so each sleep is a floor.
  const run = async (passesFrom: number) => {
    const t0 = performance.now();
    const s = await timedUntilReady(() => sleep(100), looks(passesFrom));
    return { s, total: (performance.now() - t0) / 1000 };
  };

  test("a deploy counts until the look that found it ready began, not that look's own cost", async () => {
    const { s, total } = await run(0);
    expect(s).toBeGreaterThanOrEqual(0.099);
    expect(s).toBeLessThanOrEqual(total - 0.299);
  });

  test("a deploy that is not ready yet counts the looks that failed", async () => {
    const { s, total } = await run(2);
    expect(s).toBeGreaterThanOrEqual(0.699);
    expect(s).toBeLessThanOrEqual(total - 0.299);
  });
});

describe("report", () => {
  test("a Markdown table escapes pipes", () => {
    expect(table(["a", "b"], [["1", "x|y"]])).toBe("| a | b |\n| --- | --- |\n| 1 | x\\|y |");
    expect(minMedMax(summarize([1, 2, 30]))).toBe("1.00 / **2.00** / 30.0");
    expect(minMedMax(summarize([1.234]))).toBe("1.23");
    expect(formatRatio(1.149)).toBe("1.15×");
  });

  const results: BenchResults = {
    date: "2026-11-22T10:00:00.000Z",
    machine: {
      cores: 2, cpuModel: "Test CPU", memoryGiB: 24, os: "Debian GNU/Linux 12 (bookworm)", dockerVersion: "20.10.24",
      composeVersion: "1.29.2", pulumiVersion: "3.248.0", nodeVersion: "20.0.0", loadAverage: { start: 1.5, end: 2 },
    },
    load: "quiet",
    runs: 3,
    notes: ["a note"],
    apps: [{
      app: "biostar", change: "web: DJANGO_DEBUG 0 → 1",
      phases: {
        cold: { ours: [11, 10, 12], compose: [10, 9, 11] },
        noop: { ours: [3, 3, 3], compose: [1, 2, 3] },
        change: { ours: [4, 4, 4], compose: [5, 5, 5] },
        teardown: { ours: [1, 1, 1], compose: [2, 2, 2] },
      },
      oursNoopChanges: [0, 0, 0], replaced: { ours: [1, 1, 1], compose: [1, 1, 1] }, noopTouched: { ours: [0, 0, 0], compose: [2, 2, 2] },
    }],
    engineFixedCost: [2, 3, 4],
    scaling: [{ services: 10, ours: [10], compose: [5] }, { services: 20, ours: [20], compose: [8] }],
    zeroDowntime: [
      { scenario: "biostar: web replaced", status: "measured", rate: 250, achievedRate: 240, sent: 1000, failed: 7, non2xx: 2, errors: 5, worstLatencyMs: 900, longestGapMs: 4200, rolloutSeconds: 6 },
      { scenario: "lab: switch", status: "skipped", reason: "not merged" },
    ],
  };

  test("--merge: a re-measured app replaces its entry, the rest stays, a note says what and when", () => {
    const wattrex = { ...results.apps[0], app: "wattrex" };
    const earlier: BenchResults = { ...results, apps: [results.apps[0], wattrex] };
    const again = { ...wattrex, phases: { ...wattrex.phases, cold: { ours: [7, 7, 7], compose: [8, 8, 8] } } };
    const now: BenchResults = { ...results, date: "2026-12-01T09:00:00.000Z", load: "quiet again", apps: [again], engineFixedCost: undefined, scaling: [], zeroDowntime: [] };
    const merged = mergeResults(earlier, now, "apps wattrex");
    expect(merged.apps.map((a) => a.app)).toEqual(["biostar", "wattrex"]);
    expect(merged.apps[0]).toBe(results.apps[0]);
    expect(merged.apps[1].phases.cold.ours).toEqual([7, 7, 7]);
    expect(merged.engineFixedCost).toEqual(results.engineFixedCost);
    expect(merged.scaling).toBe(results.scaling);
    expect(merged.zeroDowntime).toBe(results.zeroDowntime);
    expect(merged.date).toBe(results.date);
    expect(merged.notes[merged.notes.length - 1]).toBe(
      "Re-measured on 2026-12-01T09:00:00.000Z (load: quiet again): apps wattrex; everything else is from the run of 2026-11-22T10:00:00.000Z.");
  });

  test("the rendered report: machine, ratios against targets, checks, scaling, rollouts", () => {
    const md = renderMarkdown(results);
    expect(md).toContain("2 cores (Test CPU), 24 GiB");
    expect(md).toContain("load average 1.5 → 2. Load: quiet");
    expect(md).toContain("| biostar | cold deploy → all healthy | 10.0 / **11.0** / 12.0 | 9.00 / **10.0** / 11.0 | 1.10× | target ≤ 1.15×: met |");
    expect(md).toContain("| no-op deploy | 3.00 / **3.00** / 3.00 | 1.00 / **2.00** / 3.00 | 1.50× | target ≤ 3×: met; engine changes: 0; containers touched: ours 0, compose 2 |");
    expect(md).toContain("containers replaced: ours 1, compose 1 (target 1)");
    expect(md).toContain("An empty program's `pulumi up`: 2.00 / **3.00** / 4.00 s.");
    expect(md).toContain("| 20 | 20.0 | 8.00 | 2.50× | 1.00 / 1.00 | 0.40 / 0.30 |");
    expect(md).toContain("| biostar: web replaced | 250 req/s (sent 240/s) | 1000 | 7 (non-2xx 2, connection errors/timeouts 5) | 900 ms | 4.20 | 6.00 |");
    expect(md).toContain("| lab: switch | skipped: not merged |");
    expect(md).toContain("- a note");
  });

  test("the idle section: floor, ours and compose, rendered as percent of all cores, kept by a merge that did not measure it", () => {
    const idle = { apps: ["biostar", "pecan"], settleSeconds: 30, windowSeconds: 60, floor: [0.4], ours: [5.1], compose: [47.9], containers: { ours: 27, compose: 26 } };
    const md = renderMarkdown({ ...results, idle });
    expect(md).toContain("## An idle deployment");
    expect(md).toContain("All of biostar, pecan deployed and left alone for 30 s, then the share of all cores busy over 60 s");
    expect(md).toContain("| nothing (the machine's floor) | 0 | 0.4 % |");
    expect(md).toContain("| ours | 27 | 5.1 % |");
    expect(md).toContain("| docker-compose twins | 26 | 47.9 % |");
    expect(renderMarkdown({ ...results, idle: { ...idle, ours: [5, 6, 7] } })).toContain("| ours | 27 | 5.0 % / **6.0 %** / 7.0 % |");
    expect(renderMarkdown(results)).not.toContain("idle deployment");
    expect(mergeResults({ ...results, idle }, { ...results, apps: [], scaling: [], zeroDowntime: [] }, "apps").idle).toBe(idle);
  });

  test("the swarm section: ours against docker stack deploy per phase, the changes under load, kept by a merge that did not measure it", () => {
    const rollout = { scenario: "swarm: a new site rolled out, ours", status: "measured" as const, rate: 200, achievedRate: 199, sent: 2000, failed: 0, non2xx: 0, errors: 0, worstLatencyMs: 300, longestGapMs: 200, rolloutSeconds: 9 };
    const swarm = {
      stack: "a site", nodes: 3, rate: 200, rollouts: [rollout],
      phases: { cold: { ours: [20], stackDeploy: [10] }, noop: { ours: [4], stackDeploy: [2] }, change: { ours: [9], stackDeploy: [12] }, teardown: { ours: [3], stackDeploy: [6] } },
    };
    const md = renderMarkdown({ ...results, swarm });
    expect(md).toContain("## On a swarm: ours vs docker stack deploy");
    expect(md).toContain("| cold deploy → all healthy | 20.0 | 10.0 | 2.00× |");
    expect(md).toContain("| a new release rolled out (task by task) | 9.00 | 12.0 | 0.75× |");
    expect(md).toContain("| swarm: a new site rolled out, ours | 200 req/s (sent 199/s) | 2000 | 0 (non-2xx 0, connection errors/timeouts 0) | 300 ms | 0.20 | 9.00 |");
    expect(renderMarkdown(results)).not.toContain("On a swarm");
    expect(mergeResults({ ...results, swarm }, { ...results, apps: [], scaling: [], zeroDowntime: [] }, "apps").swarm).toBe(swarm);
  });

  test("the swarm twin (bench/compose/swarm-site.yml) uses only the variables the harness sets, labels every object, and is the stack the proxy reads", () => {
    const text = fs.readFileSync(path.join(__dirname, "../../bench/compose/swarm-site.yml"), "utf8");
    const used = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(["BENCH_STACK", "PROXY_IMAGE", "SITE_CONFIG", "SITE_FILE", "SITE_IMAGE", "SITE_PORT"]);
    const doc = parse(text, { merge: true }) as { services: Record<string, { deploy: { labels: Record<string, string> } }>; networks: Record<string, { labels: Record<string, string> }> };
    for (const [name, svc] of Object.entries(doc.services)) expect([name, svc.deploy.labels["appstacks.stack"]]).toEqual([name, "${BENCH_STACK}"]);
    for (const [name, n] of Object.entries(doc.networks)) expect([name, n.labels["appstacks.stack"]]).toEqual([name, "${BENCH_STACK}"]);
    expect(doc.services.web.deploy.labels["traefik.swarm.network"]).toBe("${BENCH_STACK}_edge");
  });

  test("docs/benchmarks.md's block between its markers is replaced, the rest kept", () => {
    const doc = `# x\n${LATEST_START}\nold table\n${LATEST_END}\nafter\n`;
    const updated = withLatest(doc, latestBlock(results));
    expect(updated).not.toContain("old table");
    expect(updated).toContain("#### Deploys, ours vs docker-compose");
    expect(updated.startsWith(`# x\n${LATEST_START}\nMachine: `)).toBe(true);
    expect(updated.endsWith(`${LATEST_END}\nafter\n`)).toBe(true);
    expect(withLatest("no markers", "t")).toBe("no markers");
  });

  test("docs/benchmarks.md has both markers, in order (without them the harness writes nothing)", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "docs", "benchmarks.md"), "utf8");
    expect(doc.indexOf(LATEST_START)).toBeGreaterThanOrEqual(0);
    expect(doc.indexOf(LATEST_END)).toBeGreaterThan(doc.indexOf(LATEST_START));
  });
});

describe("synthetic stack", () => {
  test("N valid services, and the compose file has the same ones", () => {
    expect(serviceNames(10)).toEqual(["s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10"]);
    const spec = syntheticSpec(25);
    expect(specProblems("synthetic", spec)).toEqual([]);
    const compose = parse(syntheticCompose(25, "run-1"));
    expect(Object.keys(compose.services)).toEqual(Object.keys(spec.services));
    expect(compose.services.s01.healthcheck).toEqual({ test: ["CMD", "true"], interval: "2s", timeout: "5s", retries: 60, start_period: "0s" });
    expect(compose.services.s01.labels["appstacks.stack"]).toBe("run-1");
  });
});

describe("compose twins (bench/compose/<app>.yml)", () => {
  test.each(APPS.map((a) => [a.name, a] as const))("%s: the same services and jobs as the harness waits for, every variable provided, every object labelled", (_name, app) => {
    const text = fs.readFileSync(app.composeFile, "utf8");
    const doc = parse(text, { merge: true }) as { services: Record<string, { labels: Record<string, string>; restart: string; mem_limit?: string }>; networks?: Record<string, { labels: Record<string, string> }>; volumes?: Record<string, { labels: Record<string, string> }> };
    expect(Object.keys(doc.services).sort()).toEqual([...composeServices(app), ...app.jobs].sort());
    for (const [name, svc] of Object.entries(doc.services)) {
      expect(`${name}: ${svc.labels["appstacks.app"]} ${svc.labels["appstacks.stack"]}`).toBe(`${name}: ${app.name} \${BENCH_STACK}`);
      expect(`${name}: ${svc.restart}`).toBe(`${name}: ${app.jobs.includes(name) ? "no" : "unless-stopped"}`);
    }
    for (const [name, obj] of [...Object.entries(doc.networks ?? {}), ...Object.entries(doc.volumes ?? {})]) {
      expect([name, obj.labels]).toEqual([name, expect.objectContaining({ "appstacks.app": app.name, "appstacks.stack": "${BENCH_STACK}" })]);
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-bench-unit-"));
    try {
      const ports = Object.fromEntries(app.ports.map((p, i) => [p, 40000 + i]));
      const used = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]));
      for (const changed of [false, true]) {
        const provided = new Set(["BENCH_STACK", "BENCH_FILES", ...app.builtImages.map((i) => i.envVar), ...Object.keys(app.compose(ports, dir, changed))]);
        expect([...used].filter((v) => !provided.has(v))).toEqual([]);
      }
      // The one-service change is a change of exactly that service's variables.
      const before = app.compose(ports, dir, false);
      const after = app.compose(ports, dir, true);
      const differing = Object.keys(after).filter((k) => after[k] !== before[k]);
      expect(differing).toHaveLength(1);
      const users = Object.keys(doc.services).filter((s) => new RegExp(`\\$\\{${differing[0]}\\}`).test(JSON.stringify((parse(text) as { services: Record<string, unknown> }).services[s])));
      expect(users).toEqual([app.change.service]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
