// Run in a fresh Node process by program-start.test.ts: the SDK loaded as program.js loads it,
// then one function serialized, as a dynamic provider's is, then the code paths of a package
// computed, as a lambda's are, then the Automation API read. Prints what had loaded when.
"use strict";
const path = require("path");
const ROOT = path.resolve(__dirname, "../../..");
const { deferSdkModules } = require(path.join(ROOT, "program-start/deferred-sdk-modules"));

const all = deferSdkModules(ROOT);
const name = (d) => path.relative(path.join(ROOT, "node_modules"), d.file);
// The runner's OpenTelemetry packages: deferred-tracing.js follows them.
const deferred = all.filter((d) => !name(d).startsWith("@opentelemetry/"));
const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [ROOT] }));
const loadedNow = () => Object.fromEntries(deferred.map((d) => [name(d), d.loaded()]));
const afterSdk = loadedNow();
const provider = { async create(inputs) { return { id: "one", outs: { next: inputs.n + 1 } }; } };
(async () => {
  const s = await pulumi.runtime.serializeFunction(() => provider, { isFactoryFunction: true });
  const afterSerialize = loadedNow();
  const codePaths = await pulumi.runtime.computeCodePaths({ extraIncludePackages: ["yaml"] });
  const afterCodePaths = loadedNow();
  const workspace = typeof pulumi.automation.LocalWorkspace.create;
  console.log(JSON.stringify({
    afterSdk, afterSerialize, afterCodePaths, afterAutomation: loadedNow(), workspace,
    serialized: s.text, codePaths: [...codePaths.keys()].map((p) => path.relative(ROOT, p)),
  }));
})();
