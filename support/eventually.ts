// Retries a check once a second until it passes: for what the daemon reaches in its own time
// (health, a reconnecting client). The last failure is reported when time runs out.
export async function eventually<T>(what: string, f: () => T | Promise<T>, timeoutMs = 180_000, intervalMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await f();
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: still failing after ${timeoutMs} ms: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
