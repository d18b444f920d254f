// The pulumi CLI itself on a test stack, for what the Automation API does not expose: --json
// output, --show-secrets, and a process the test can interrupt (SIGINT, SIGKILL).
import { ChildProcess, spawn, spawnSync } from "child_process";
import { TestStack } from "../../../support/workspace";

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cliEnv(t: TestStack): NodeJS.ProcessEnv {
  return { ...process.env, ...t.stack.workspace.envVars };
}

/** Runs `pulumi <args> --stack <stack>` in the test's project dir and returns its output. */
export function pulumiCli(t: TestStack, args: string[]): CliResult {
  const r = spawnSync("pulumi", [...args, "--stack", t.stack.name], {
    cwd: t.stack.workspace.workDir, env: cliEnv(t), encoding: "utf8", maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** A running `pulumi <args>`: its own process group, so the test can end everything it started. */
export interface RunningCli {
  child: ChildProcess;
  output: () => string;
  done: Promise<CliResult>;
  /** Resolves once the output matches (rejects if the process ends first). */
  waitFor: (re: RegExp, timeoutMs?: number) => Promise<void>;
}

export function startPulumiCli(t: TestStack, args: string[]): RunningCli {
  const child = spawn("pulumi", [...args, "--stack", t.stack.name], { cwd: t.stack.workspace.workDir, env: cliEnv(t), detached: true });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  let ended = false;
  void done.then(() => (ended = true));
  const waitFor = async (re: RegExp, timeoutMs = 300_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(stdout + stderr)) {
      if (ended) throw new Error(`pulumi ${args.join(" ")} ended before printing ${re}:\n${stdout}\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`pulumi ${args.join(" ")} did not print ${re} in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, output: () => stdout + stderr, done, waitFor };
}

/** Ends whatever is left of a process group this test started (plugins a killed CLI left behind). */
export function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Everything a failed automation-API operation printed (stdout, stderr, message); throws when it succeeds. */
export async function failureText(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message?: string };
    return `${err.stdout ?? ""}\n${err.stderr ?? ""}\n${err.message ?? ""}`;
  }
  throw new Error("expected the operation to fail");
}

/** Our validation lines in the engine's output, once each (it prints them in the progress line and again under Diagnostics). */
export function validationLines(text: string): string[] {
  const found = text.split("\n").map((l) => /(appstacks:\S+: .*\(allowed: .*\))\s*$/.exec(l)?.[1]).filter((m): m is string => m !== undefined);
  return [...new Set(found)];
}
