// The preview report: `pulumi preview --json` → Markdown for a pull request, grouped by
// application (the `appstacks:stacks:*` component a resource lives under) and by service.
//
// It prints what changes and why (which inputs forced a replacement; an image change replaces
// the containers that run it) and, for container environments, the KEYS that changed. It never
// prints a value of `envs` or `uploads` or any secret: when one secret makes the engine mask a
// whole list (pulumi#9829) it says so instead. Pure functions of the JSON, tested with recorded
// previews (test/unit/preview-report.test.ts).

/** The parts of `pulumi preview --json` this report reads. */
export interface PreviewJson {
  steps?: PreviewStep[];
  changeSummary?: Record<string, number>;
  diagnostics?: { severity?: string; message?: string; urn?: string }[];
}

export interface PreviewStep {
  op: string;
  urn: string;
  oldState?: ResourceState;
  newState?: ResourceState;
  diffReasons?: string[];
  replaceReasons?: string[];
  detailedDiff?: Record<string, { kind?: string; inputDiff?: boolean }> | null;
}

interface ResourceState {
  type?: string;
  custom?: boolean;
  parent?: string;
  retainOnDelete?: boolean;
  inputs?: Record<string, unknown>;
}

/** A policy violation from the engine's event log (`--event-log`; `--json` leaves them out in 3.248.0). */
export interface PolicyEvent {
  resourceUrn?: string;
  message: string;
  policyName: string;
  policyPackName: string;
  enforcementLevel: string;
}

/** The policy events of an event log (JSON lines of engine events). */
export function policyEventsOf(eventLog: string): PolicyEvent[] {
  return eventLog
    .split("\n")
    .filter((l) => l.includes("policyEvent"))
    .map((l) => (JSON.parse(l) as { policyEvent?: PolicyEvent }).policyEvent)
    .filter((e): e is PolicyEvent => e !== undefined);
}

/** What the engine writes for a secret value in JSON output. */
const MASKED = "[secret]";
/** The ops that change nothing or are halves of a replacement already reported as `replace`. */
const HIDDEN_OPS = new Set(["same", "create-replacement", "delete-replaced", "read", "refresh", "discard", "discard-replaced"]);
const OP_ORDER = ["create", "update", "replace", "delete", "import", "import-replacement", "read-replacement", "remove-pending-replace"];
const OP_LABEL: Record<string, string> = { create: "create", update: "update", replace: "replace", delete: "delete" };
/** Properties whose values are never printed, whatever their content. */
const HIDDEN_VALUES = new Set(["envs", "uploads"]);

/** One changed resource, as the report shows it. */
export interface Change {
  app: string;
  group: string;
  op: string;
  kind: string;
  name: string;
  why: string[];
}

// ---- URNs -----------------------------------------------------------------------------------

/** urn:pulumi:STACK::PROJECT::T1$T2$TYPE::NAME → { types: [T1, T2, TYPE], name }. */
function parseUrn(urn: string): { types: string[]; name: string } {
  const parts = urn.split("::");
  return { types: (parts[2] ?? "").split("$"), name: parts.slice(3).join("::") };
}

const KINDS: Record<string, string> = {
  "docker:index/container:Container": "container",
  "docker:index/remoteImage:RemoteImage": "image",
  "docker:index/network:Network": "network",
  "docker:index/volume:Volume": "volume",
  "random:index/randomPassword:RandomPassword": "generated secret",
  "random:index/randomBytes:RandomBytes": "generated secret",
};
function kindOf(type: string): string {
  if (KINDS[type]) return KINDS[type];
  const m = /^[^:]+:[^:]*?\/?([A-Za-z0-9]+):([A-Za-z0-9]+)$/.exec(type);
  return m ? m[2].replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase() : type;
}

/** The name the report gives an app: its component's type, lower case (`appstacks:stacks:DevopsLab` → `devopslab`). */
export function reportAppName(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1).toLowerCase();
}

/**
 * The application and group (service, image, volume…) a resource belongs to: the app is the
 * `appstacks:stacks:<App>` component in the URN's type chain; the group is the name of the
 * resource's parent component (e.g. `biostar-web` → `web`), which is how app.ts names the
 * components of a service, its image, volumes and networks.
 */
function placeOf(step: PreviewStep): { app: string; group: string } {
  const { types } = parseUrn(step.urn);
  const appType = types.find((t) => t.startsWith("appstacks:stacks:"));
  if (appType === undefined) return { app: "(stack)", group: "" };
  const app = reportAppName(appType);
  const parent = (step.newState ?? step.oldState)?.parent;
  const parentName = parent ? parseUrn(parent).name : "";
  const group = parentName.startsWith(`${app}-`) ? parentName.slice(app.length + 1) : parentName;
  return { app, group };
}

// ---- Why a resource changes ------------------------------------------------------------------

/** The top-level input names of the engine's diff paths ("envs[2]" → "envs", "healthcheck.tests" → "healthcheck"). */
function changedInputs(step: PreviewStep): string[] {
  const paths = [...Object.keys(step.detailedDiff ?? {}), ...(step.diffReasons ?? [])];
  return [...new Set(paths.map((p) => p.split(/[.[]/)[0]).filter((p) => p !== "" && p !== "__defaults"))].sort();
}
function replaceInputs(step: PreviewStep): string[] {
  const fromDetail = Object.entries(step.detailedDiff ?? {}).filter(([, d]) => d.kind?.endsWith("-replace")).map(([p]) => p);
  return [...new Set([...(step.replaceReasons ?? []), ...fromDetail].map((p) => p.split(/[.[]/)[0]))].sort();
}

/** KEY=value lines → key → value; values stay inside this module and are only compared. */
function envMap(list: unknown): Map<string, string> | undefined {
  if (!Array.isArray(list) || list.some((e) => typeof e !== "string")) return undefined;
  const m = new Map<string, string>();
  for (const e of list as string[]) {
    const eq = e.indexOf("=");
    m.set(eq < 0 ? e : e.slice(0, eq), eq < 0 ? "" : e.slice(eq + 1));
  }
  return m;
}

/**
 * The env keys that changed, named without values: "env: added A; removed B; changed C", or, when
 * the engine masked a whole list because one element is secret, what can still be said.
 */
export function envChange(oldList: unknown, newList: unknown, positions: number[] = []): string {
  const before = envMap(oldList ?? []);
  const after = envMap(newList ?? []);
  if (before === undefined || after === undefined) {
    // A masked side hides its keys too; the engine's diff still says which entries changed.
    const where = positions.length ? `: entr${positions.length > 1 ? "ies" : "y"} ${positions.map((i) => i + 1).join(", ")} of the list` : "";
    return `env changed${where} (values hidden: the list holds a secret)`;
  }
  const added = [...after.keys()].filter((k) => !before.has(k)).sort();
  const removed = [...before.keys()].filter((k) => !after.has(k)).sort();
  const changed = [...after.keys()].filter((k) => before.has(k) && before.get(k) !== after.get(k)).sort();
  const parts = [
    added.length ? `added ${added.join(", ")}` : "",
    removed.length ? `removed ${removed.join(", ")}` : "",
    changed.length ? `changed ${changed.join(", ")}` : "",
  ].filter(Boolean);
  return parts.length ? `env keys: ${parts.join("; ")} (values not shown)` : "env reordered (no key or value changed)";
}

/** True when the engine does not know the value yet (a new image ID, a new network name). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function portsText(ports: unknown): string | undefined {
  if (!Array.isArray(ports)) return undefined;
  return ports.map((p: { ip?: string; external?: number; internal?: number }) => `${p.external ?? "?"}→${p.internal ?? "?"}`).join(", ") || "none";
}

/** Positions of a list's entries in the engine's diff ("envs[1]" → 1). */
function diffPositions(step: PreviewStep, input: string): number[] {
  const re = new RegExp(`^${input}\\[(\\d+)\\]`);
  const found = Object.keys(step.detailedDiff ?? {}).map((p) => re.exec(p)).filter((m): m is RegExpExecArray => m !== null);
  return [...new Set(found.map((m) => Number(m[1])))].sort((a, b) => a - b);
}

function describe(step: PreviewStep): string[] {
  const oldIn = step.oldState?.inputs ?? {};
  const newIn = step.newState?.inputs ?? {};
  const all = step.op === "replace" ? [...new Set([...replaceInputs(step), ...changedInputs(step)])].sort() : changedInputs(step);
  // The provider may report a difference where the program's inputs are equal (defaults it fills
  // in, e.g. every `build.*` field when an image is rebuilt); the input that did change explains it.
  const same = (k: string) => oldIn[k] !== MASKED && newIn[k] !== MASKED && JSON.stringify(oldIn[k]) === JSON.stringify(newIn[k]);
  const inputs = all.some((k) => !same(k)) ? all.filter((k) => !same(k)) : all;
  const forced = new Set(step.op === "replace" ? replaceInputs(step) : []);
  const why: string[] = [];
  for (const input of inputs) {
    const tag = forced.has(input) ? " (forces replacement)" : "";
    if (input === "image") {
      const rebuilt = newIn.image === UNKNOWN;
      why.push(`image changed${rebuilt ? ": a new image is built or pulled, so the container is recreated" : ""}${tag}`);
    } else if (input === "envs") {
      why.push(envChange(oldIn.envs, newIn.envs, diffPositions(step, "envs")) + tag);
    } else if (input === "uploads") {
      why.push(`uploaded files changed (contents hidden)${tag}`);
    } else if (input === "ports" && portsText(oldIn.ports) && portsText(newIn.ports)) {
      why.push(`published ports: ${portsText(oldIn.ports)} → ${portsText(newIn.ports)}${tag}`);
    } else if (input === "triggers") {
      why.push(`build context changed: the image is rebuilt${tag}`);
    } else if (input === "build") {
      why.push(`build settings changed: the image is rebuilt${tag}`);
    } else if (oldIn[input] === MASKED || newIn[input] === MASKED || HIDDEN_VALUES.has(input)) {
      why.push(`${input} changed (value hidden)${tag}`);
    } else {
      why.push(`${input} changed${tag}`);
    }
  }
  return why;
}

/** What a delete means on the host: retained resources only leave the stack. */
function deleted(step: PreviewStep, kind: string): string[] {
  if (step.oldState?.retainOnDelete) return ["leaves the stack; kept on the host (retainOnDelete)"];
  return kind === "volume" ? ["the volume and its data are deleted"] : [];
}

// ---- The report ------------------------------------------------------------------------------

/** The changes of a preview, in report order: app, group, op, name. */
export function changesOf(preview: PreviewJson): Change[] {
  const steps = (preview.steps ?? []).filter((s) => !HIDDEN_OPS.has(s.op));
  const custom = steps.filter((s) => (s.newState ?? s.oldState)?.custom !== false && !parseUrn(s.urn).types.slice(-1)[0].startsWith("pulumi:providers:"));
  const changes = custom.map((s) => {
    const { types, name } = parseUrn(s.urn);
    const { app, group } = placeOf(s);
    const kind = kindOf(types[types.length - 1]);
    return { app, group, op: s.op, kind, name, why: s.op === "update" || s.op === "replace" ? describe(s) : s.op === "delete" ? deleted(s, kind) : [] };
  });
  const rank = (op: string) => (OP_ORDER.indexOf(op) < 0 ? OP_ORDER.length : OP_ORDER.indexOf(op));
  return changes.sort((a, b) => a.app.localeCompare(b.app) || a.group.localeCompare(b.group) || rank(a.op) - rank(b.op) || a.name.localeCompare(b.name));
}

function counts(changes: Change[]): string {
  const by = new Map<string, number>();
  for (const c of changes) by.set(c.op, (by.get(c.op) ?? 0) + 1);
  const ops = [...by.keys()].sort((a, b) => OP_ORDER.indexOf(a) - OP_ORDER.indexOf(b));
  return ops.map((op) => `${by.get(op)} to ${OP_LABEL[op] ?? op}`).join(", ");
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The policy section: each violation with its resource, app and the rule's fix (the message after its description). */
function policySection(events: PolicyEvent[]): string[] {
  if (events.length === 0) return [];
  const mandatory = events.filter((e) => e.enforcementLevel === "mandatory").length;
  const lines = [`#### Policy violations (${events.length}${mandatory ? `, ${mandatory} mandatory: the update is blocked` : ""})`, ""];
  lines.push("| app | resource | rule | how to fix |", "| --- | --- | --- | --- |");
  const rows = events.map((e) => {
    const step: PreviewStep = { op: "", urn: e.resourceUrn ?? "" };
    const { app } = e.resourceUrn ? placeOf(step) : { app: "(stack)" };
    const name = e.resourceUrn ? parseUrn(e.resourceUrn).name : "(stack)";
    const fix = e.message.trim().split("\n").slice(1).join(" ").trim() || e.message.trim();
    return `| ${cell(app)} | \`${cell(name)}\` | ${cell(`${e.policyPackName}/${e.policyName}`)} (${e.enforcementLevel}) | ${cell(fix)} |`;
  });
  return [...lines, ...[...new Set(rows)].sort(), ""];
}

/**
 * The Markdown report of one stack's preview (and its policy violations, when given). `diagrams`
 * (report app name → a fenced Mermaid block, review/topology.ts) adds, under each app the preview
 * changes, its topology after the change, folded.
 */
export function renderReport(preview: PreviewJson, stack: string, policy: PolicyEvent[] = [], diagrams: Readonly<Record<string, string>> = {}): string {
  const changes = changesOf(preview);
  const lines: string[] = [`### Preview of stack \`${stack}\``, ""];
  if (changes.length === 0) {
    lines.push("No changes.");
  } else {
    lines.push(`${counts(changes)}.`, "");
    const apps = [...new Set(changes.map((c) => c.app))];
    for (const app of apps) {
      const mine = changes.filter((c) => c.app === app);
      lines.push(`#### ${app === "(stack)" ? "Stack-level resources" : app} (${counts(mine)})`, "");
      lines.push("| service | change | resource | why |", "| --- | --- | --- | --- |");
      for (const c of mine) {
        lines.push(`| ${cell(c.group || "–")} | ${c.op} | ${cell(c.kind)} \`${cell(c.name)}\` | ${cell(c.why.join("; ") || "")} |`);
      }
      lines.push("");
      const diagram = diagrams[app];
      if (diagram !== undefined) lines.push(`<details><summary>Topology of ${app} after this change</summary>`, "", diagram.trimEnd(), "", "</details>", "");
    }
  }
  lines.push(...policySection(policy));
  const errors = (preview.diagnostics ?? []).filter((d) => d.severity === "error");
  if (errors.length > 0) {
    lines.push("**Errors**", "");
    for (const d of errors) lines.push(`- ${cell((d.message ?? "").trim())}`);
    lines.push("");
  }
  return lines.join("\n").trimEnd() + "\n";
}
