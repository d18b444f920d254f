// The reliability and security suite, run against one deployed stack of one app (see
// reliabilityTargets.ts): secrets never leak, data survives replacement, crashes and destroy,
// drift and interrupted or concurrent runs are recovered. The checks run in sequence on one
// deployment, because a deployment is the expensive part.
import * as fs from "fs";
import * as path from "path";
import { execFileSync, spawnSync } from "child_process";
import * as pulumi from "@pulumi/pulumi";
import { OutputMap } from "@pulumi/pulumi/automation";
import { projectStack, tearDown, setConfig, TestStack, PROJECT_ROOT } from "../../../support/workspace";
import { containersLabelled, networksLabelled, volumesLabelled, healthOf, dockerObjectsOfStack, removeVolumesLabelled, removeLabelled, attachedTo, removeNetwork } from "./docker";
import { eventually } from "../../../support/eventually";
import { pulumiCli, startPulumiCli, killGroup } from "./cli";
import { ReliabilityTarget } from "./reliabilityTargets";

const STACK_LABEL = "appstacks.stack";

function docker(args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).trim();
}

function changed(summary: { resourceChanges?: Record<string, number> }): Record<string, number> {
  const { same, ...rest } = summary.resourceChanges ?? {};
  return rest;
}

/** The "secret" values of a `--show-secrets` export: every plaintext under a secret marker. */
function secretsInExport(node: unknown, out: string[]): void {
  if (Array.isArray(node)) node.forEach((n) => secretsInExport(n, out));
  else if (node !== null && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (o[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig && typeof o.plaintext === "string") {
      const collect = (v: unknown): void => {
        if (typeof v === "string") out.push(v);
        else if (v !== null && typeof v === "object") Object.values(v).forEach(collect);
      };
      collect(JSON.parse(o.plaintext));
    } else Object.values(o).forEach((v) => secretsInExport(v, out));
  }
}

/**
 * The values to search for: each secret as a whole (one line, 12+ characters) and every
 * credential-like token inside a secret file (cred.env, rabbitmq.conf): 16+ letters and digits.
 */
function secretAtoms(texts: string[]): string[] {
  const atoms = new Set<string>();
  for (const text of texts) {
    const trimmed = text.trim();
    // A whole value: one word of 12+ characters (file paths inside a secret upload are not secrets).
    if (/^[A-Za-z0-9_+=.-]{12,}$/.test(trimmed)) atoms.add(trimmed);
    for (const token of trimmed.split(/[^A-Za-z0-9]+/)) {
      if (token.length >= 16 && /[0-9]/.test(token) && /[A-Za-z]/.test(token)) atoms.add(token);
    }
  }
  return [...atoms];
}

function readTree(dir: string): string {
  let text = "";
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    text += entry.isDirectory() ? readTree(p) : `\n${fs.readFileSync(p, "latin1")}`;
  }
  return text;
}

export function reliabilitySuite(target: ReliabilityTarget): void {
  const app = target.app;
  let t: TestStack;
  let baseConfig: Record<string, unknown>;
  let configuredSecrets: Record<string, string>;
  let url = "";
  let upText = "";
  let previewText = "";
  const rowsWritten: string[] = [];
  // Two database images: the stand-in and a derived one (a new "version"); switching between them
  // replaces the database container.
  const dbImages: string[] = [];
  const dbUrnName = `${app}-${target.db.service}-container`;

  const containerOf = (service: string) => {
    const name = containersLabelled(STACK_LABEL, t.runId).find((n) => n.endsWith(`-${app}-${service}`));
    if (!name) throw new Error(`no container of service ${service}`);
    return name;
  };
  const dbContainer = () => containerOf(target.db.service);
  const clientContainer = () => containerOf(target.db.client ?? target.db.service);
  const appConfig = () => baseConfig[`appstacks:${app}`] as Record<string, unknown>;
  const overrides = () => baseConfig["appstacks:imageOverrides"] as Record<string, string>;

  /** The database's memory limit set to `mb`, where the stack has that knob. */
  const dbMemory = (mb: number): Record<string, unknown> => (target.db.memoryKey ? { [target.db.memoryKey]: mb } : {});

  async function useDbImage(i: number, extra: Record<string, unknown> = {}) {
    await setConfig(t.stack, {
      "appstacks:imageOverrides": { ...overrides(), [target.db.imageOverrideKey]: dbImages[i] },
      [`appstacks:${app}`]: { ...appConfig(), ...extra },
    });
  }

  /** Every service running and healthy, every job exited 0; then the entry point answers. */
  async function wholeStackWorks() {
    await eventually("every service healthy", () => {
      for (const c of containersLabelled(STACK_LABEL, t.runId)) {
        const [status, code] = docker(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", c]).split(" ");
        const health = healthOf(c);
        const ok = health === "none" ? status === "exited" && code === "0" : status === "running" && health === "healthy";
        if (!ok) throw new Error(`${c}: ${status} ${health} exit ${code}`);
      }
    });
    await eventually("the entry point answers", () => target.checkWeb(url));
  }

  async function rowsSurvived() {
    await eventually("database healthy", () => {
      const h = healthOf(dbContainer());
      if (h !== "healthy") throw new Error(h);
    });
    // The client may need a moment to reconnect to a database that just came back.
    await eventually("rows readable", () => expect(target.db.read(clientContainer())).toEqual([...rowsWritten].sort()), 60_000);
  }

  function writeRow(label: string) {
    const v = `${label}-${Date.now().toString(36)}`;
    target.db.write(clientContainer(), v);
    rowsWritten.push(v);
  }

  async function upSucceeds(opts: { refresh?: boolean } = {}) {
    let text = "";
    const up = await t.stack.up({ ...opts, onOutput: (s) => { text += s; process.stdout.write(s); } });
    expect(up.summary.result).toBe("succeeded");
    return { up, text };
  }

  function lockFiles(): string[] {
    const dir = path.join(t.backendDir, ".pulumi", "locks");
    if (!fs.existsSync(dir)) return [];
    const found: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : found.push(e.name)));
    walk(dir);
    // The blob store keeps a .attrs file beside each lock.
    return found.filter((f) => f.endsWith(".json"));
  }

  beforeAll(async () => {
    t = await projectStack(`rel-${app}`);
    baseConfig = await target.config();
    configuredSecrets = target.secretConfig();
    await setConfig(t.stack, baseConfig);
    for (const [key, value] of Object.entries(configuredSecrets)) await t.stack.setConfig(key, { value, secret: true });
    const standIn = overrides()[target.db.imageOverrideKey];
    const derived = `appstacks-test/${app}-db:${t.runId}`;
    execFileSync("docker", ["build", "-q", "-t", derived, "--label", `${STACK_LABEL}=${t.runId}`, "-"], { input: `FROM ${standIn}\nLABEL appstacks.reliability.version=2\n` });
    dbImages.push(standIn, derived);
  });

  afterAll(async () => {
    if (!t) return;
    await tearDown(t);
    // Retained volumes and the derived image belong to this test: remove them, by label.
    // Containers first: a failed step may have left some (and a volume in use cannot go).
    removeLabelled(STACK_LABEL, t.runId);
    removeVolumesLabelled(STACK_LABEL, t.runId);
    for (const i of docker(["image", "ls", "-q", "--filter", `label=${STACK_LABEL}=${t.runId}`]).split("\n").filter(Boolean)) spawnSync("docker", ["rmi", "-f", i]);
    if (dbImages[1]) spawnSync("docker", ["rmi", "-f", dbImages[1]]);
  });

  test("up: every service healthy, the entry point answers, a row is written", async () => {
    const { up, text } = await upSucceeds();
    upText = text;
    url = (up.outputs.urls.value as Record<string, string>)[app];
    await wholeStackWorks();
    writeRow("after-up");
    await rowsSurvived();
  });

  test("secrets: no secret value in state, preview/up output (text and --json), outputs, docker inspect, labels, image history and layers, the repo", async () => {
    const shown = pulumiCli(t, ["stack", "export", "--show-secrets"]);
    expect(shown.code).toBe(0);
    const raw: string[] = [];
    secretsInExport(JSON.parse(shown.stdout), raw);
    raw.push(...Object.values(configuredSecrets));
    raw.push((await t.stack.getConfig("appstacks:secretSeed")).value);
    // What the services were handed: every file under /run/secrets of every running container.
    const running = docker(["ps", "--filter", `label=${STACK_LABEL}=${t.runId}`, "--format", "{{.Names}}"]).split("\n").filter(Boolean);
    const secretFiles: string[] = [];
    for (const c of running) {
      const files = spawnSync("docker", ["exec", c, "sh", "-c", "ls /run/secrets 2>/dev/null"], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
      for (const f of files) secretFiles.push(docker(["exec", c, "cat", `/run/secrets/${f}`]));
    }
    raw.push(...secretFiles);
    const secrets = secretAtoms(raw);
    // Not vacuous: the seed, each secret file's value, and what state holds encrypted.
    expect(secretFiles.length).toBeGreaterThanOrEqual(target.secretsAtLeast.files);
    expect(secrets.length).toBeGreaterThanOrEqual(target.secretsAtLeast.values);
    for (const v of Object.values(configuredSecrets)) expect(secrets).toContain(v);

    const places: Record<string, string> = {};
    places["pulumi stack export"] = pulumiCli(t, ["stack", "export"]).stdout;
    places["state backend files"] = readTree(t.backendDir);
    places["up output"] = upText;
    previewText = (await t.stack.preview({ diff: true })).stdout;
    places["preview output"] = previewText;
    const previewJson = pulumiCli(t, ["preview", "--json", "--diff"]);
    expect(previewJson.code).toBe(0);
    places["preview --json"] = previewJson.stdout + previewJson.stderr;
    const upJson = pulumiCli(t, ["up", "--yes", "--skip-preview", "--json"]);
    expect(upJson.code).toBe(0);
    places["up --json"] = upJson.stdout + upJson.stderr;
    places["stack outputs --show-secrets"] = pulumiCli(t, ["stack", "output", "--json", "--show-secrets"]).stdout;
    places["stack outputs (automation)"] = JSON.stringify((await t.stack.outputs()) as OutputMap);
    const containers = containersLabelled(STACK_LABEL, t.runId);
    places["docker inspect (env, command, labels, mounts)"] = docker(["inspect", ...containers]);
    const imageIds = [...new Set(containers.map((c) => docker(["inspect", "-f", "{{.Image}}", c])))];
    places["image inspect (labels, config)"] = docker(["image", "inspect", ...imageIds]);
    places["image history --no-trunc"] = imageIds.map((i) => docker(["history", "--no-trunc", i])).join("\n");
    const built = docker(["image", "ls", "-q", "--no-trunc", "--filter", `label=${STACK_LABEL}=${t.runId}`]).split("\n").filter(Boolean);
    expect(built.length).toBeGreaterThanOrEqual(1);

    const hits: string[] = [];
    secrets.forEach((s, i) => {
      for (const [place, text] of Object.entries(places)) if (text.includes(s)) hits.push(`${place}: secret #${i} (${s.slice(0, 3)}…)`);
    });
    // Image layers: the saved tarball of every image this stack built, bytes searched directly.
    for (const id of built) {
      const tar = execFileSync("docker", ["save", id], { maxBuffer: 4 * 1024 * 1024 * 1024 });
      secrets.forEach((s, i) => {
        if (tar.includes(Buffer.from(s))) hits.push(`docker save ${id.slice(7, 19)}: secret #${i} (${s.slice(0, 3)}…)`);
      });
    }
    // The repository, tracked and untracked files (not ignored ones such as node_modules).
    const grep = spawnSync("git", ["grep", "--untracked", "-I", "-l", "-F", ...secrets.flatMap((s) => ["-e", s])], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect([0, 1]).toContain(grep.status);
    if (grep.stdout.trim() !== "") hits.push(`repo: ${grep.stdout.trim()}`);
    process.stdout.write(`[reliability ${app}] searched ${secrets.length} secret values in ${Object.keys(places).length + built.length + 1} places\n`);
    expect(hits).toEqual([]);
  });

  test("data: a crash of the database (its process SIGKILLed) is undone by the restart policy; the row survives", async () => {
    const c = dbContainer();
    const pid = Number(docker(["inspect", "-f", "{{.State.Pid}}", c]));
    expect(pid).toBeGreaterThan(1);
    const restarts = Number(docker(["inspect", "-f", "{{.RestartCount}}", c]));
    process.kill(pid, "SIGKILL");
    await eventually("restarted", () => {
      if (Number(docker(["inspect", "-f", "{{.RestartCount}}", c])) <= restarts) throw new Error("not restarted yet");
    });
    await rowsSurvived();
    await wholeStackWorks();
  });

  test("data: `docker kill` (a manual stop: Docker does not restart it) is undone by `up --refresh`; the row survives", async () => {
    docker(["kill", dbContainer()]);
    expect(docker(["inspect", "-f", "{{.State.Status}}", dbContainer()])).toBe("exited");
    await upSucceeds({ refresh: true });
    await rowsSurvived();
    await wholeStackWorks();
  });

  test("data: an up that replaces the database container (new image; new dbMemoryMb where the app has one) keeps the row", async () => {
    const before = docker(["inspect", "-f", "{{.Id}}", dbContainer()]);
    await useDbImage(1, dbMemory(512));
    const preview = pulumiCli(t, ["preview", "--json"]);
    expect(preview.code).toBe(0);
    const steps = JSON.parse(preview.stdout).steps as { op: string; urn: string }[];
    expect(steps.filter((s) => s.urn.endsWith(`::${dbUrnName}`)).map((s) => s.op)).toEqual(["replace"]);
    const { up } = await upSucceeds();
    expect(changed(up.summary).replace).toBeGreaterThanOrEqual(1);
    expect(docker(["inspect", "-f", "{{.Id}}", dbContainer()])).not.toBe(before);
    if (target.db.memoryKey) expect(docker(["inspect", "-f", "{{.HostConfig.Memory}}", dbContainer()])).toBe(String(512 * 1024 * 1024));
    await rowsSurvived();
    await wholeStackWorks();
    writeRow("after-replace");
  });

  test("drift: a container and a network deleted behind Pulumi's back are reported by refresh and restored by up", async () => {
    const network = networksLabelled(STACK_LABEL, t.runId).find((n) => n.endsWith(`-${app}-${target.drift.network}`))!;
    expect(network).toBeDefined();
    // A network in use cannot be removed: its containers go too (they are drift as well). The
    // daemon may still hold an endpoint just after `rm -f` returns, and a container that was
    // restarting attaches again ("has active endpoints"): remove what is attached until it goes
    // (removeNetwork also drops an endpoint Docker kept for a container already gone: a CI run
    // failed on that after 30 s of retries).
    const removedSet = new Set([containerOf(target.drift.service)]);
    await eventually(`removing network ${network}`, () => {
      for (const c of attachedTo(network)) removedSet.add(c);
      spawnSync("docker", ["rm", "-f", ...removedSet]);
      removeNetwork(network);
    }, 30_000);
    const removed = [...removedSet];
    let text = "";
    const refresh = await t.stack.refresh({ onOutput: (s) => { text += s; process.stdout.write(s); } });
    const alsoGone = target.drift.alsoGone ?? [];
    expect(refresh.summary.resourceChanges?.delete).toBe(removed.length + 1 + alsoGone.length);
    expect(text).toMatch(new RegExp(`${app}-${target.drift.network}-network\\S* +deleted`));
    expect(text).toMatch(new RegExp(`${app}-${target.drift.service}-container\\S* +deleted`));
    for (const name of alsoGone) expect(text).toMatch(new RegExp(`${name}\\S* +deleted`));
    const { up } = await upSucceeds();
    expect(changed(up.summary).create).toBe(removed.length + 1 + alsoGone.length);
    await rowsSurvived();
    await wholeStackWorks();
    const again = await upSucceeds();
    expect(changed(again.up.summary)).toEqual({});
  });

  test("interruption: an up stopped by SIGINT mid-run is completed by the next up", async () => {
    await useDbImage(0);
    const run = startPulumiCli(t, ["up", "--yes", "--skip-preview"]);
    try {
      await run.waitFor(new RegExp(`${dbUrnName}\\s+(deleting|creating)`));
      process.kill(run.child.pid!, "SIGINT");
      const r = await run.done;
      process.stdout.write(`[reliability ${app}] SIGINT: pulumi exited ${r.code ?? r.signal}\n`);
    } finally {
      killGroup(run.child);
    }
    expect(lockFiles()).toEqual([]);
    await upSucceeds();
    await rowsSurvived();
    await wholeStackWorks();
  });

  test("interruption: after SIGKILL of the engine mid-up, the stack is locked; scripts/recover.sh makes the next up complete", async () => {
    await useDbImage(1, dbMemory(512));
    const run = startPulumiCli(t, ["up", "--yes", "--skip-preview"]);
    try {
      // Mid-create: the new database container exists but is not yet healthy, nor in state.
      await run.waitFor(new RegExp(`${dbUrnName}\\s+creating replacement`));
      process.kill(run.child.pid!, "SIGKILL");
      await run.done;
    } finally {
      // The plugins the killed engine started: ended too, as a crash of the machine would.
      await new Promise((r) => setTimeout(r, 2000));
      killGroup(run.child);
    }
    expect(lockFiles()).toHaveLength(1);
    const refused = pulumiCli(t, ["up", "--yes", "--skip-preview"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr + refused.stdout).toMatch(/currently locked/);
    const recover = spawnSync("bash", [path.join(PROJECT_ROOT, "scripts", "recover.sh"), t.stack.name], {
      cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, ...t.stack.workspace.envVars, APPSTACKS_PROJECT_DIR: t.stack.workspace.workDir },
    });
    process.stdout.write(recover.stdout + recover.stderr);
    expect(recover.status).toBe(0);
    expect(lockFiles()).toEqual([]);
    await upSucceeds();
    await rowsSurvived();
    await wholeStackWorks();
    expect(changed((await upSucceeds()).up.summary)).toEqual({});
  });

  test("concurrency: a second up while one runs is refused by the backend lock; nothing is corrupted", async () => {
    // The first up refreshes every resource, so it holds the lock for seconds: a no-op up alone
    // now finishes in about 1.3 s, before a second one polled once a second could meet its lock.
    const first = startPulumiCli(t, ["up", "--yes", "--skip-preview", "--refresh"]);
    try {
      await eventually("the first up holds the lock", () => {
        if (lockFiles().length === 0) throw new Error("no lock yet");
      }, 60_000, 20);
      const second = pulumiCli(t, ["up", "--yes", "--skip-preview"]);
      expect(second.code).not.toBe(0);
      expect(second.stderr + second.stdout).toMatch(/the stack is currently locked by 1 lock/);
      const r = await first.done;
      expect(r.code).toBe(0);
    } finally {
      killGroup(first.child);
    }
    expect(lockFiles()).toEqual([]);
    expect(JSON.parse(pulumiCli(t, ["stack", "export"]).stdout).deployment.pending_operations ?? []).toEqual([]);
    expect(changed((await upSucceeds()).up.summary)).toEqual({});
    await rowsSurvived();
  });

  test("data: dropping data takes keepDataOnDestroy=false, and the preview names the volumes destroy would delete", async () => {
    const volumes = volumesLabelled(STACK_LABEL, t.runId);
    expect(volumes.length).toBeGreaterThanOrEqual(1);
    expect(previewText).toMatch(/Previewing update/);
    expect(previewText).not.toMatch(/DELETES the data volumes/);
    await setConfig(t.stack, { "appstacks:keepDataOnDestroy": false });
    try {
      const preview = await t.stack.preview();
      expect(preview.stdout).toMatch(/appstacks:keepDataOnDestroy is false: `pulumi destroy` DELETES the data volumes/);
      for (const v of volumes) expect(preview.stdout).toContain(v);
    } finally {
      await setConfig(t.stack, { "appstacks:keepDataOnDestroy": true });
    }
  });

  test("data: destroy removes containers and networks but keeps the volumes; the next up reattaches them with the rows", async () => {
    const volumes = volumesLabelled(STACK_LABEL, t.runId).sort();
    await t.stack.destroy({ onOutput: (s) => process.stdout.write(s) });
    expect(containersLabelled(STACK_LABEL, t.runId)).toEqual([]);
    expect(networksLabelled(STACK_LABEL, t.runId)).toEqual([]);
    expect(volumesLabelled(STACK_LABEL, t.runId).sort()).toEqual(volumes);
    await upSucceeds();
    await rowsSurvived();
    await wholeStackWorks();
    expect(dockerObjectsOfStack(t.runId).length).toBeGreaterThan(0);
  });
}
