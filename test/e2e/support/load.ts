// Traffic at a steady rate for the rollout proofs: open loop, one request every 1000/rate ms
// whether or not the earlier ones have answered (a closed loop slows down exactly when the app
// does, and so hides a gap). Every answer that is not a 200 is kept, with why.
export interface LoadResult {
  sent: number;
  ok: number;
  failures: string[];
  /** Distinct 200 bodies, trimmed and sorted (which releases answered). */
  bodies: string[];
  /** Requests sent per second, measured over the whole run. */
  rate: number;
  /** The slowest answer, in ms (a retried request shows here). */
  slowestMs: number;
}

export function steadyLoad(url: string, perSecond: number, timeoutMs = 15_000): { stop(): Promise<LoadResult> } {
  const started = Date.now();
  const pending = new Set<Promise<void>>();
  const failures: string[] = [];
  const bodies = new Set<string>();
  let sent = 0;
  let ok = 0;
  let slowestMs = 0;
  const send = () => {
    sent += 1;
    const p = (async () => {
      const at = Date.now();
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        const body = (await res.text()).trim();
        if (res.status === 200) {
          ok += 1;
          bodies.add(body);
        } else failures.push(`${res.status} ${body.slice(0, 80)}`);
      } catch (e) {
        failures.push(String((e as { cause?: unknown }).cause ?? e).slice(0, 120));
      }
      slowestMs = Math.max(slowestMs, Date.now() - at);
    })();
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  // Catch up on every tick: timers fire late on a busy machine, the rate stays the same.
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) * perSecond) / 1000);
    while (sent < due) send();
  }, 5);
  return {
    async stop() {
      clearInterval(timer);
      const seconds = (Date.now() - started) / 1000;
      await Promise.all([...pending]);
      return { sent, ok, failures, bodies: [...bodies].sort(), rate: sent / seconds, slowestMs };
    },
  };
}
