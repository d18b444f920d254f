// Our product driven through the Automation API, as the e2e tests drive it: a temp project that
// points at the repository's program (or one of bench/programs), a temp file backend, a unique
// stack name per run (so names never collide with other stacks on the daemon).
import * as fs from "fs";
import { Stack } from "@pulumi/pulumi/automation";
import { projectStack, setConfig, testStack, TestStack } from "../../test/e2e/support/workspace";

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

export async function up(stack: Stack, log: string): Promise<{ changes: number }> {
  const r = await stack.up(logTo(log));
  if (r.summary.result !== "succeeded") throw new Error(`up of ${stack.name}: ${r.summary.result}`);
  return { changes: changeCount(r.summary.resourceChanges) };
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
}
