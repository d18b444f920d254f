// The unit project's setupFilesAfterEnv. Pulumi's SDK takes a stack trace for every promise it
// makes (runtime/debuggable.js keeps it for a leak report printed at exit), and under jest every
// stack trace is source-mapped to TypeScript frame by frame (source-map-support): that mapping was
// about half the time of a whole-stack mock deployment. Those traces alone are left unmapped
// (V8's own format); every other stack, a failing test's included, is mapped as before.
const mapped = Error.prepareStackTrace;
if (mapped) {
  Error.prepareStackTrace = (error: Error, frames: NodeJS.CallSite[]) => {
    if (frames[0]?.getFileName()?.endsWith("/@pulumi/pulumi/runtime/debuggable.js")) {
      return `${error}${frames.map((f) => `\n    at ${f}`).join("")}`;
    }
    return mapped(error, frames);
  };
}
