// The unit project's setupFilesAfterEnv. Pulumi's SDK takes a stack trace for every promise it
// makes (runtime/debuggable.js), and under jest every stack trace is source-mapped to TypeScript
// frame by frame (source-map-support): that was about half the time of a mock deployment. The SDK
// shows those traces only in its leak report with PULUMI_DEBUG_PROMISE_LEAKS set; without it they
// are left as the bare error line. Every other stack, a failing test's included, is mapped as before.
const mapped = Error.prepareStackTrace;
if (mapped && !process.env.PULUMI_DEBUG_PROMISE_LEAKS) {
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) =>
    frames[0]?.getFileName()?.endsWith("/@pulumi/pulumi/runtime/debuggable.js") ? String(error) : mapped(error, frames);
}
