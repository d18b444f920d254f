// A throwaway Pulumi workspace for the e2e tests and the benchmark: its own file backend in a temp
// dir, a unique stack name, and the engine's output streamed to the test log.
import { fileBackendUrl } from "./backend";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { newSeed } from "../components/secret-derive";

export interface TestStack {
  stack: Stack;
  runId: string;
  backendDir: string;
}

export function uniqueRunId(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}`;
}

/** The repository root: the project's own program (index.ts). */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/**
 * A stack of the project's own program, whose stack settings live in a temp directory rather
 * than beside the repo's Pulumi.yaml (so tests never write Pulumi.<stack>.yaml into the repo):
 * the temp project file points `main` at the repository.
 */
export async function projectStack(prefix: string): Promise<TestStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `appstacks-project-${prefix}-`));
  const project = fs.readFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), "utf8");
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `${project}\nmain: ${PROJECT_ROOT}\n`);
  const t = await testStack(dir, prefix);
  await t.stack.setConfig("appstacks:secretSeed", { value: newSeed(), secret: true });
  return t;
}

export async function testStack(programDir: string, prefix: string): Promise<TestStack> {
  const runId = uniqueRunId(prefix);
  const backendDir = fs.mkdtempSync(path.join(os.tmpdir(), `appstacks-${prefix}-`));
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: runId, workDir: programDir },
    {
      envVars: {
        PULUMI_BACKEND_URL: fileBackendUrl(backendDir),
        PULUMI_CONFIG_PASSPHRASE: "appstacks-test",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // `npm test` type-checks everything with tsc first; each deployment need not do it again.
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      },
    },
  );
  return { stack, runId, backendDir };
}

export const streamOutput = { onOutput: (s: string) => process.stdout.write(s) };

/**
 * Sets config keys to structured values (arrays, objects, booleans), the way `pulumi config
 * set --path` would, so typed keys declared in Pulumi.yaml validate.
 */
export async function setConfig(stack: Stack, values: Record<string, unknown>): Promise<void> {
  const json = Object.fromEntries(
    Object.entries(values).map(([key, v]) => [key, typeof v === "string" ? { value: v, secret: false } : { value: JSON.stringify(v), objectValue: v, secret: false }]),
  );
  await stack.setAllConfigJson(JSON.stringify(json));
}

/**
 * A preview and an `up` of a deployed stack with nothing changed: what each would change (empty
 * when state round-trips), and the preview's diff when it is not, so a failure shows it.
 */
export async function secondRun(stack: Stack): Promise<{ planned: Record<string, number>; diff: string; changed: Record<string, number> }> {
  const preview = await stack.preview({ diff: true });
  const { same: _same, ...planned } = preview.changeSummary;
  const up = await stack.up(streamOutput);
  const { same: _kept, ...changed } = up.summary.resourceChanges ?? {};
  return { planned, diff: Object.keys(planned).length === 0 ? "" : preview.stdout, changed };
}

/** Destroys the stack and removes it and its backend; used in afterAll, so it never throws. */
export async function tearDown(t: TestStack | undefined): Promise<void> {
  if (!t) return;
  try {
    const stacks = await t.stack.workspace.listStacks();
    if (stacks.some((s) => s.name === t.stack.name)) {
      await t.stack.destroy(streamOutput);
      await t.stack.workspace.removeStack(t.stack.name);
    }
  } catch (e) {
    process.stderr.write(`teardown of ${t.runId} failed: ${e}\n`);
  }
  fs.rmSync(t.backendDir, { recursive: true, force: true });
}
