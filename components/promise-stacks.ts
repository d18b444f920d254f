// The Node.js SDK (3.248.0) records a stack trace on every promise it makes (debuggablePromise,
// `new Error().stack`), used only by its promise-leak report, and under ts-node every frame of
// each one is mapped through source maps. Measured on the synthetic stack of 50 services
// (docs/benchmarks.md): 2.0 s of the program's 4.8 s of CPU, the up 17.7 s -> 16.7 s. Our errors
// are one line that names key, value and what is allowed, so the program keeps no frames unless
// asked: NODE_OPTIONS=--stack-trace-limit=50 brings them back. Resources' source positions are
// unaffected (the SDK lifts the limit itself while it reads them).

/** Call once, before any resource is registered. */
export function withoutPromiseStacks(): void {
  const asked = [process.env.NODE_OPTIONS ?? "", ...process.execArgv].some((a) => a.includes("--stack-trace-limit"));
  if (!asked) Error.stackTraceLimit = 0;
}
