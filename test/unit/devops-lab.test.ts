import { installMocks, reset, valueOf, ofType, byName, options, dependsOnNames, deployForTest } from "./mocks";
import { lab as labApp } from "../../stacks/devops-lab";

installMocks();
const CONTAINER = "docker:index/container:Container";
const SERVICES = ["blue", "green", "proxy", "reader", "redis", "registry", "spawner", "switch", "webapp", "writer"];

async function deploy(extra: Record<string, unknown> & { keepDataOnDestroy?: boolean } = {}) {
  reset();
  const { keepDataOnDestroy, ...settings } = extra;
  return deployForTest(labApp, {
    settings, keepDataOnDestroy,
    imageOverrides: { redis: "appstacks/redis:local", registry: "appstacks/registry:local", debian: "appstacks/base:bookworm" },
  });
}

const container = (svc: string) => byName(`lab-${svc}-container`).inputs;
const envOf = (svc: string) => Object.fromEntries((container(svc).envs as string[]).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
const depsOf = (svc: string) => dependsOnNames(`lab-${svc}-container`, "lab");

describe("DevOps lab stack", () => {
  test("ten containers on one network; the switch is a one-shot job", async () => {
    await deploy();
    expect(ofType(CONTAINER).map((c) => c.inputs.name.replace("appstacks-dev-lab-", "")).sort()).toEqual(SERVICES);
    expect(ofType("docker:index/network:Network").map((n) => n.inputs.name)).toEqual(["appstacks-dev-lab-backend"]);
    for (const svc of SERVICES) expect(container(svc).networksAdvanced).toEqual([{ name: "appstacks-dev-lab-backend", aliases: [svc] }]);
    expect(container("switch")).toMatchObject({ attach: true, mustRun: false, restart: "no" });
    for (const svc of SERVICES.filter((s) => s !== "switch")) expect(`${svc} ${container(svc).wait}`).toBe(`${svc} true`);
  });

  test("published: the proxy's two entry points, the registry on 127.0.0.1 only, blue, green and the reader (seed ports by default)", async () => {
    const lab = await deploy();
    const published = Object.fromEntries(ofType(CONTAINER).filter((c) => (c.inputs.ports ?? []).length > 0)
      .map((c) => [c.inputs.name.replace("appstacks-dev-lab-", ""), c.inputs.ports.map((p: { ip: string; external: number; internal: number }) => `${p.ip}:${p.external}->${p.internal}`)]));
    expect(published).toEqual({
      proxy: ["0.0.0.0:3456->3456", "0.0.0.0:3457->3457"],
      registry: ["127.0.0.1:5000->5000"],
      blue: ["0.0.0.0:50100->50100"],
      green: ["0.0.0.0:50101->50101"],
      reader: ["0.0.0.0:8000->8000"],
    });
    expect([await valueOf(lab.urls.lab), await valueOf(lab.urls["lab-live"]), await valueOf(lab.urls["lab-reader"])]).toEqual(["http://localhost:3456/", "http://localhost:3457/", "http://localhost:8000/"]);
    await deploy({ proxyPort: 13456, livePort: 13457, readerPort: 18010, bluePort: 15100 });
    expect(container("proxy").ports.map((p: { external: number }) => p.external)).toEqual([13456, 13457]);
    expect(container("reader").ports[0]).toMatchObject({ external: 18010, internal: 8000 });
    expect(container("blue").ports[0]).toMatchObject({ external: 15100, internal: 15100 });
  });

  test("gating: webapp after healthy redis; spawner after redis and webapp; proxy after redis and spawner; reader after the healthy writer; switch after both colours", async () => {
    await deploy();
    expect(await depsOf("webapp")).toEqual(["redis"]);
    expect(await depsOf("spawner")).toEqual(["redis", "webapp"]);
    expect(await depsOf("proxy")).toEqual(["redis", "spawner"]);
    expect(await depsOf("reader")).toEqual(["writer"]);
    expect(await depsOf("switch")).toEqual(["blue", "green", "redis"]);
    expect(await depsOf("blue")).toEqual(["registry"]);
    expect(container("writer").healthcheck.tests).toEqual(["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/7000"]);
    expect(container("redis").healthcheck.tests).toEqual(["CMD", "redis-cli", "ping"]);
  });

  test("the Docker socket is mounted into the spawner only, declared by label, with time to remove its containers", async () => {
    await deploy();
    const withSocket = ofType(CONTAINER).filter((c) => JSON.stringify(c.inputs.volumes ?? []).includes("docker.sock")).map((c) => c.inputs.name);
    expect(withSocket).toEqual(["appstacks-dev-lab-spawner"]);
    expect(container("spawner").volumes).toEqual([{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: false }]);
    expect(container("spawner").labels).toContainEqual({ label: "appstacks.allow-docker-socket", value: "true" });
    expect(container("spawner").destroyGraceSeconds).toBe(30);
    // Webapps drain on SIGTERM (a new image of a colour loses no accepted request).
    for (const svc of ["webapp", "blue", "green"]) expect(container(svc).destroyGraceSeconds).toBe(10);
    for (const svc of SERVICES.filter((s) => s !== "spawner")) {
      expect(container(svc).labels.map((l: { label: string }) => l.label)).not.toContain("appstacks.docker-socket");
    }
    const env = envOf("spawner");
    expect(env).toMatchObject({
      BASE_URL: "http://webapp:3000", WEBAPP_IMAGE: "appstacks-dev-lab-webapp:built", NETWORK: "appstacks-dev-lab-backend", NAME_PREFIX: "appstacks-dev-lab-webapp",
    });
    expect(JSON.parse(env.STACK_LABELS)).toEqual({ "appstacks.project": "appstacks", "appstacks.stack": "dev", "appstacks.app": "lab" });
  });

  test("the webapp's port is a build argument, as in the seed; blue and green are built with theirs, pushed, and pulled back by digest", async () => {
    await deploy();
    expect(byName("lab-webapp-image").inputs.build.buildArgs).toEqual({ BASE_IMAGE: "appstacks/base:bookworm", start_port: "3000" });
    for (const [c, port] of [["blue", "50100"], ["green", "50101"]]) {
      expect(byName(`lab-${c}-image`).inputs).toMatchObject({ name: `localhost:5000/appstacks-dev-lab-app:${c}`, build: { buildArgs: { start_port: port, COLOR: c } } });
      expect(byName(`lab-${c}-push`).inputs).toMatchObject({ name: `localhost:5000/appstacks-dev-lab-app:${c}`, authConfig: { address: "http://localhost:5000" } });
      expect(byName(`lab-${c}-pull`).inputs.name).toBe(`127.0.0.1:5000/appstacks-dev-lab-app@sha256:digest-of-lab-${c}-push`);
      expect(container(c).image).toBe(`sha256:lab-${c}-pull`);
    }
    // Both wait for the registry; green's push follows blue's, so their shared layers go up once.
    expect(await dependsOnNames("lab-blue-push")).toEqual(["lab-registry-container"]);
    expect(await dependsOnNames("lab-green-push")).toEqual(["lab-blue-push", "lab-registry-container"]);
  });

  test("switching blue→green changes only the switch job: the proxy's inputs are identical", async () => {
    await deploy({ live: "blue" });
    const proxyBlue = JSON.stringify(container("proxy"));
    const others = Object.fromEntries(SERVICES.map((s) => [s, JSON.stringify(container(s))]));
    expect(envOf("switch")).toMatchObject({ LIVE_URL: "http://blue:50100", IDLE_URL: "http://green:50101" });
    await deploy({ live: "green" });
    expect(JSON.stringify(container("proxy"))).toBe(proxyBlue);
    expect(envOf("switch")).toMatchObject({ LIVE_URL: "http://green:50101", IDLE_URL: "http://blue:50100" });
    const changed = SERVICES.filter((s) => JSON.stringify(container(s)) !== others[s]);
    expect(changed).toEqual(["switch"]);
  });

  test("a new release of the live colour rebuilds that colour only: no other container's inputs change", async () => {
    await deploy({ live: "green" });
    const before = Object.fromEntries(SERVICES.map((s) => [s, JSON.stringify(container(s))]));
    const images = Object.fromEntries(["webapp", "services", "blue", "green"].map((i) => [i, JSON.stringify(byName(`lab-${i}-image`).inputs)]));
    expect(byName("lab-green-image").inputs.build.buildArgs.RELEASE).toBe("1");
    await deploy({ live: "green", greenRelease: "2" });
    expect(byName("lab-green-image").inputs.build.buildArgs.RELEASE).toBe("2");
    expect(Object.keys(images).filter((i) => JSON.stringify(byName(`lab-${i}-image`).inputs) !== images[i])).toEqual(["green"]);
    // In the mocks the pulled image id is fixed per name, so no container differs; the real
    // rollout (a new digest → the green container replaced) is measured by bench/zero-downtime.ts.
    expect(SERVICES.filter((s) => JSON.stringify(container(s)) !== before[s])).toEqual([]);
  });

  test("the registry's volume is kept on destroy unless data may be dropped", async () => {
    await deploy();
    expect(options.get("lab-registry-volume")?.retainOnDelete).toBe(true);
    await deploy({ keepDataOnDestroy: false });
    expect(options.get("lab-registry-volume")?.retainOnDelete).toBe(false);
  });
});
