// scripts/review/destroy-review-stacks.sh (the scheduled workflow's step) against a real file
// backend: it removes the review-* stacks a pattern names and never any other stack.
import { fileBackendUrl } from "../../support/backend";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../support/workspace";

const backend = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-review-stacks-"));
// The project file in a temp directory, so stack files never land in the repository.
const project = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-review-project-"));
fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
const env = { ...process.env, PULUMI_BACKEND_URL: fileBackendUrl(backend), PULUMI_CONFIG_PASSPHRASE: "appstacks-test", APPSTACKS_PROJECT_DIR: project };
const pulumi = (...args: string[]) => execFileSync("pulumi", args, { cwd: project, env, encoding: "utf8" });
const stacks = () => (JSON.parse(pulumi("stack", "ls", "--json")) as { name: string }[]).map((s) => s.name.split("/").pop()).sort();
const destroy = (pattern: string, extra: Record<string, string> = {}) =>
  execFileSync("bash", [path.join(PROJECT_ROOT, "scripts/review/destroy-review-stacks.sh"), pattern], { env: { ...env, ...extra }, encoding: "utf8" });

afterAll(() => {
  fs.rmSync(backend, { recursive: true, force: true });
  fs.rmSync(project, { recursive: true, force: true });
});

test("only review-* stacks matching the pattern are destroyed and removed; a dry run removes nothing", () => {
  for (const s of ["review-pr-12", "review-pr-13", "prod-like", "dev-review-x"]) pulumi("stack", "init", s, "--non-interactive");
  try {
    expect(destroy("*", { DRY_RUN: "1" })).toContain("2 stack(s) matched");
    expect(stacks()).toEqual(["dev-review-x", "prod-like", "review-pr-12", "review-pr-13"]);
    expect(destroy("review-pr-12")).toContain("1 stack(s) matched");
    expect(stacks()).toEqual(["dev-review-x", "prod-like", "review-pr-13"]);
    // Even a pattern that matches everything reaches only review-* stacks.
    destroy("*");
    expect(stacks()).toEqual(["dev-review-x", "prod-like"]);
  } finally {
    for (const s of stacks()) pulumi("stack", "rm", "--yes", "--force", s as string, "--non-interactive");
  }
});
