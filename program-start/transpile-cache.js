// @ts-check
// The program's TypeScript, each file transpiled by swc once and then read from a cache while its
// content is unchanged. ts-node (registered by Pulumi) transpiled every file on every run: 0.08 s
// of each preview, up and destroy (docs/benchmarks.md).
//
// Never stale: a file's cache key is the hash of its path, its content, the swc version and the
// options, so an edited file is transpiled again the next time it loads. Types are checked by
// `npm run build` and `npm test` (tsc), as before: ts-node with swc checked none either.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

// What ts-node with swc made of tsconfig.json (ES2020, CommonJS, esModuleInterop, class fields
// assigned, not defined), so the program runs the same code as before.
const SWC_OPTIONS = {
  swcrc: false,
  sourceMaps: /** @type {const} */ ("inline"),
  module: { type: /** @type {const} */ ("commonjs"), noInterop: false, strictMode: true },
  jsc: {
    parser: { syntax: /** @type {const} */ ("typescript"), tsx: false, dynamicImport: true },
    target: /** @type {const} */ ("es2020"),
    keepClassNames: true,
    transform: { useDefineForClassFields: false },
  },
};

/**
 * A file's JavaScript: from `cacheDir` when this exact source was transpiled before, else swc's
 * output, then stored there.
 * @param {string} code the file's TypeScript
 * @param {string} filename its absolute path
 * @param {string} cacheDir
 * @returns {string}
 */
function transpileCached(code, filename, cacheDir) {
  const swcVersion = require("@swc/core/package.json").version;
  const key = crypto.createHash("sha256").update(`${swcVersion}\0${JSON.stringify(SWC_OPTIONS)}\0${filename}\0${code}`).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
  } catch {
    // not transpiled yet
  }
  const js = require("@swc/core").transformSync(code, { ...SWC_OPTIONS, filename }).code;
  // Written aside and renamed into place: programs running at once never read half a file.
  fs.mkdirSync(cacheDir, { recursive: true });
  const partial = `${cached}.${process.pid}.partial`;
  fs.writeFileSync(partial, js);
  fs.renameSync(partial, cached);
  return js;
}

/**
 * Loads every `.ts` file outside node_modules through the cache, with stack traces mapped back
 * to the TypeScript (source-map-support reads each file's inline map from the code that ran, not
 * from the .ts file on disk).
 * @param {string} cacheDir
 */
function registerTranspileCache(cacheDir) {
  /** @type {Map<string, string>} */
  const ran = new Map();
  require("pirates").addHook((code, filename) => {
    const js = transpileCached(code, filename, cacheDir);
    ran.set(filename, js);
    return js;
  }, { exts: [".ts"], ignoreNodeModules: true });
  require("source-map-support").install({ retrieveFile: (file) => ran.get(file) ?? null });
}

module.exports = { registerTranspileCache, transpileCached, SWC_OPTIONS };
