// npm run rollback -- [--stack NAME] [--dir PROGRAM_DIR] [--clear] APP SERVICE
//
// Brings back the previous release of a rolling service (its image and settings, kept by its
// release record, components/release.ts) through the same zero-downtime rollout as any change:
// the release is written to the stack's config (appstacks:rollback, so every later preview and up
// keeps it, and a reviewer sees it in Pulumi.<stack>.yaml), then `pulumi up` runs. With --clear
// the rollback is removed and the service runs its current image and settings again. A failed up
// puts the config back as it was.
import * as path from "path";
import { ConfigMap, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { Release, ReleaseRecord } from "../components/runtime/release";

const ROOT = path.resolve(__dirname, "..");
/** How `pulumi stack export --show-secrets` marks a secret value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

type Rollbacks = Record<string, Record<string, ReleaseRecord>>;

interface Args {
  stack?: string;
  dir: string;
  clear: boolean;
  app: string;
  service: string;
}

function parseArgs(argv: string[]): Args {
  const rest: string[] = [];
  const args: Partial<Args> = { dir: ROOT, clear: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--stack" || a === "-s") args.stack = argv[++i];
    else if (a === "--dir") args.dir = path.resolve(argv[++i]);
    else if (a === "--clear") args.clear = true;
    else if (a.startsWith("-")) throw new Error(`${a}: unknown option (allowed: --stack NAME, --dir PROGRAM_DIR, --clear)`);
    else rest.push(a);
  }
  if (rest.length !== 2) throw new Error(`${rest.join(" ") || "(none)"}: expected APP SERVICE, e.g. npm run rollback -- biostar web`);
  return { ...(args as Args), app: rest[0], service: rest[1] };
}

/** The value with every secret of an export replaced by its plaintext; `secret` says if there was one. */
function reveal(v: unknown, seen: { secret: boolean }): unknown {
  if (Array.isArray(v)) return v.map((x) => reveal(x, seen));
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (SECRET_SIG in o) {
      seen.secret = true;
      return reveal(JSON.parse(String(o.plaintext)), seen);
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, reveal(x, seen)]));
  }
  return v;
}

interface RecordState {
  app: string;
  service: string;
  currentSince?: string;
  previous?: ReleaseRecord;
  previousSince?: string;
}

async function releaseRecords(stack: Stack): Promise<{ records: RecordState[]; secret: boolean }> {
  const deployment = await stack.exportStack();
  const seen = { secret: false };
  const resources = ((deployment.deployment as { resources?: { type: string; outputs?: unknown }[] }).resources ?? [])
    .filter((r) => r.type === Release.TYPE && r.outputs !== undefined);
  const records = resources.map((r) => reveal(r.outputs, seen) as RecordState);
  return { records, secret: seen.secret };
}

function rollbacksOf(config: ConfigMap, namespace: string): { value: Rollbacks; secret: boolean } {
  const entry = config[`${namespace}:rollback`];
  return { value: entry ? (JSON.parse(entry.value) as Rollbacks) : {}, secret: entry?.secret ?? false };
}

async function writeRollbacks(stack: Stack, value: Rollbacks, secret: boolean): Promise<void> {
  if (Object.keys(value).length === 0) {
    await stack.removeConfig("rollback");
    return;
  }
  await stack.setAllConfigJson(JSON.stringify({ rollback: { value: JSON.stringify(value), objectValue: value, secret } }));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const ws = await LocalWorkspace.create({ workDir: args.dir });
  const stackName = args.stack ?? (await ws.stack())?.name;
  if (stackName === undefined) throw new Error("--stack: not set and no stack selected (allowed: a stack of the project, e.g. --stack dev)");
  const stack = await LocalWorkspace.selectStack({ stackName, workDir: args.dir });
  const namespace = (await ws.projectSettings()).name;
  const before = rollbacksOf(await stack.getAllConfig(), namespace);
  const next: Rollbacks = JSON.parse(JSON.stringify(before.value));
  const who = `${args.app} ${args.service}`;
  let secret = before.secret;
  let done: string;

  if (args.clear) {
    if (next[args.app]?.[args.service] === undefined) {
      throw new Error(`${who}: not rolled back in stack ${stackName} (allowed: ${listRollbacks(before.value) || "nothing is rolled back"})`);
    }
    delete next[args.app][args.service];
    if (Object.keys(next[args.app]).length === 0) delete next[args.app];
    done = `${who} runs its current image and settings again`;
  } else {
    const { records, secret: hadSecret } = await releaseRecords(stack);
    const record = records.find((r) => r.app === args.app && r.service === args.service);
    if (record === undefined) {
      const known = records.map((r) => `${r.app} ${r.service}`).sort().join(", ");
      throw new Error(`${who}: no release record in stack ${stackName} (allowed: a service that rolls out: ${known || "none deployed"})`);
    }
    if (record.previous === undefined) {
      throw new Error(`${who}: no previous release to roll back to in stack ${stackName} (the release serving since ${record.currentSince ?? "its first up"} is its first)`);
    }
    next[args.app] = { ...next[args.app], [args.service]: record.previous };
    secret = secret || hadSecret;
    done = `${who} rolled back to its release of ${record.previousSince ?? "before"} (image ${record.previous.image.slice(0, 19)}); \`npm run rollback -- --clear ${who}\` deploys the current settings again`;
  }

  await writeRollbacks(stack, next, secret);
  try {
    await stack.up({ onOutput: (s) => process.stdout.write(s) });
  } catch (e) {
    await writeRollbacks(stack, before.value, before.secret);
    throw new Error(`${who}: the up failed, config put back as it was: ${upError(String((e as Error).message))}`);
  }
  console.log(done);
}

/** The engine's reason from a failed up's output: its first "* …" line, else its last error line. */
function upError(output: string): string {
  const lines = output.split("\n").map((l) => l.trim());
  const reason = lines.find((l) => l.startsWith("* ")) ?? [...lines].reverse().find((l) => l.startsWith("error:") && !/\d+ errors? occurred/.test(l));
  return reason?.replace(/^\* /, "") ?? "see the output above";
}

function listRollbacks(r: Rollbacks): string {
  return Object.entries(r).flatMap(([app, svcs]) => Object.keys(svcs).map((s) => `${app} ${s}`)).join(", ");
}

main().catch((e) => {
  console.error(`rollback: ${(e as Error).message}`);
  process.exit(1);
});
