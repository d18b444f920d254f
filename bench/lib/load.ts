// Continuous HTTP load (autocannon, in-process) around an action such as a rollout: requests at a
// fixed overall rate from before the action starts until a tail after it ends, then what failed.
import autocannon from "autocannon";

export interface LoadOutcome {
  readonly rate: number;
  readonly sent: number;
  readonly ok: number;
  readonly non2xx: number;
  /** Connection errors, resets and timeouts. */
  readonly errors: number;
  readonly failed: number;
  readonly worstLatencyMs: number;
}

export interface LoadOptions {
  /** Requests per second across all connections. */
  readonly rate: number;
  /** Load before the action starts and after it ends. @default 1000 */
  readonly leadMs?: number;
  readonly tailMs?: number;
  /** @default 10 */
  readonly connections?: number;
}

const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** Runs `action` while `url` is loaded; the load stops `tailMs` after the action settles. */
export async function underLoad<T>(url: string, opts: LoadOptions, action: () => Promise<T>): Promise<{ value: T; load: LoadOutcome; actionSeconds: number }> {
  let finished!: (r: autocannon.Result) => void;
  let broke!: (e: Error) => void;
  const done = new Promise<autocannon.Result>((res, rej) => { finished = res; broke = rej; });
  const instance = autocannon(
    // duration is an upper bound only: stop() ends the run when the action is over.
    { url, connections: opts.connections ?? 10, overallRate: opts.rate, duration: 3600, timeout: 10 },
    (err, result) => (err ? broke(err) : finished(result)),
  );
  let value: T;
  let actionSeconds = 0;
  try {
    await pause(opts.leadMs ?? 1000);
    const a0 = performance.now();
    value = await action();
    actionSeconds = (performance.now() - a0) / 1000;
    await pause(opts.tailMs ?? 1000);
  } finally {
    instance.stop();
  }
  const r = await done;
  return {
    value,
    actionSeconds,
    load: {
      rate: opts.rate,
      sent: r.requests.sent,
      ok: r["2xx"],
      non2xx: r.non2xx,
      errors: r.errors,
      failed: r.non2xx + r.errors,
      worstLatencyMs: r.latency.max,
    },
  };
}
