// The toolchain setup built: the pinned CLI, and provider plugins whose schemas speak exactly the
// property names the npm SDKs send (our plugins are our own bridge mappings, see toolchain/).
import { execFileSync } from "child_process";
import * as path from "path";
import { PROJECT_ROOT } from "../../support/workspace";

/** A variable of scripts/lib/common.sh, so the test and setup agree on versions and paths. */
function setting(name: string): string {
  return execFileSync("bash", ["-c", `. scripts/lib/common.sh; printf %s "$${name}"`], { cwd: PROJECT_ROOT, encoding: "utf8" });
}

test("pulumi version prints the pinned version", () => {
  const out = execFileSync(path.join(setting("PULUMI_BIN_DIR"), "pulumi"), ["version"], { encoding: "utf8" }).trim();
  expect(out).toBe(`v${setting("PULUMI_VERSION")}`);
});

test.each([
  ["docker", "DOCKER_PROVIDER_DIR", ["--allow-missing=docker:index/image:Image"]],
  ["random", "RANDOM_PROVIDER_DIR", []],
])("the %s plugin's schema matches @pulumi/%s", (name, dirVar, extra) => {
  const out = execFileSync("node", [
    "scripts/toolchain/check-provider-names.js",
    path.join(setting(dirVar), "schema.json"),
    path.join("node_modules", "@pulumi", name),
    ...extra,
  ], { cwd: PROJECT_ROOT, encoding: "utf8" });
  expect(out).toMatch(/\b[1-9]\d* passed, 0 failed/);
});
