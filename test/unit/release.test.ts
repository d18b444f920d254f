// Release records and rollback (components/release.ts): every rolling service records the release
// it runs and keeps the previous release's image by a tag; a rollback runs a recorded release's
// image and settings with the current secrets; a rollback of anything else is refused in one line.
import { installMocks, reset, ofType, byName, deployForTest, uploads, valueOf, settle, PROXY_IMAGE } from "./mocks";
import { APPS, loadConfig } from "../../stacks/registry";
import { Release, ReleaseRecord } from "../../components/runtime/release";
import { Service } from "../../components/service";

installMocks();
beforeEach(reset);

const wattrex = APPS.find((a) => a.name === "wattrex")!;
const CONTAINER = "appstacks-dev-wattrex-web";

test("a rolling service records its release (image, environment, plain files) and tags the image a rollback needs; the others record none", async () => {
  const app = await deployForTest(wattrex, { frontProxyImage: PROXY_IMAGE });
  await valueOf((app.stack.services.web as Service).release!.id);
  await settle();
  const records = ofType(Release.TYPE);
  expect(records.map((r) => [r.inputs.app, r.inputs.service])).toEqual([["wattrex", "web"]]);
  const current = records[0].inputs.current as ReleaseRecord;
  const web = byName("wattrex-web-container").inputs;
  expect(current.image).toBe(web.image);
  expect(current.env).toEqual(web.envs);
  // The credentials file is rendered from the app's secrets: always the current one, never recorded.
  expect(current.files.map((f) => f.path)).not.toContain("/run/secrets/cred.env");
  expect(Object.keys(uploads("wattrex-web-container"))).toContain("/run/secrets/cred.env");
  const tag = byName("wattrex-web-rollback-image").inputs;
  expect(tag.targetImage).toBe(`${CONTAINER}:rollback`);
  // Before a second release there is no previous one: the tag holds the current image.
  expect(tag.sourceImage).toBe(current.image);
  expect(await valueOf((app.stack.services.web as Service).release!.app)).toBe("wattrex");
  expect((app.stack.services.db as Service).release).toBeUndefined();
});

test("a rollback runs the recorded image, environment, command and plain files, with the current secrets, and still rolls out", async () => {
  const previous: ReleaseRecord = {
    image: "sha256:0123456789abcdef",
    env: ["OLD=1"],
    command: ["python3", "-m", "old"],
    files: [{ path: "/srv/old.conf", content: "old\n", executable: false }],
  };
  const app = await deployForTest(wattrex, { frontProxyImage: PROXY_IMAGE, rollback: { wattrex: { web: previous } } });
  await valueOf((app.stack.services.web as Service).release!.id);
  const web = byName("wattrex-web-container").inputs;
  expect(web.image).toBe(previous.image);
  expect(web.envs).toEqual(["OLD=1"]);
  expect(web.command).toEqual(["python3", "-m", "old"]);
  const files = uploads("wattrex-web-container");
  expect(files["/srv/old.conf"]).toBe("old\n");
  expect(files["/run/secrets/cred.env"]).toContain("=");
  expect(web.labels).toContainEqual({ label: "appstacks.rollout", value: "start-first" });
  // The record then names the release rolled back to as the current one.
  expect(ofType(Release.TYPE)[0].inputs.current).toEqual(previous);
});

test("a rollback of a service that does not roll out is refused in one line, naming the ones that do", async () => {
  const record: ReleaseRecord = { image: "sha256:0", env: [], files: [] };
  await expect(deployForTest(wattrex, { frontProxyImage: PROXY_IMAGE, rollback: { wattrex: { db: record } } }))
    .rejects.toThrow(/^wattrex: rollback\.db: not a service that rolls out, so it keeps no previous release \(allowed: web\)$/);
});

describe("config appstacks:rollback", () => {
  const record = { image: "sha256:0", env: [], files: [] };
  test("holds app → service → release, for deployed apps only", () => {
    expect(loadConfig("appstacks", { apps: ["wattrex"], rollback: { wattrex: { web: record } } }).rollback).toEqual({ wattrex: { web: record } });
    expect(() => loadConfig("appstacks", { apps: ["wattrex"], rollback: { biostar: { web: record } } }))
      .toThrow(/^appstacks:rollback\.biostar: names an app this stack does not deploy \(allowed: wattrex; npm run rollback -- --clear clears a rollback\)$/);
  });
  test("refuses a release that is not one in one line", () => {
    expect(() => loadConfig("appstacks", { apps: ["wattrex"], rollback: { wattrex: { web: { image: "sha256:0" } } } }))
      .toThrow(/^appstacks:rollback\.wattrex\.web\.env: not set \(allowed: /);
  });
});
