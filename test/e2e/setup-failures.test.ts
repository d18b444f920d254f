// A step of `npm run setup` that cannot succeed stops with one line naming the step and what to
// do, and a non-zero exit: checked by breaking three steps for real in a throwaway cache.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../support/workspace";

let cache: string;
beforeEach(() => { cache = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-setup-")); });
afterEach(() => fs.rmSync(cache, { recursive: true, force: true }));

function setup(env: Record<string, string>) {
  const r = spawnSync("bash", ["scripts/setup.sh"], { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, APPSTACKS_CACHE: cache, ...env } });
  return { status: r.status, errors: r.stderr.split("\n").filter((l) => l.startsWith("[setup] FAILED")) };
}

test("no Go: the toolchain step says so in one line", () => {
  const goDirs = new Set((spawnSync("bash", ["-c", "dirname \"$(command -v go)\""], { encoding: "utf8" }).stdout.trim()).split("\n"));
  const pathWithoutGo = (process.env.PATH ?? "").split(":").filter((d) => !goDirs.has(d)).join(":");
  const r = setup({ PATH: pathWithoutGo, APPSTACKS_USE_SYSTEM_PULUMI: "" });
  expect(r.status).toBe(1);
  expect(r.errors).toEqual([expect.stringMatching(/^\[setup\] FAILED pulumi CLI v[\d.]+: Go is not installed: install Go >= 1\.25/)]);
});

test("an engine that cannot start: the docker step says why in one line", () => {
  // Nothing answers on this socket, and a second dockerd refuses to start beside the running one.
  const r = setup({ DOCKER_HOST: `unix://${cache}/no-engine.sock` });
  expect(r.status).toBe(1);
  expect(r.errors).toEqual([expect.stringMatching(/^\[setup\] FAILED docker engine: /)]);
});

test("PyPI unreachable: the WattRex wheels step says so in one line and leaves the build context alone", () => {
  // The step alone (the full setup would first rebuild the toolchain in this empty cache).
  const wheels = path.join(PROJECT_ROOT, "apps/wattrex-mn/wheels");
  const before = fs.existsSync(wheels) ? fs.readdirSync(wheels).sort() : [];
  const r = spawnSync("bash", ["-c", '. scripts/lib/common.sh; . scripts/setup/wattrex-wheels.sh; mkdir -p "$CACHE_DIR"; setup_wattrex_wheels'], {
    cwd: PROJECT_ROOT, encoding: "utf8",
    env: { ...process.env, APPSTACKS_CACHE: cache, PIP_INDEX_URL: "http://127.0.0.1:9/simple", PIP_RETRIES: "0", PIP_TIMEOUT: "2" },
  });
  expect(r.status).toBe(1);
  expect(r.stderr.split("\n").filter((l) => l.startsWith("[setup] FAILED"))).toEqual([
    expect.stringMatching(/^\[setup\] FAILED WattRex node manager wheels: pip download failed \(see .*\): check PyPI is reachable from this host$/),
  ]);
  // Nothing is marked complete in the cache, so the next setup tries again.
  expect(fs.readdirSync(cache).filter((d) => d.startsWith("wattrex-mn-wheels-") && fs.existsSync(path.join(cache, d, ".complete")))).toEqual([]);
  expect(fs.existsSync(wheels) ? fs.readdirSync(wheels).sort() : []).toEqual(before);
});
