// What Pulumi runs (package.json "main", Pulumi.yaml's runtime without ts-node): the program,
// index.ts, started more cheaply than a plain Pulumi TypeScript program. What each step saves is
// measured in docs/benchmarks.md ("The program's start").
"use strict";
const path = require("path");
const { deferSdkModules } = require("./program-start/deferred-sdk-modules");
const { registerTranspileCache } = require("./program-start/transpile-cache");

deferSdkModules(__dirname);
registerTranspileCache(path.join(__dirname, "node_modules", ".cache", "appstacks-program"));
module.exports = require("./index.ts");
