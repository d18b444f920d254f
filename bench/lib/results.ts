// What one run of the harness measured: written as bench/results/latest.json and rendered as
// bench/results/latest.md (render.ts).

export const PHASES = ["cold", "noop", "change", "teardown"] as const;
export type Phase = (typeof PHASES)[number];

export interface Machine {
  readonly cores: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly os: string;
  readonly dockerVersion: string;
  readonly composeVersion: string;
  readonly pulumiVersion: string;
  readonly nodeVersion: string;
  /** 1-minute load average when the harness started and ended. */
  readonly loadAverage: { readonly start: number; readonly end?: number };
}

/** Seconds per run, one array per tool. */
export interface PhaseSamples {
  readonly ours: number[];
  readonly compose: number[];
}

export interface AppResult {
  readonly app: string;
  /** The one-service change of phase 3, in words. */
  readonly change: string;
  readonly phases: Record<Phase, PhaseSamples>;
  /** Per run: the changes the engine reported for the no-op deploy (target: 0). */
  readonly oursNoopChanges: number[];
  /** Per run: containers whose ID changed (replaced) by the change, per tool (target: 1). */
  readonly replaced: PhaseCounts;
  /** Per run: containers a no-op deploy replaced or restarted, per tool. */
  readonly noopTouched: PhaseCounts;
}

export interface PhaseCounts {
  readonly ours: number[];
  readonly compose: number[];
}

export interface ScalingPoint {
  readonly services: number;
  readonly ours: number[];
  readonly compose: number[];
}

export interface ZeroDowntimeResult {
  readonly scenario: string;
  readonly status: "measured" | "skipped" | "failed";
  /** Why it was skipped or failed. */
  readonly reason?: string;
  /** Requests per second asked of the load generator. */
  readonly rate?: number;
  /** Requests per second actually sent. */
  readonly achievedRate?: number;
  readonly sent?: number;
  /**
   * non-2xx answers plus errors (refused, reset, timeouts). A refused connection is an attempt that
   * never became a sent request, so during an outage `failed` can exceed `sent`.
   */
  readonly failed?: number;
  readonly non2xx?: number;
  readonly errors?: number;
  readonly worstLatencyMs?: number;
  /** The longest time without a successful answer (the outage). */
  readonly longestGapMs?: number;
  /** How long the rollout (`up`) took while the load ran. */
  readonly rolloutSeconds?: number;
}

/**
 * Every app deployed at once and left alone: the share of all cores busy, percent per run, for
 * ours, the compose twins, and the machine with neither (its floor).
 */
export interface IdleResult {
  readonly apps: string[];
  readonly settleSeconds: number;
  readonly windowSeconds: number;
  readonly floor: number[];
  readonly ours: number[];
  readonly compose: number[];
  /** Containers running while measured, per tool (last run). */
  readonly containers: { readonly ours: number; readonly compose: number };
}

/** The swarm section (bench/swarm.ts): one site, ours against `docker stack deploy`, on one cluster. */
export interface SwarmResult {
  /** What was deployed and changed, in words. */
  readonly stack: string;
  readonly nodes: number;
  /** Requests per second during the change. */
  readonly rate: number;
  /** Seconds per run, per tool. */
  readonly phases: Record<Phase, { readonly ours: number[]; readonly stackDeploy: number[] }>;
  /** The change of every run under load, both tools. */
  readonly rollouts: ZeroDowntimeResult[];
}

export interface BenchResults {
  readonly date: string;
  readonly machine: Machine;
  /** What else ran on the machine: numbers taken under load are labelled as such. */
  readonly load: string;
  readonly runs: number;
  readonly notes: string[];
  readonly apps: AppResult[];
  /** An empty program's `up`, seconds per run. */
  readonly engineFixedCost?: number[];
  readonly scaling: ScalingPoint[];
  readonly zeroDowntime: ZeroDowntimeResult[];
  readonly idle?: IdleResult;
  readonly swarm?: SwarmResult;
}

/**
 * `earlier` with what `now` measured put in its place: apps by name, and the engine, scaling
 * and rollout sections when `now` has them. For re-measuring one app after a fix without
 * running the whole harness again; a note says what was measured when.
 */
export function mergeResults(earlier: BenchResults, now: BenchResults, measured: string): BenchResults {
  const apps = earlier.apps.map((a) => now.apps.find((b) => b.app === a.app) ?? a);
  for (const b of now.apps) if (!apps.some((a) => a.app === b.app)) apps.push(b);
  return {
    ...earlier,
    apps,
    engineFixedCost: now.engineFixedCost ?? earlier.engineFixedCost,
    scaling: now.scaling.length > 0 ? now.scaling : earlier.scaling,
    zeroDowntime: now.zeroDowntime.length > 0 ? now.zeroDowntime : earlier.zeroDowntime,
    idle: now.idle ?? earlier.idle,
    swarm: now.swarm ?? earlier.swarm,
    notes: [...earlier.notes, `Re-measured on ${now.date} (load: ${now.load}): ${measured}; everything else is from the run of ${earlier.date}.`],
  };
}
