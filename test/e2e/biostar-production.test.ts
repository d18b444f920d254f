// Biostar's production profile deployed for real: nginx in front of gunicorn, a celery worker that
// consumes what the web app enqueues through redis, and the search index built once per database.
import { projectStack, tearDown, streamOutput, setConfig, TestStack } from "../../support/workspace";
import { containersLabelled, networksLabelled, volumesLabelled, healthOf, removeLabelled, removeVolumesLabelled, logsOf } from "./support/docker";
import { eventually } from "../../support/eventually";
import { freePort } from "../../support/net";
import { standIns } from "../../support/images";
import { execFileSync } from "child_process";

const STACK_LABEL = "appstacks.stack";
let t: TestStack | undefined;
let url = "";
/** Volumes the engine made for images' VOLUME declarations (redis's /data): unlabelled, so found by container. */
let anonymousVolumes: string[] = [];

const name = (svc: string) => `appstacks-${t!.runId}-biostar-${svc}`;

function changed(summary: { resourceChanges?: Record<string, number> }) {
  const { same, ...rest } = summary.resourceChanges ?? {};
  return rest;
}

async function getJson(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}${path}`);
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  t = await projectStack("biostar-prod");
  await setConfig(t.stack, {
    "appstacks:apps": ["biostar"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("postgres", "debian", "nginx", "redis"),
    "appstacks:biostar": { port: await freePort(), profile: "production" },
  });
});

afterAll(async () => {
  await tearDown(t);
  if (t) {
    removeLabelled(STACK_LABEL, t.runId);
    removeVolumesLabelled(STACK_LABEL, t.runId);
  }
});

test("up serves the site through nginx; only the front proxy holds a host port; every service is healthy", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  url = (up.outputs.urls.value as Record<string, string>).biostar;
  const res = await fetch(url);
  expect(res.status).toBe(200);
  // nginx answered (the front proxy passes its Server header through), with gunicorn's page behind it.
  expect(res.headers.get("server")).toMatch(/^nginx/);
  const body = await res.text();
  expect(body).toContain("<li>Welcome to Biostar</li>");
  expect(body).toContain("posts: 1; initialised: 1");
  const published = execFileSync("docker", ["ps", "--filter", `label=${STACK_LABEL}=${t!.runId}`, "--format", "{{.Names}} {{.Ports}}"], { encoding: "utf8" });
  expect(published.split("\n").filter((l) => l.includes("->"))).toEqual([expect.stringMatching(/-biostar-front-proxy .*:(\d+)->80\/tcp/)]);
  expect(containersLabelled(STACK_LABEL, t!.runId).sort()).toEqual(["db", "front-proxy", "index", "init", "migrate", "nginx", "redis", "web", "worker"].map(name));
  for (const svc of ["db", "nginx", "redis", "web", "worker"]) expect(healthOf(name(svc))).toBe("healthy");
  anonymousVolumes = containersLabelled(STACK_LABEL, t!.runId).flatMap((c) =>
    JSON.parse(execFileSync("docker", ["inspect", "--format", "{{json .Mounts}}", c], { encoding: "utf8" }))
      .filter((m: { Type: string; Name?: string }) => m.Type === "volume" && !m.Name!.startsWith("appstacks-"))
      .map((m: { Name: string }) => m.Name));
  expect(anonymousVolumes.length).toBeGreaterThan(0);
  // The app server is gunicorn, not the dev profile's waitress.
  expect(logsOf(name("web"))).toMatch(/Booting worker with pid/);
});

test("the search index was built by its job, once, with the site's first post", async () => {
  expect(logsOf(name("index"))).toBe("search index built: 1 posts\n");
  const found = await getJson("search?q=welcome");
  expect(found).toEqual({ status: 200, body: { hits: ["Welcome to Biostar"], builds: 1 } });
});

test("a post made through the web app is indexed by the celery worker, through redis", async () => {
  const title = `zebrafish ${t!.runId}`;
  const made = await fetch(`${url}posts`, { method: "POST", body: new URLSearchParams({ title }) });
  expect(made.status).toBe(201);
  // Only the worker writes the index and the indexed flag: the post shows up once it consumed the task.
  const hits = await eventually("the new post in the search index", async () => {
    const found = await getJson("search?q=zebrafish");
    if (found.body.hits.length === 0) throw new Error(`no hit yet: ${JSON.stringify(found.body)}`);
    return found.body.hits;
  }, 60_000);
  expect(hits).toEqual([title]);
  expect((await getJson("posts")).body.indexed).toEqual(["Welcome to Biostar", title]);
  expect(logsOf(name("worker"))).toMatch(/Task posts\.tasks\.index_post\[[0-9a-f-]+\] succeeded/);
});

test("a second up changes nothing; the index job run again finds its marker and builds nothing", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(changed(up.summary)).toEqual({});
  const indexUrn = (await t!.stack.exportStack()).deployment.resources.find((r: { urn: string }) => r.urn.endsWith("biostar-index-container")).urn;
  const again = await t!.stack.up({ ...streamOutput, replace: [indexUrn] });
  expect(changed(again.summary)).toEqual({ replace: 1 });
  expect(logsOf(name("index"))).toBe("search index already built: nothing to do\n");
  expect((await getJson("search?q=zebrafish")).body).toEqual({ hits: [`zebrafish ${t!.runId}`], builds: 1 });
});

test("destroy leaves nothing labelled", async () => {
  await t!.stack.destroy(streamOutput);
  expect(containersLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(networksLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  expect(volumesLabelled(STACK_LABEL, t!.runId)).toEqual([]);
  const left = execFileSync("docker", ["volume", "ls", "--format", "{{.Name}}"], { encoding: "utf8" }).split("\n");
  expect(anonymousVolumes.filter((v) => left.includes(v))).toEqual([]);
});
