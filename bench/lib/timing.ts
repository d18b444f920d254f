// How the harness times a phase: a whole command, or a deploy until its stack is seen ready.

/** Seconds `f` took, and its value. */
export async function timed<T>(f: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await f();
  return [(performance.now() - t0) / 1000, v];
}

/**
 * Seconds from the start of `deploy` until the stack was seen ready: until the start of the look
 * (waitReady) that found every service ready, for both tools. The look's own cost is the
 * harness's, not the deploy's, and it differs by what a container offers to look at: one
 * `docker inspect` for an engine health status, a `docker exec` of the check (0.2-0.3 s here)
 * for a container rolled out behind the front proxy, which has no engine check. Counted, it
 * added that exec to every deploy of ours and to none of compose's.
 */
export async function timedUntilReady(deploy: () => Promise<unknown>, ready: () => Promise<number>): Promise<number> {
  const t0 = performance.now();
  await deploy();
  return ((await ready()) - t0) / 1000;
}
