// @ts-check
// Modules the Pulumi SDK loads in every run of a program but uses in few: until that first use,
// each stands in Node's module cache as a proxy that loads the real module the first time
// anything is read from it. What each saves: docs/benchmarks.md ("the program's start").
// - The SDK's index loads its function serializer (runtime/closure), and with it TypeScript's
//   compiler and npm's Arborist (with pacote, sigstore and their own dependencies): 0.25 s of CPU,
//   for code that runs only when a program serializes a function, as the dynamic providers of the
//   ssh, ec2 and swarm hosts do.
// - The SDK's index loads the Automation API, which drives the CLI from outside a program and is
//   never used inside one (25 ms of a WattRex no-op).
// - The SDK's runner (cmd/run) loads OpenTelemetry's tracer, exporter and gRPC instrumentation,
//   used only when the engine asks for traces (`pulumi up --tracing URL`): 40 ms. The runner loads
//   them before the program starts, so these are deferred only when preload.js runs first
//   (Pulumi.yaml: runtime.options.nodeargs).
"use strict";
const Module = require("module");
const path = require("path");

/**
 * The modules deferred, each as the SDK file that imports it and the name it imports: resolved
 * from there, so the proxy sits exactly where the SDK's `require` looks.
 */
const DEFERRED = [
  { importer: "runtime/closure/codePaths.js", request: "@npmcli/arborist" },
  { importer: "typescript-shim.js", request: "typescript" },
  { importer: "index.js", request: "./automation" },
  // What cmd/run/tracing.js imports but its start() alone uses (newSpan needs only the API).
  ...["resources", "sdk-trace-base", "exporter-zipkin", "instrumentation-grpc", "sdk-trace-node", "instrumentation"]
    .map((name) => ({ importer: "cmd/run/tracing.js", request: `@opentelemetry/${name}` })),
];

/**
 * Puts the proxies in place; a module that cannot be resolved (an SDK laid out differently) is
 * left to load as the SDK loads it. Returns what was deferred, and whether it has loaded since.
 * Must run before anything loads the SDK's index (`@pulumi/pulumi`).
 * @param {string} from a directory whose node_modules holds @pulumi/pulumi
 * @returns {{ file: string, loaded: () => boolean }[]}
 */
function deferSdkModules(from) {
  let sdk;
  try {
    sdk = path.dirname(require.resolve("@pulumi/pulumi", { paths: [from] }));
  } catch {
    return [];
  }
  const deferred = [];
  for (const { importer, request } of DEFERRED) {
    let file;
    try {
      file = require.resolve(request, { paths: [path.dirname(path.join(sdk, importer))] });
    } catch {
      continue;
    }
    if (require.cache[file]) continue; // already loaded: nothing to save
    const m = stub(file);
    require.cache[file] = m;
    deferred.push({ file, loaded: () => require.cache[file] !== m });
  }
  return deferred;
}

/** A module whose exports load `file` on first use. */
function stub(file) {
  /** @type {any} */
  let real;
  const load = () => {
    if (real === undefined) {
      delete require.cache[file];
      real = require(file);
    }
    return real;
  };
  const exports = new Proxy({}, {
    // Before the first use, `__esModule` says true so that TypeScript's `import * as` helper
    // (how the SDK imports Arborist and the Automation API) keeps this proxy instead of copying
    // every export at once. Nothing in the SDK reads a default export from these.
    get: (_, key) => (key === "__esModule" && real === undefined ? true : load()[key]),
    has: (_, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Object.getOwnPropertyDescriptor(load(), key);
      return d && { ...d, configurable: true };
    },
  });
  const m = new Module(file);
  m.filename = file;
  m.loaded = true;
  m.exports = exports;
  return m;
}

module.exports = { deferSdkModules };
