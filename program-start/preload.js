// @ts-check
// Loaded by node before the SDK's runner (cmd/run), through Pulumi.yaml's
// `runtime.options.nodeargs: --require ./program-start/preload.js` (relative to the program's
// directory, where the language host starts node): defers the SDK modules the runner itself
// loads before any program code (deferred-sdk-modules.js). program.js defers the rest again,
// so a run without this preload only loses the runner's share.
"use strict";
const path = require("path");
const { deferSdkModules } = require("./deferred-sdk-modules");

deferSdkModules(path.resolve(__dirname, ".."));
