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
  /** The longest time without a 2xx answer completing: the outage a user sees. */
  readonly longestGapMs: number;
  /** Requests per second actually sent (sent / load duration): below `rate` when the server lags. */
  readonly achievedRate: number;
}

export interface LoadOptions {
  /** Requests per second across all connections. */
  readonly rate: number;
  /** Load before the action starts and after it ends. @default 1000 */
  readonly leadMs?: number;
  readonly tailMs?: number;
  /** Concurrent connections: enough that a slow answer does not cap the rate. @default 50 */
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
    { url, connections: opts.connections ?? 50, overallRate: opts.rate, duration: 3600, timeout: 10 },
    (err, result) => (err ? broke(err) : finished(result)),
  );
  // Completion times of 2xx answers: the longest gap between them is the outage.
  let lastOk = performance.now();
  let longestGapMs = 0;
  instance.on("response", (_client, statusCode) => {
    if (statusCode < 200 || statusCode > 299) return;
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - lastOk);
    lastOk = now;
  });
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
  longestGapMs = Math.max(longestGapMs, performance.now() - lastOk);
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
      longestGapMs: Math.round(longestGapMs),
      achievedRate: r.duration > 0 ? Math.round(r.requests.sent / r.duration) : 0,
    },
  };
}
