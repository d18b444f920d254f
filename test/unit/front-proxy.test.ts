// The front proxy rewrite (components/runtime/front-proxy.ts): which services roll out with no
// gap, the labels Traefik routes them by, and the proxy that publishes their ports instead.
import { AppSpec, specProblems } from "../../components/app-spec";
import { AppStack, describeRollouts } from "../../components/app";
import { LocalDockerHost } from "../../components/host/local";
import { installMocks } from "./mocks";
import { EDGE_NETWORK, FRONT_PROXY, PUBLIC_NETWORK, READY_CHECK_LABEL, rolloutPlan, withFrontProxy } from "../../components/runtime/front-proxy";
import { APPS } from "../../stacks/registry";
import { withRolloutOff } from "../../stacks/deploy";
import { AppDefinition } from "../../config/app-definition";

const check = { test: ["CMD", "curl", "-fsS", "http://127.0.0.1:8000/healthz"] };
const spec: AppSpec = {
  networks: { backend: { internal: true }, frontend: {} },
  volumes: { data: {} },
  services: {
    db: { image: { ref: "postgres:16.4" }, networks: ["backend"], volumes: { data: "/var/lib/postgresql/data" }, healthcheck: check },
    web: { image: { ref: "x:1" }, networks: ["frontend", "backend"], ports: [{ internal: 8000, external: 8080, setting: "port", http: true }], healthcheck: check, dependsOn: ["db"] },
    admin: { image: { ref: "x:1" }, networks: ["frontend"], ports: [{ internal: 9000, external: 9090, http: true }], healthcheck: check, rollout: false },
    mqtt: { image: { ref: "x:1" }, networks: ["frontend"], ports: [{ internal: 1883, external: 1883 }], healthcheck: check },
    migrate: { image: { ref: "x:1" }, networks: ["backend"], job: true },
  },
};
const proxy = { image: "traefik:v3.6", physicalName: (role: string) => `p-s-app-${role}` };

test("only services whose published ports are all HTTP, with a health check and rollout on, roll", () => {
  expect(rolloutPlan(spec)).toEqual({
    rolling: ["web"],
    gap: [["admin", "rollout is off for it"], ["db", "it publishes no port"], ["mqtt", "it publishes non-HTTP port 1883"]],
  });
  const noCheck = { ...spec, services: { ...spec.services, web: { ...spec.services.web, healthcheck: undefined } } };
  expect(rolloutPlan(noCheck).gap).toContainEqual(["web", "it has no health check to gate the new release on"]);
});

test("the preview line says what rolls and what is replaced with a gap", () => {
  expect(describeRollouts("app", spec)).toBe(
    "app: on a change, web rolls out with no gap through the front proxy; replaced with a gap: admin (rollout is off for it), db (it publishes no port), mqtt (it publishes non-HTTP port 1883)",
  );
});

describe("withFrontProxy", () => {
  const out = withFrontProxy(spec, proxy);
  const web = out.services.web;
  const front = out.services[FRONT_PROXY];

  test("a rolling service publishes nothing itself, joins the edge network and carries its routes as Traefik labels", () => {
    expect(web.ports).toBeUndefined();
    expect(web.rollout).toBe(true);
    expect(web.networks).toEqual(["frontend", "backend", EDGE_NETWORK]);
    expect(web.labels).toMatchObject({
      "traefik.enable": "true",
      "traefik.docker.network": "p-s-app-edge",
      "appstacks.front-proxy": "p-s-app-front-proxy",
      "traefik.http.routers.web-8080.entrypoints": "port8080",
      "traefik.http.routers.web-8080.rule": "PathPrefix(`/`)",
      "traefik.http.routers.web-8080.middlewares": "web-retry",
      "traefik.http.services.web-8080.loadbalancer.server.port": "8000",
    });
    expect(JSON.parse(web.labels![READY_CHECK_LABEL])).toEqual({ test: check.test, timeout: "5s" });
  });

  test("the others keep their ports and are replaced the plain way", () => {
    for (const name of ["db", "admin", "mqtt", "migrate"]) {
      expect(out.services[name]).toEqual({ ...spec.services[name], rollout: false });
    }
  });

  test("the proxy publishes the rolling ports on the same host ports (80, 81… inside, never Traefik's own 8080), reads only its own containers, and checks its ping with wget", () => {
    expect(front.ports).toEqual([{ internal: 80, external: 8080, setting: "port", http: true }]);
    expect(front.networks).toEqual([PUBLIC_NETWORK, EDGE_NETWORK]);
    expect(out.networks?.[EDGE_NETWORK]).toEqual({ internal: true });
    expect(front.dockerSocket).toBe(true);
    expect(front.command).toEqual(expect.arrayContaining([
      "--providers.docker.exposedbydefault=false",
      "--providers.docker.constraints=Label(`appstacks.front-proxy`,`p-s-app-front-proxy`)",
      "--providers.docker.network=p-s-app-edge",
      "--entrypoints.port8080.address=:80",
    ]));
    expect(front.healthcheck?.test).toEqual(["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/ping"]);
    expect(out.networks?.[PUBLIC_NETWORK]).toEqual({});
  });

  test("the rewritten spec is valid and publishes each host port once", () => {
    expect(specProblems("app", out)).toEqual([]);
  });

  test("a spec with nothing to roll is unchanged; a name the proxy needs is refused in one line", () => {
    const plain: AppSpec = { services: { db: spec.services.db }, networks: spec.networks, volumes: spec.volumes };
    expect(withFrontProxy(plain, proxy)).toBe(plain);
    expect(() => withFrontProxy({ ...spec, services: { ...spec.services, [FRONT_PROXY]: spec.services.db } }, proxy))
      .toThrow("services.front-proxy: the name is taken by the front proxy (allowed: another service name)");
  });
});

test.each(APPS.map((a) => [a.name, a as AppDefinition] as const))("%s: every rewritten default spec is valid", (_name, app) => {
  const settings = app.settings.parse({});
  const s = app.spec(settings, { scope: { project: "p", stack: "s", app: app.name }, keepDataOnDestroy: true, imageOverrides: {} });
  expect(specProblems(app.name, withFrontProxy(s, proxy))).toEqual([]);
});

describe("services that share one host port under their own paths (PEcAn's /pecan/, /bety/, /api/)", () => {
  const route = (path: string, more: object = {}) => ({ internal: 8000, external: 80, http: true, path, ...more });
  const shared: AppSpec = {
    networks: { back: { internal: true } },
    services: {
      web: { image: { ref: "x:1" }, networks: ["back"], ports: [route("/pecan/", { redirectRoot: true })], healthcheck: check },
      api: { image: { ref: "x:1" }, networks: ["back"], ports: [route("/api/")], healthcheck: check },
    },
  };

  test("are valid, and routed by path prefix through one entry point the proxy publishes once; / redirects to the front page", () => {
    expect(specProblems("app", shared)).toEqual([]);
    const out = withFrontProxy(shared, proxy);
    expect(out.services[FRONT_PROXY].ports).toEqual([{ internal: 80, external: 80, http: true }]);
    expect(out.services.api.labels).toMatchObject({ "traefik.http.routers.api-80.rule": "PathPrefix(`/api/`)", "traefik.http.routers.api-80.entrypoints": "port80" });
    expect(out.services.web.labels).toMatchObject({
      "traefik.http.routers.web-80.rule": "PathPrefix(`/pecan/`)",
      "traefik.http.routers.web-80-root.rule": "Path(`/`)",
      "traefik.http.middlewares.web-80-root.redirectregex.regex": "^(https?://[^/]+)/$",
      "traefik.http.middlewares.web-80-root.redirectregex.replacement": "${1}/pecan/",
    });
    expect(out.services.api.labels?.["traefik.http.routers.api-80-root.rule"]).toBeUndefined();
  });

  test("the same path twice, a path on a non-HTTP port, a malformed path, or a redirect without a path: one line each", () => {
    const withPorts = (api: object[]): AppSpec => ({ ...shared, services: { ...shared.services, api: { ...shared.services.api, ports: api as never } } });
    expect(specProblems("app", withPorts([route("/pecan/")]))).toEqual(["app.services.api.ports.external: 80 is already published by app.services.web (allowed: a free host port, or HTTP ports with distinct paths)"]);
    expect(specProblems("app", withPorts([{ internal: 8000, external: 81, path: "/api/" }]))).toEqual([
      'app.services.api.ports.path: "/api/" is not a path prefix of an HTTP port (allowed: on a port with http: true, a path such as /bety/ or /, starting and ending with /)',
    ]);
    expect(specProblems("app", withPorts([route("api")]))).toHaveLength(1);
    expect(specProblems("app", withPorts([{ internal: 8000, external: 81, http: true, redirectRoot: true }]))).toEqual([
      "app.services.api.ports.redirectRoot: true needs a path to redirect to (allowed: with path, e.g. /pecan/)",
    ]);
  });
});

describe("routing by host name, prefixes stripped, headers set, TLS ended at the proxy (PEcAn's labels)", () => {
  const port = (more: object) => ({ internal: 9999, external: 80, http: true, path: "/monitor/", ...more });
  const spec = (ports: object[]): AppSpec => ({ services: { monitor: { image: { ref: "x:1" }, networks: [], ports: ports as never, healthcheck: check } } });

  test("the rule matches Host and path; the strip and header middlewares follow the retry; a TLS port's routers end TLS on their own entry point", () => {
    const s = spec([
      port({ host: "pecan.example.org", stripPrefix: true, requestHeaders: { "X-Root": "/monitor" } }),
      port({ external: 443, host: "pecan.example.org", stripPrefix: true, tls: true }),
    ]);
    expect(specProblems("app", s)).toEqual([]);
    const out = withFrontProxy(s, proxy);
    expect(out.services[FRONT_PROXY].ports).toEqual([{ internal: 80, external: 80, http: true }, { internal: 81, external: 443, http: true, tls: true }]);
    expect(out.services.monitor.labels).toMatchObject({
      "traefik.http.routers.monitor-80.rule": "Host(`pecan.example.org`) && PathPrefix(`/monitor/`)",
      "traefik.http.routers.monitor-80.middlewares": "monitor-retry,monitor-80-strip,monitor-80-headers",
      "traefik.http.middlewares.monitor-80-strip.stripprefix.prefixes": "/monitor",
      "traefik.http.middlewares.monitor-80-headers.headers.customrequestheaders.X-Root": "/monitor",
      "traefik.http.routers.monitor-443.entrypoints": "port443",
      "traefik.http.routers.monitor-443.tls": "true",
      "traefik.http.routers.monitor-443.middlewares": "monitor-retry,monitor-443-strip",
    });
    expect(out.services.monitor.labels?.["traefik.http.routers.monitor-80.tls"]).toBeUndefined();
  });

  test("a malformed host, a strip without a prefix, proxy options on a non-HTTP port, or one port both HTTP and HTTPS: one line each", () => {
    expect(specProblems("app", spec([port({ host: "pecan example" })]))).toEqual([
      'app.services.monitor.ports.host: "pecan example" is not a host name of an HTTP port (allowed: on a port with http: true, a DNS name such as pecan.example.org)',
    ]);
    expect(specProblems("app", spec([port({ path: "/", stripPrefix: true })]))).toEqual(["app.services.monitor.ports.stripPrefix: true needs a path to remove (allowed: with path, e.g. /monitor/)"]);
    expect(specProblems("app", spec([{ internal: 5432, external: 5432, tls: true }]))).toEqual([
      "app.services.monitor.ports: stripPrefix, requestHeaders and tls are what the front proxy does to HTTP (allowed: on a port with http: true)",
    ]);
    expect(specProblems("app", spec([port({}), port({ path: "/other/", tls: true })]))).toEqual([
      "app.services.monitor.ports.tls: true on port 80, where app.services.monitor has false (allowed: the same for every service on one host port)",
    ]);
    // The same path under two host names shares the port.
    expect(specProblems("app", spec([port({ host: "a.example.org" }), port({ host: "b.example.org" })]))).toEqual([]);
  });
});

describe("appstacks:noRollout (stacks/deploy.ts withRolloutOff)", () => {
  const biostar = APPS.find((a) => a.name === "biostar")! as AppDefinition;
  const pecanApp = APPS.find((a) => a.name === "pecan")! as AppDefinition;
  const specOf = (app: AppDefinition) => app.spec(app.settings.parse({}), { scope: { project: "p", stack: "s", app: app.name }, keepDataOnDestroy: true, imageOverrides: {} });

  test("turns a service's rollout off: it keeps its host port and is replaced with a gap, which the preview line says", () => {
    const spec = withRolloutOff("biostar", specOf(biostar), ["biostar.web"], "appstacks");
    expect(spec.services.web.rollout).toBe(false);
    expect(rolloutPlan(spec).rolling).toEqual([]);
    expect(withFrontProxy(spec, proxy)).toBe(spec);
    expect(describeRollouts("biostar", spec)).toContain("web (rollout is off for it)");
    // Another app's entries change nothing here.
    expect(withRolloutOff("biostar", specOf(biostar), ["wattrex.web"], "appstacks")).toEqual(specOf(biostar));
  });

  test("an unknown service, or one routed by path, is refused in one line", () => {
    expect(() => withRolloutOff("biostar", specOf(biostar), ["biostar.webb"], "appstacks"))
      .toThrow('appstacks:noRollout[0]: "biostar.webb" is not a service of biostar (allowed: biostar.db, biostar.web)');
    expect(() => withRolloutOff("pecan", specOf(pecanApp), ["pecan.bety"], "appstacks"))
      .toThrow('appstacks:noRollout[0]: "pecan.bety" shares its host port with other services under its own path, which only the front proxy can route (allowed: a service with a host port of its own)');
  });
});

test("a port whose TLS the service terminates itself is passed through by a TCP route, so the service still rolls (the portal's 443)", () => {
  const tlsSpec: AppSpec = {
    networks: { n: {} },
    services: { nginx: { image: { ref: "nginx:1.27" }, networks: ["n"], healthcheck: check, ports: [{ internal: 80, external: 8088, http: true }, { internal: 443, external: 8443, tlsPassthrough: true }] } },
  };
  expect(rolloutPlan(tlsSpec).rolling).toEqual(["nginx"]);
  const out = withFrontProxy(tlsSpec, proxy);
  expect(out.services.nginx.labels).toMatchObject({
    "traefik.tcp.routers.nginx-8443.rule": "HostSNI(`*`)",
    "traefik.tcp.routers.nginx-8443.tls.passthrough": "true",
    "traefik.tcp.routers.nginx-8443.entrypoints": "port8443",
    "traefik.tcp.services.nginx-8443.loadbalancer.server.port": "443",
  });
  expect(out.services[FRONT_PROXY].ports).toEqual([{ internal: 80, external: 8088, http: true }, { internal: 81, external: 8443, tlsPassthrough: true }]);
  const both = { ...tlsSpec, services: { nginx: { ...tlsSpec.services.nginx, ports: [{ internal: 443, external: 8443, tlsPassthrough: true, http: true }] } } };
  expect(specProblems("app", both)).toEqual(["app.services.nginx.ports.tlsPassthrough: a port is either HTTP or TLS passed through, not both (allowed: http, or tlsPassthrough without a path)"]);
});

test("AppStack refuses, in one line naming the app, a spec the front proxy cannot take", () => {
  installMocks();
  const taken: AppSpec = {
    networks: { frontend: {} },
    services: {
      web: { image: { ref: "x:1" }, networks: ["frontend"], ports: [{ internal: 8000, external: 8000, http: true }], healthcheck: check },
      [FRONT_PROXY]: { image: { ref: "x:1" }, networks: ["frontend"] },
    },
  };
  expect(() => new AppStack("site", { host: new LocalDockerHost("host"), scope: { project: "p", stack: "s", app: "site" }, spec: taken, frontProxyImage: "traefik:v3.6" }))
    .toThrow(/^site\.services\.front-proxy: the name is taken by the front proxy \(allowed: another service name\)$/);
});
