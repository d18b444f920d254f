// The preview report rendered from recorded `pulumi preview --json` output of real runs
// (test/fixtures/preview/, recorded by scripts/review/record-preview-fixtures.sh): Markdown
// snapshots, the reasons it gives, and that no value of an env list, an upload or a secret
// ever reaches a report.
import * as fs from "fs";
import * as path from "path";
import { changesOf, envChange, policyEventsOf, PreviewJson, renderReport } from "../../review/preview-report";

const DIR = path.resolve(__dirname, "..", "fixtures", "preview");
const FIXTURES = ["create", "env-change", "image-change", "port-change", "delete", "secret-env-change", "policy-violation"];
const load = (name: string): PreviewJson => JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), "utf8"));
const why = (name: string, resource: string) => changesOf(load(name)).find((c) => c.name === resource)?.why.join("; ") ?? "";

test.each(FIXTURES)("%s: the rendered report", (name) => {
  expect(renderReport(load(name), "review-fixtures")).toMatchSnapshot();
});

test("policy violations: read from the engine's event log, each with its app, resource, rule and fix", () => {
  const events = policyEventsOf(fs.readFileSync(path.join(DIR, "policy-violation.events.jsonl"), "utf8"));
  expect(events.map((e) => e.policyName)).toEqual(["data-volumes-retained", "data-volumes-retained", "data-volumes-retained"]);
  const report = renderReport(load("policy-violation"), "review-fixtures", events);
  expect(report).toMatchSnapshot();
  expect(report).toContain("#### Policy violations (3, 3 mandatory: the update is blocked)");
  expect(report).toContain("| biostar | `biostar-pgdata-volume` | appstacks/data-volumes-retained (mandatory) | the stack sets appstacks:keepDataOnDestroy to false");
  expect(report).toContain("- error: preview failed");
});

test("create: grouped by app and service, only real resources (no components, providers or the stack)", () => {
  const changes = changesOf(load("create"));
  expect([...new Set(changes.map((c) => c.app))]).toEqual(["biostar", "wattrex"]);
  expect(changes.every((c) => c.op === "create")).toBe(true);
  expect(changes.filter((c) => c.app === "biostar" && c.group === "web").map((c) => `${c.kind} ${c.name}`)).toEqual([
    "container biostar-web-container", "image biostar-web-image",
  ]);
});

test("env change: the key that changed, in the containers that get it, never the value", () => {
  expect(why("env-change", "biostar-web-container")).toBe("env keys: changed SITE_NAME (values not shown) (forces replacement)");
  expect(why("env-change", "biostar-init-container")).toContain("changed SITE_NAME");
  expect(renderReport(load("env-change"), "s")).not.toContain("Biostar (review)");
});

test("image change: the rebuilt image and every container running it, replaced because of the image", () => {
  expect(why("image-change", "biostar-web-image")).toBe("build context changed: the image is rebuilt (forces replacement)");
  for (const c of ["biostar-web-container", "biostar-migrate-container", "biostar-init-container"]) {
    expect(why("image-change", c)).toMatch(/^image changed: a new image is built or pulled, so the container is recreated/);
  }
  expect(changesOf(load("image-change")).filter((c) => c.app === "wattrex")).toEqual([]);
});

test("port change: the published port before and after", () => {
  expect(why("port-change", "wattrex-web-container")).toBe("published ports: 18869→8869 → 18870→8869 (forces replacement)");
});

test("delete: the removed app's resources; retained volumes are said to stay on the host", () => {
  const changes = changesOf(load("delete"));
  expect(new Set(changes.map((c) => `${c.app}/${c.op}`))).toEqual(new Set(["wattrex/delete"]));
  expect(why("delete", "wattrex-mysql-volume")).toBe("leaves the stack; kept on the host (retainOnDelete)");
});

test("a secret in the env list: the engine masked the whole list, so the report names the entry, not a key or value", () => {
  const fixture = fs.readFileSync(path.join(DIR, "secret-env-change.json"), "utf8");
  expect(fixture).not.toContain("API_TOKEN="); // the recorded JSON itself holds no secret
  expect(why("secret-env-change", "app")).toBe("env changed: entry 2 of the list (values hidden: the list holds a secret) (forces replacement)");
});

test("no report contains a value of envs or uploads, or a secret", () => {
  for (const name of FIXTURES) {
    const preview = load(name);
    const values = new Set<string>();
    for (const step of preview.steps ?? []) {
      for (const state of [step.oldState, step.newState]) {
        const inputs = (state as { inputs?: Record<string, unknown> } | undefined)?.inputs ?? {};
        if (Array.isArray(inputs.envs)) for (const e of inputs.envs as string[]) values.add(e.slice(e.indexOf("=") + 1));
        if (Array.isArray(inputs.uploads)) for (const u of inputs.uploads as { content?: string }[]) if (u.content) values.add(u.content);
      }
    }
    const reasons = changesOf(preview).flatMap((c) => c.why).join("\n");
    // Values short enough to be words of the report's own sentences ("1", "db") prove nothing.
    for (const v of [...values].filter((x) => x.length >= 4)) expect(reasons).not.toContain(v);
    expect(renderReport(preview, "s")).not.toContain("[secret]");
  }
});

describe("envChange", () => {
  test("added, removed and changed keys, sorted, without values", () => {
    expect(envChange(["A=1", "B=2", "C=3"], ["B=2", "C=4", "D=5"])).toBe("env keys: added D; removed A; changed C (values not shown)");
  });
  test("a reordered list is no key change", () => {
    expect(envChange(["A=1", "B=2"], ["B=2", "A=1"])).toBe("env reordered (no key or value changed)");
  });
  test("a masked side: no key named, the changed entries when the engine gives them", () => {
    expect(envChange("[secret]", ["A=1"])).toBe("env changed (values hidden: the list holds a secret)");
    expect(envChange(["A=1"], "[secret]", [0, 2])).toBe("env changed: entries 1, 3 of the list (values hidden: the list holds a secret)");
  });
});
