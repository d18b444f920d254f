// Run in a fresh Node process by program-start.test.ts: the SDK loaded as program.js loads it,
// then one function serialized, as a dynamic provider's is, then the code paths of a package
// computed, as a lambda's are. Prints what had loaded when.
"use strict";
const path = require("path");
const ROOT = path.resolve(__dirname, "../../..");
const { deferSdkModules } = require(path.join(ROOT, "program-start/deferred-sdk-modules"));

const deferred = deferSdkModules(ROOT);
const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [ROOT] }));
const name = (d) => path.relative(path.join(ROOT, "node_modules"), d.file);
const afterSdk = Object.fromEntries(deferred.map((d) => [name(d), d.loaded()]));
const provider = { async create(inputs) { return { id: "one", outs: { next: inputs.n + 1 } }; } };
const loadedNow = () => Object.fromEntries(deferred.map((d) => [name(d), d.loaded()]));
(async () => {
  const s = await pulumi.runtime.serializeFunction(() => provider, { isFactoryFunction: true });
  const afterSerialize = loadedNow();
  const codePaths = await pulumi.runtime.computeCodePaths({ extraIncludePackages: ["yaml"] });
  console.log(JSON.stringify({ afterSdk, afterSerialize, afterCodePaths: loadedNow(), serialized: s.text, codePaths: [...codePaths.keys()].map((p) => path.relative(ROOT, p)) }));
})();
