// Biostar deployed for real by the project's own program: PostgreSQL, migrations, init-once,
// the web app over HTTP; then the change, replacement and data-retention guarantees.
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, networksLabelled, volumesLabelled, execIn, removeVolumesLabelled } from "./support/docker";
import { freePort, http } from "../../support/net";
import { standIns } from "../../support/images";
import { execFileSync } from "child_process";

const STACK_LABEL = "appstacks.stack";
let t: TestStack | undefined;
let url = "";
let port = 0;

async function setBiostar(extra: Record<string, unknown> = {}) {
  await setConfig(t!.stack, {
    "appstacks:apps": ["biostar"],
    "appstacks:imageOverrides": standIns("postgres", "debian"),
    "appstacks:biostar": { port, ...extra },
  });
}

function changed(summary: { resourceChanges?: Record<string, number>; changeSummary?: Record<string, number> }) {
  const { same, ...rest } = summary.resourceChanges ?? summary.changeSummary ?? {};
  return rest;
}

beforeAll(async () => {
  t = await projectStack("biostar");
  port = await freePort();
  await setBiostar();
});

afterAll(async () => {
  await tearDown(t);
  if (t) {
    // The data volume is kept by design; the test removes its own.
    removeVolumesLabelled(STACK_LABEL, t.runId);
  }
});

test("up serves the site with data read from PostgreSQL, initialised once", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  url = (up.outputs.urls.value as Record<string, string>).biostar;
  expect(url).toBe(`http://localhost:${port}/`);
  const page = await http(url);
  expect(page.status).toBe(200);
  expect(page.body).toContain("<li>Welcome to Biostar</li>");
  expect(page.body).toContain("posts: 1; initialised: 1");
  // The database is not published: only the front proxy in front of the web app has a host port.
  const published = execFileSync("docker", ["ps", "--filter", `label=${STACK_LABEL}=${t!.runId}`, "--format", "{{.Names}} {{.Ports}}"], { encoding: "utf8" });
  expect(published.split("\n").filter((l) => l.includes("->"))).toEqual([expect.stringMatching(/-biostar-front-proxy .*:(\d+)->80\/tcp/)]);
});

test("a second up changes nothing", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(changed(up.summary)).toEqual({});
});

test("a changed web setting replaces only the web container", async () => {
  await setBiostar({ debug: true });
  const preview = await t!.stack.preview();
  // The web container, and web's release record (the release before moves to `previous`).
  expect(changed(preview)).toEqual({ replace: 1, update: 1 });
  const up = await t!.stack.up(streamOutput);
  expect(changed(up.summary)).toEqual({ replace: 1, update: 1 });
  const web = containersLabelled(STACK_LABEL, t!.runId).find((n) => n.endsWith("-biostar-web"))!;
  expect(inspectEnv(web)).toContain("DJANGO_DEBUG=1");
  const page = await http(url);
  expect(page.body).toContain("initialised: 1");
});

test("the database password is a file in the container, not in docker inspect", () => {
  const web = containersLabelled(STACK_LABEL, t!.runId).find((n) => n.endsWith("-biostar-web"))!;
  const password = execIn(web, ["cat", "/run/secrets/db-password"]);
  expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
  for (const name of containersLabelled(STACK_LABEL, t!.runId)) {
    expect(execFileSync("docker", ["inspect", name], { encoding: "utf8" })).not.toContain(password);
  }
  expect(inspectEnv(web)).toContain("DATABASE_PASSWORD_FILE=/run/secrets/db-password");
});

function inspectEnv(container: string): string[] {
  return JSON.parse(execFileSync("docker", ["inspect", "--format", "{{json .Config.Env}}", container], { encoding: "utf8" }));
}

test("a row written before survives replacing the database container", async () => {
  expect((await http(`${url}posts`, { title: "kept across replacement" })).status).toBe(201);
  const dbUrn = (await t!.stack.exportStack()).deployment.resources.find((r: { urn: string }) => r.urn.endsWith("biostar-db-container")).urn;
  const up = await t!.stack.up({ ...streamOutput, replace: [dbUrn] });
  expect(changed(up.summary)).toEqual({ replace: 1 });
  expect((await http(url)).body).toContain("<li>kept across replacement</li>");
});

test("destroy removes containers and networks, keeps the data, and a new up finds it", async () => {
  await t!.stack.destroy(streamOutput);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(networksLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(volumesLabelled(STACK_LABEL, t!.runId)).toHaveLength(1);
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  const page = await http(url);
  expect(page.body).toContain("<li>kept across replacement</li>");
  expect(page.body).toContain("initialised: 1");
});
