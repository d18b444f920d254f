// Our product driven through the Automation API, as the e2e tests drive it: a temp project that
// points at the repository's program (or one of bench/programs), a temp file backend, a unique
// stack name per run (so names never collide with other stacks on the daemon).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { cli } from "./docker";
import { projectStack, setConfig, testStack, TestStack } from "../../support/workspace";

export type OurStack = TestStack;

/** Engine output goes to the harness's log file, not the console. */
export function logTo(file: string) {
  return { onOutput: (s: string) => fs.appendFileSync(file, s) };
}

/** A stack of the project's own program with the given config. */
export async function appStack(prefix: string, config: Record<string, unknown>): Promise<OurStack> {
  const t = await projectStack(prefix);
  await setConfig(t.stack, config);
  return t;
}

/** A stack of a program under bench/programs. */
export async function programStack(dir: string, prefix: string, config: Record<string, unknown> = {}): Promise<OurStack> {
  const t = await testStack(dir, prefix);
  if (Object.keys(config).length > 0) await setConfig(t.stack, config);
  return t;
}

/** Changes the engine reported (everything but "same"). */
export function changeCount(changes: Record<string, number> | undefined): number {
  return Object.entries(changes ?? {}).filter(([op]) => op !== "same").reduce((n, [, k]) => n + k, 0);
}

/**
 * `pulumi up` with the pinned CLI, as `npm run up` runs it, on the stack's workspace; a failed
 * update exits non-zero and throws. Timed this way rather than through Stack.up, whose extra
 * calls after the update (outputs, history) would add seconds no user waits for.
 */
export async function up(t: OurStack, log: string): Promise<void> {
  await pulumi(t, ["up", "--yes", "--skip-preview"], log);
}

/**
 * What the stack's last update changed (everything but "same"), from its history: a CLI call
 * of its own, so callers read it after the timed part (it once sat inside the timer and added
 * about a second to every measured `up`).
 */
export async function lastUpdateChanges(t: OurStack): Promise<number> {
  const [last] = await t.stack.history(1);
  if (last?.result !== "succeeded") throw new Error(`up of ${t.stack.name}: ${last?.result ?? "no update recorded"}`);
  return changeCount(last.resourceChanges as Record<string, number> | undefined);
}

/** `pulumi destroy` with the pinned CLI. */
export async function destroy(t: OurStack, log: string): Promise<void> {
  await pulumi(t, ["destroy", "--yes", "--skip-preview"], log);
}

async function pulumi(t: OurStack, args: string[], log: string): Promise<void> {
  const ws = t.stack.workspace as LocalWorkspace;
  const out = await cli("pulumi", [...args, "--non-interactive", "--stack", t.stack.name, "--cwd", ws.workDir], { ...ws.envVars });
  fs.appendFileSync(log, out + "\n");
}

/** Destroys and removes the stack and its temp backend; never throws (used in cleanup too). */
export async function remove(t: OurStack | undefined, log: string): Promise<void> {
  if (!t) return;
  try {
    const stacks = await t.stack.workspace.listStacks();
    if (stacks.some((s) => s.name === t.stack.name)) {
      await t.stack.destroy(logTo(log));
      await t.stack.workspace.removeStack(t.stack.name);
    }
  } catch (e) {
    fs.appendFileSync(log, `cleanup of ${t.runId} failed: ${e}\n`);
  }
  fs.rmSync(t.backendDir, { recursive: true, force: true });
  // appStack's project dir is a temp dir of its own; a bench/programs dir is never removed.
  const workDir = (t.stack.workspace as LocalWorkspace).workDir;
  if (path.resolve(workDir).startsWith(os.tmpdir() + path.sep)) fs.rmSync(workDir, { recursive: true, force: true });
  else fs.rmSync(path.join(workDir, `Pulumi.${t.stack.name}.yaml`), { force: true });
}
