// The cuts of the program's start (program-start/): SDK modules loaded on first use (the function
// serializer, the Automation API, the runner's tracing), and the TypeScript transpiled once per
// content. Each in a fresh Node process where a module cache matters, since Jest keeps its own.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";

const ROOT = path.resolve(__dirname, "../..");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { transpileCached } = require(path.join(ROOT, "program-start/transpile-cache")) as { transpileCached: (code: string, filename: string, cacheDir: string) => string };

const node = async (args: string[]) => (await promisify(execFile)(process.execPath, args, { cwd: ROOT })).stdout;

test("the SDK loads without TypeScript's compiler, Arborist and the Automation API, and each loads when first used", async () => {
  const r = JSON.parse(await node([path.join(ROOT, "test/unit/support/deferred-sdk.js")]));
  const loaded = (arborist: boolean, typescript: boolean, automation: boolean) => ({
    "@npmcli/arborist/lib/index.js": arborist, "typescript/lib/typescript.js": typescript, "@pulumi/pulumi/automation/index.js": automation,
  });
  // All found where the SDK imports them: if an SDK upgrade moves one, this says so.
  expect(r.afterSdk).toEqual(loaded(false, false, false));
  // A dynamic provider's function, parsed with TypeScript's compiler.
  expect(r.afterSerialize).toEqual(loaded(false, true, false));
  expect(r.serialized).toContain("inputs.n + 1");
  // A package's code paths, read with Arborist (through TypeScript's `import * as` helper).
  expect(r.afterCodePaths).toEqual(loaded(true, true, false));
  expect(r.codePaths).toContain("node_modules/yaml");
  // The Automation API, read through the SDK's index.
  expect(r.afterAutomation).toEqual(loaded(true, true, true));
  expect(r.workspace).toBe("function");
});

test("the runner's spans cost no OpenTelemetry SDK until tracing starts, and then reach a Zipkin collector", async () => {
  const r = JSON.parse(await node([path.join(ROOT, "test/unit/support/deferred-tracing.js")]));
  const packages = ["resources", "sdk-trace-base", "exporter-zipkin", "instrumentation-grpc", "sdk-trace-node", "instrumentation"];
  const all = (v: boolean) => Object.fromEntries(packages.map((p) => [`@opentelemetry/${p}`, v]));
  expect(r.afterLoad).toEqual(all(false));
  expect(r.afterUntracedSpan).toEqual(all(false));
  expect(r.afterStart).toEqual(all(true));
  expect(r.received).toContain("language-runtime.traced");
});

/** Every Pulumi program of the repository: the project's, the benchmark's and the e2e tests'. */
const PROGRAMS = [ROOT, ...["bench/programs", "test/e2e/programs"].flatMap((parent) =>
  fs.readdirSync(path.join(ROOT, parent)).map((d) => path.join(ROOT, parent, d)).filter((d) => fs.existsSync(path.join(d, "Pulumi.yaml"))))];
/** Started as a plain Pulumi TypeScript program on purpose: the toolchain's standard path (ts-node). */
const PLAIN = path.join(ROOT, "test/e2e/programs/smoke");

test("every program but the smoke test's starts as the project's does: program.js, and a preload by a path that exists from its directory", () => {
  expect(PROGRAMS.length).toBeGreaterThan(8);
  for (const dir of PROGRAMS.filter((d) => d !== PLAIN)) {
    const main = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).main;
    expect({ dir, main }).toEqual({ dir, main: "program.js" });
    const nodeargs = /^ {4}nodeargs: (.*)$/m.exec(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"))?.[1];
    const preload = /--require (\S+)/.exec(nodeargs ?? "")?.[1];
    expect({ dir, preload: preload && path.resolve(dir, preload) }).toEqual({ dir, preload: path.join(ROOT, "program-start/preload.js") });
  }
});

describe("the transpile cache", () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-transpile-cache-")); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("reads a file's JavaScript from the cache while its source is unchanged, and transpiles an edited one again", () => {
    const file = path.join(dir, "settings.ts");
    const cache = path.join(dir, "cache");
    const first = transpileCached("export const port: number = 8000;\n", file, cache);
    expect(first).toContain("port = 8000");
    const [entry] = fs.readdirSync(cache);
    // Marked, to tell a read from the cache from a second transpile of the same source.
    fs.writeFileSync(path.join(cache, entry), `/* from the cache */\n${first}`);
    expect(transpileCached("export const port: number = 8000;\n", file, cache)).toMatch(/^\/\* from the cache \*\//);
    const edited = transpileCached("export const port: number = 8080;\n", file, cache);
    expect(edited).toContain("port = 8080");
    expect(fs.readdirSync(cache)).toHaveLength(2);
  });

  test("keys by path too: the same source in two files is two entries (their source maps differ)", () => {
    const cache = path.join(dir, "cache");
    transpileCached("export const a = 1;\n", path.join(dir, "a.ts"), cache);
    transpileCached("export const a = 1;\n", path.join(dir, "b.ts"), cache);
    expect(fs.readdirSync(cache)).toHaveLength(2);
  });

  test("stack traces point into the TypeScript, not the JavaScript that ran", async () => {
    const file = path.join(dir, "boom.ts");
    fs.writeFileSync(file, 'interface Unused { a: string }\n\nconst n: number = 1;\n\nexport function boom(): void {\n  throw new Error("line 6");\n}\n');
    const script = `require(${JSON.stringify(path.join(ROOT, "program-start/transpile-cache"))}).registerTranspileCache(${JSON.stringify(path.join(dir, "cache"))});
      try { require(${JSON.stringify(file)}).boom(); } catch (e) { console.log(e.stack.split("\\n")[1]); }`;
    expect((await node(["-e", script])).trim()).toBe(`at Object.boom (${file}:6:9)`);
  });
});
