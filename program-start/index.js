// @ts-check
// Starts a Pulumi program of this repository more cheaply than Pulumi's own TypeScript start
// (ts-node): the project's program (program.js) and the synthetic benchmark's, which runs "as
// ours". What each step saves: docs/benchmarks.md ("the program's start").
"use strict";
const path = require("path");
const { deferSdkModules } = require("./deferred-sdk-modules");
const { registerTranspileCache } = require("./transpile-cache");

const ROOT = path.resolve(__dirname, "..");

/**
 * Defers the SDK modules a program seldom uses (again, if preload.js already did), loads
 * TypeScript through the transpile cache, then runs the program; returns its exports (the
 * stack's outputs).
 * @param {string} entry the program's .ts file
 */
function startProgram(entry) {
  deferSdkModules(ROOT);
  registerTranspileCache(path.join(ROOT, "node_modules", ".cache", "appstacks-program"));
  return require(entry);
}

module.exports = { startProgram };
