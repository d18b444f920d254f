// Graceful stops: every container Pulumi deletes or replaces gets its stop signal and a grace
// period before SIGKILL (docker.Container destroyGraceSeconds): 30 s for a service that mounts a
// data volume, 10 s for any other, a spec's stopGraceSeconds wins; never 0 (SIGKILL at once).
import { installMocks, reset, ofType, deployForTest, PROXY_IMAGE } from "./mocks";
import { APPS } from "../../stacks/registry";
import { STOP_GRACE_DEFAULTS, specProblems, stopGraceFor, AppSpec } from "../../components/app-spec";
import { AppDefinition, SpecContext } from "../../config/app-definition";

installMocks();
const CONTAINER = "docker:index/container:Container";

/** Every container of one app with its default settings, deployed as the program does (behind its front proxy): service → destroyGraceSeconds. */
async function graceOf(app: AppDefinition): Promise<Record<string, number>> {
  reset();
  await deployForTest(app, { frontProxyImage: PROXY_IMAGE });
  const prefix = `appstacks-dev-${app.name}-`;
  return Object.fromEntries(ofType(CONTAINER).map((c) => [c.inputs.name.replace(prefix, ""), c.inputs.destroyGraceSeconds]));
}

const byName = (name: string): AppDefinition => APPS.find((a) => a.name === name)!;
const ctx = (app: string): SpecContext => ({ scope: { project: "appstacks", stack: "dev", app }, keepDataOnDestroy: true, imageOverrides: {} });

describe("the default grace period", () => {
  test("30 s with a data volume, 10 s without; a service's own value wins", () => {
    expect(STOP_GRACE_DEFAULTS).toEqual({ dataVolume: 30, other: 10 });
    expect(stopGraceFor({}, true)).toBe(30);
    expect(stopGraceFor({}, false)).toBe(10);
    expect(stopGraceFor({ stopGraceSeconds: 90 }, true)).toBe(90);
    expect(stopGraceFor({ stopGraceSeconds: 3 }, false)).toBe(3);
  });

  test("a grace period of 0 (SIGKILL at once) or a fraction is refused with one line", () => {
    const spec = (stopGraceSeconds: number): AppSpec => ({ networks: { n: {} }, services: { s: { image: { ref: "x:1" }, networks: ["n"], stopGraceSeconds } } });
    expect(specProblems("app", spec(0))).toEqual(["app.services.s.stopGraceSeconds: 0 is not a grace period (allowed: an integer of at least 1, in seconds; 0 would mean SIGKILL with no wait)"]);
    expect(specProblems("app", spec(2.5))).toHaveLength(1);
    expect(specProblems("app", spec(1))).toEqual([]);
  });
});

describe("every container of every app", () => {
  test.each(APPS.map((a): [string, AppDefinition] => [a.name, a]))("%s: data-volume services 30 s, others (jobs included) 10 s, unless the spec says", async (name, app) => {
    const spec = app.spec(app.settings.parse({}), ctx(name));
    const grace = await graceOf(app);
    // The spec's services, and the front proxy in front of the ones that publish HTTP.
    expect(Object.keys(grace).sort()).toEqual([...Object.keys(spec.services), "front-proxy"].sort());
    expect(grace["front-proxy"] ?? 10).toBe(10);
    for (const [svc, s] of Object.entries(spec.services)) {
      const expected = s.stopGraceSeconds ?? (Object.keys(s.volumes ?? {}).length > 0 ? 30 : 10);
      expect(`${svc} ${grace[svc]}`).toBe(`${svc} ${expected}`);
    }
    for (const [svc, g] of Object.entries(grace)) expect(`${svc} ${g >= 1}`).toBe(`${svc} true`);
  });

  test("the engines: PostgreSQL, MySQL, RabbitMQ, MongoDB and the registry get 30 s; web servers, proxies and jobs 10 s", async () => {
    expect(await graceOf(byName("biostar"))).toEqual({ db: 30, web: 10, migrate: 10, init: 10, "front-proxy": 10 });
    const wattrex = await graceOf(byName("wattrex"));
    expect([wattrex.db, wattrex.broker, wattrex.web]).toEqual([30, 30, 10]);
    const portal = await graceOf(byName("portal"));
    expect([portal.mongo, portal.nginx, portal.ingest]).toEqual([30, 10, 10]);
    const pecan = await graceOf(byName("pecan"));
    expect([pecan.postgres, pecan.rabbitmq, pecan["front-proxy"]]).toEqual([30, 30, 10]);
    const lab = await graceOf(byName("lab"));
    // The spawner's 30 s is its own (it removes the containers it started), not a volume's.
    expect([lab.registry, lab.redis, lab.spawner, lab.switch]).toEqual([30, 10, 30, 10]);
  });
});
