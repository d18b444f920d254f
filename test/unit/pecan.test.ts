import * as pulumi from "@pulumi/pulumi";
import { installMocks, reset, ofType, byName, options, dependsOnNames, uploads as uploadsOf, deployForTest, PROXY_IMAGE } from "./mocks";
import { pecan, defaultMachineId } from "../../stacks/pecan";
import { pecanProxySite } from "../../bench/lib/pecan-proxy";

installMocks();
const CONTAINER = "docker:index/container:Container";

async function deploy(extra: Record<string, unknown> & { keepDataOnDestroy?: boolean } = {}, stack = "dev") {
  reset();
  const { keepDataOnDestroy, ...settings } = extra;
  return deployForTest(pecan, { settings, stack, keepDataOnDestroy, frontProxyImage: PROXY_IMAGE });
}

const short = (name: string) => name.replace(/^appstacks-\w+-pecan-/, "");
const envOf = (svc: string) => Object.fromEntries((byName(`pecan-${svc}-container`).inputs.envs as string[]).map((e) => e.split(/=(.*)/s).slice(0, 2)));
const uploads = (svc: string) => uploadsOf(`pecan-${svc}-container`);
const dependsOn = (svc: string) => dependsOnNames(`pecan-${svc}-container`, "pecan");

describe("PEcAn stack", () => {
  test("services, one runner per model, and only the front proxy published (PEcAn's port 80 by default)", async () => {
    await deploy({ models: ["SIPNET", "ED2"], firstUsers: { carya: 1, guest: 4 } });
    const ports = Object.fromEntries(ofType(CONTAINER).map((c) => [short(c.inputs.name), (c.inputs.ports ?? []).map((p: { internal: number; external: number }) => `${p.external}->${p.internal}`)]));
    expect(ports).toEqual({
      postgres: [], rabbitmq: [], "init-db": [], "init-machine": [], "init-user-carya": [], "init-user-guest": [], "load-data": [], docs: [], bety: [], web: [], api: [],
      monitor: [], dbsync: [], executor: [], "runner-sipnet": [], "runner-ed2": [], "front-proxy": ["80->80"],
    });
    expect(byName("pecan-runner-ed2-image").inputs.name).toBe("pecan/model-ed2-git:1.8.0");
    // BETY's images go by BETY's own release, not PEcAn's.
    expect(byName("pecan-bety-image").inputs.name).toBe("pecan/bety:5.4.1");
    expect(byName("pecan-init-db-image").inputs.name).toBe("pecan/db:5.4.1");
    for (const [svc, image] of [["docs", "docs"], ["monitor", "monitor"], ["dbsync", "shiny-dbsync"], ["load-data", "data"]]) {
      expect(byName(`pecan-${svc}-image`).inputs.name).toBe(`pecan/${image}:1.8.0`);
    }
  });

  test("the back end is internal; the front proxy routes /pecan/, /bety/ and /api/ by path, over an internal edge network, to the ports the images listen on", async () => {
    await deploy();
    expect(byName("pecan-backend-network").inputs.internal).toBe(true);
    expect(byName("pecan-edge-network").inputs.internal).toBe(true);
    expect(byName("pecan-public-network").inputs.internal).toBeFalsy();
    const nets = Object.fromEntries(ofType(CONTAINER).map((c) => [short(c.inputs.name), c.inputs.networksAdvanced.map((n: { name: string }) => short(n.name))]));
    const routed = ["bety", "web", "api", "docs", "monitor", "dbsync"];
    for (const [svc, list] of Object.entries(nets)) {
      expect([svc, list]).toEqual([svc, svc === "front-proxy" ? ["public", "edge"] : routed.includes(svc) ? ["backend", "edge"] : ["backend"]]);
    }
    const labels = (svc: string) => Object.fromEntries((byName(`pecan-${svc}-container`).inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));
    expect(labels("web")).toMatchObject({ "traefik.http.routers.web-80.rule": "PathPrefix(`/pecan/`)", "traefik.http.services.web-80.loadbalancer.server.port": "8080" });
    // / is PEcAn's home page (pecan/docs), the route every path no other route takes falls to.
    expect(labels("docs")).toMatchObject({ "traefik.http.routers.docs-80.rule": "PathPrefix(`/`)", "traefik.http.services.docs-80.loadbalancer.server.port": "80" });
    expect(labels("web")["traefik.http.routers.web-80-root.rule"]).toBeUndefined();
    // The monitor and the sync app serve at their root: the proxy strips their prefix, as PEcAn's labels do.
    expect(labels("monitor")).toMatchObject({
      "traefik.http.routers.monitor-80.rule": "PathPrefix(`/monitor/`)", "traefik.http.services.monitor-80.loadbalancer.server.port": "9999",
      "traefik.http.routers.monitor-80.middlewares": "monitor-retry,monitor-80-strip", "traefik.http.middlewares.monitor-80-strip.stripprefix.prefixes": "/monitor",
    });
    expect(labels("dbsync")).toMatchObject({ "traefik.http.services.dbsync-80.loadbalancer.server.port": "3838", "traefik.http.middlewares.dbsync-80-strip.stripprefix.prefixes": "/dbsync" });
    expect(labels("bety")).toMatchObject({ "traefik.http.routers.bety-80.rule": "PathPrefix(`/bety/`)", "traefik.http.services.bety-80.loadbalancer.server.port": "8000" });
    expect(labels("api")).toMatchObject({ "traefik.http.routers.api-80.rule": "PathPrefix(`/api/`)", "traefik.http.services.api-80.loadbalancer.server.port": "8000" });
  });

  test("without a front proxy, routing by path is refused in one line", async () => {
    reset();
    await expect(deployForTest(pecan, {})).rejects.toThrow("pecan.services.api.ports.path: routing by path needs the app's front proxy (allowed: give AppStack a frontProxyImage, as the program does from appstacks:proxyImage)");
  });

  test("health-gated order: pecan/db, BETY's fix, each first user, then the services; health checks use the images' own tools", async () => {
    await deploy({ firstUsers: { carya: 1, guest: 4 } });
    expect(await dependsOn("init-db")).toEqual(["postgres"]);
    expect(await dependsOn("init-machine")).toEqual(["init-db"]);
    for (const job of ["init-user-carya", "init-user-guest"]) expect(await dependsOn(job)).toEqual(["init-machine"]);
    expect(await dependsOn("bety")).toEqual(["init-user-carya", "init-user-guest"]);
    // PEcAn's data loader runs after the users, before the web tier.
    expect(await dependsOn("load-data")).toEqual(["init-user-carya", "init-user-guest"]);
    expect(byName("pecan-load-data-container").inputs).toMatchObject({ attach: true, restart: "no" });
    for (const svc of ["web", "api"]) expect(await dependsOn(svc)).toEqual(["load-data", "postgres", "rabbitmq"]);
    expect(await dependsOn("monitor")).toEqual(["load-data", "rabbitmq"]);
    expect(await dependsOn("dbsync")).toEqual(["load-data"]);
    // A shell-form CMD leaves /bin/sh as PID 1, deaf to SIGTERM: Docker's init passes the stop on.
    for (const svc of ["monitor", "dbsync"]) expect(byName(`pecan-${svc}-container`).inputs.init).toBe(true);
    for (const svc of ["web", "bety", "load-data", "init-db"]) expect(byName(`pecan-${svc}-container`).inputs.init).toBeUndefined();
    for (const svc of ["executor", "runner-sipnet"]) expect(await dependsOn(svc)).toEqual(["rabbitmq"]);
    for (const svc of ["postgres", "rabbitmq", "executor", "runner-sipnet", "front-proxy"]) expect(byName(`pecan-${svc}-container`).inputs.wait).toBe(true);
    // Routed by the front proxy: they roll out, gated by the provider on their ready check.
    for (const svc of ["bety", "web", "api"]) expect(byName(`pecan-${svc}-container`).inputs.labels).toContainEqual({ label: "appstacks.rollout", value: "start-first" });
    for (const job of ["init-db", "init-machine", "init-user-carya"]) expect(byName(`pecan-${job}-container`).inputs).toMatchObject({ attach: true, restart: "no" });
    const test = (svc: string) => byName(`pecan-${svc}-container`).inputs.healthcheck?.tests
      ?? JSON.parse((byName(`pecan-${svc}-container`).inputs.labels as { label: string; value: string }[]).find((l) => l.label === "appstacks.ready-check")!.value).test;
    expect(test("web")).toEqual(["CMD", "curl", "-fsS", "-o", "/dev/null", "-m", "4", "http://127.0.0.1:8080/pecan/"]);
    expect(test("api")).toContain("http://127.0.0.1:8000/api/ping");
    expect(test("executor")[1]).toBe("grep");
  });

  test("credentials reach PEcAn's images as variables set from files by the wrapper; the configuration holds names and paths only", async () => {
    await deploy();
    const brokerConf = uploads("rabbitmq")["/etc/rabbitmq/conf.d/10-appstacks.conf"];
    const brokerPassword = /default_pass = (\S+)/.exec(brokerConf)![1];
    const betyPassword = uploads("bety")["/run/secrets/db-password"];
    for (const svc of ["web", "api", "executor", "runner-sipnet"]) {
      expect(uploads(svc)["/run/secrets/rabbitmq-uri"]).toBe(`amqp://pecan:${brokerPassword}@rabbitmq:5672/%2F`);
      expect(envOf(svc).APPSTACKS_ENV_FROM_FILES).toContain("RABBITMQ_URI=/run/secrets/rabbitmq-uri");
      expect(uploads(svc)["/run/appstacks/env-from-files"]).toContain('exec "$@"');
      expect(byName(`pecan-${svc}-container`).inputs.uploads[pulumi.runtime.specialSigKey]).toBe(pulumi.runtime.specialSecretSig);
      const config = JSON.stringify([byName(`pecan-${svc}-container`).inputs.envs, byName(`pecan-${svc}-container`).inputs.command, byName(`pecan-${svc}-container`).inputs.entrypoints]);
      expect(config).not.toContain(brokerPassword);
      expect(config).not.toContain(betyPassword);
    }
    // The wrapper runs each image's own entrypoint and command.
    expect(byName("pecan-web-container").inputs.entrypoints).toEqual(["/bin/sh", "/run/appstacks/env-from-files", "docker-php-entrypoint"]);
    expect(byName("pecan-web-container").inputs.command).toEqual(["apache2-foreground"]);
    expect(byName("pecan-bety-container").inputs.entrypoints).toEqual(["/bin/sh", "/run/appstacks/env-from-files", "/home/bety/docker/entrypoint.sh"]);
    expect(byName("pecan-bety-container").inputs.command).toEqual(["unicorn"]);
    expect(envOf("web")).toMatchObject({ BETYUSER: "bety", BETYDATABASE: "bety", PGHOST: "postgres", APPSTACKS_ENV_FROM_FILES: "BETYPASSWORD=/run/secrets/db-password RABBITMQ_URI=/run/secrets/rabbitmq-uri SECRET_KEY_BASE=/run/secrets/bety-secret-key" });
    expect(envOf("api")).toMatchObject({ PGUSER: "bety", PGDATABASE: "bety", AUTH_REQ: "FALSE" });
    expect(envOf("api").APPSTACKS_ENV_FROM_FILES).toContain("PGPASSWORD=/run/secrets/db-password");
    // pecan/db loads the schema as the superuser: the image's POSTGRES_USER, database left to the image.
    expect(envOf("postgres")).toEqual({ POSTGRES_PASSWORD_FILE: "/run/secrets/postgres-password", POSTGRES_USER: "postgres" });
    expect(envOf("init-db")).toMatchObject({ PGUSER: "postgres", PGDATABASE: "postgres", BETYUSER: "bety", APPSTACKS_ENV_FROM_FILES: "BETYPASSWORD=/run/secrets/db-password PGPASSWORD=/run/secrets/postgres-password" });
    expect(uploads("init-db")["/run/secrets/postgres-password"]).toBe(uploads("postgres")["/run/secrets/postgres-password"]);
    // BETY's `user` takes the password as an argument: the command names the variable, never the value.
    expect(byName("pecan-init-user-carya-container").inputs.command).toEqual(["bash", "-c", 'exec /home/bety/docker/entrypoint.sh user carya "$FIRST_USER_PASSWORD" carya carya@localhost 1 1']);
  });

  test("machine id and sync peers reach BETY as LOCAL_SERVER and REMOTE_SERVERS", async () => {
    await deploy({ machineId: 42, syncPeers: [7, 9] });
    expect(byName("pecan-init-machine-container").inputs.command).toEqual(["fix"]);
    for (const svc of ["init-machine", "bety"]) expect(envOf(svc).LOCAL_SERVER).toBe("42");
    expect(envOf("bety").REMOTE_SERVERS).toBe("7 9");
    expect(envOf("bety").RAILS_RELATIVE_URL_ROOT).toBe("/bety");
  });

  test("without a machine id each instance gets its own, stable one", () => {
    const dev = defaultMachineId({ project: "appstacks", stack: "dev" });
    expect(defaultMachineId({ project: "appstacks", stack: "dev" })).toBe(dev);
    expect(defaultMachineId({ project: "appstacks", stack: "prod" })).not.toBe(dev);
    expect(dev).toBeGreaterThanOrEqual(100);
    expect(dev).toBeLessThan(10000);
  });

  test("database, broker and runs volumes are kept on destroy by default, and only then", async () => {
    await deploy();
    for (const v of ["postgres", "rabbitmq", "runs"]) expect(options.get(`pecan-${v}-volume`)?.retainOnDelete).toBe(true);
    for (const svc of ["web", "api", "executor", "runner-sipnet"]) expect(byName(`pecan-${svc}-container`).inputs.volumes).toEqual([expect.objectContaining({ containerPath: "/data" })]);
    await deploy({ keepDataOnDestroy: false });
    for (const v of ["postgres", "rabbitmq", "runs"]) expect(options.get(`pecan-${v}-volume`)?.retainOnDelete).toBe(false);
  });

  test("host name, HTTPS and the instance's names: every route by Host and path on both ports, TLS ended by the proxy; FQDN and NAME reach the images", async () => {
    await deploy({ host: "pecan.example.org", tlsPort: 443, fqdn: "pecan.example.org", name: "Illinois" });
    expect(byName("pecan-front-proxy-container").inputs.ports.map((p: { internal: number; external: number }) => `${p.external}->${p.internal}`)).toEqual(["80->80", "443->81"]);
    const labels = (svc: string) => Object.fromEntries((byName(`pecan-${svc}-container`).inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));
    expect(labels("web")).toMatchObject({
      "traefik.http.routers.web-80.rule": "Host(`pecan.example.org`) && PathPrefix(`/pecan/`)",
      "traefik.http.routers.web-443.rule": "Host(`pecan.example.org`) && PathPrefix(`/pecan/`)",
      "traefik.http.routers.web-443.tls": "true", "traefik.http.routers.web-443.entrypoints": "port443",
    });
    expect(labels("web")["traefik.http.routers.web-80.tls"]).toBeUndefined();
    expect(labels("docs")["traefik.http.routers.docs-443.rule"]).toBe("Host(`pecan.example.org`) && PathPrefix(`/`)");
    expect(envOf("web")).toMatchObject({ FQDN: "pecan.example.org", NAME: "Illinois" });
    for (const svc of ["executor", "monitor", "load-data"]) expect(envOf(svc).FQDN).toBe("pecan.example.org");
    await deploy();
    expect(envOf("web")).toMatchObject({ FQDN: "docker", NAME: "dev" });
    expect(() => pecan.settings.parse({ port: 8080, tlsPort: 8080 })).toThrow("a host port other than port's");
  });

  test("the data loader: pecan/data with FQDN, psql as BETY's role with its password from a file, the runs volume", async () => {
    await deploy();
    expect(envOf("load-data")).toMatchObject({ FQDN: "docker", PSQL: "psql -U bety -h postgres -d bety -q -t -c", APPSTACKS_ENV_FROM_FILES: "PGPASSWORD=/run/secrets/db-password" });
    // The wrapper runs the image's own command (CMD bash /work/add-data.sh, in shell form).
    expect(byName("pecan-load-data-container").inputs.command).toEqual(["/bin/sh", "-c", "bash /work/add-data.sh"]);
    expect(byName("pecan-load-data-container").inputs.volumes).toEqual([expect.objectContaining({ containerPath: "/data" })]);
  });

  test("RStudio on request: pecan/base's rstudio.sh behind /rstudio/ with its root path, its password a secret the user sets", async () => {
    await deploy();
    expect(ofType(CONTAINER).map((c) => short(c.inputs.name))).not.toContain("rstudio");
    reset();
    await expect(deployForTest(pecan, { settings: { rstudio: true }, frontProxyImage: PROXY_IMAGE })).rejects.toThrow(
      "appstacks:pecanRstudioPassword: not set (allowed: RStudio's password, set with pulumi config set --secret appstacks:pecanRstudioPassword < file; required by appstacks:pecan.rstudio true)");
    reset();
    await deployForTest(pecan, { settings: { rstudio: true, rstudioUser: "alice" }, frontProxyImage: PROXY_IMAGE, secrets: { pecanRstudioPassword: pulumi.secret("r-studio-pass") } });
    expect(byName("pecan-rstudio-image").inputs.name).toBe("pecan/base:1.8.0");
    expect(byName("pecan-rstudio-container").inputs.command).toEqual(["/work/rstudio.sh"]);
    expect(envOf("rstudio")).toMatchObject({ USER: "alice", KEEP_ENV: "RABBITMQ_URI FQDN NAME", APPSTACKS_ENV_FROM_FILES: "PASSWORD=/run/secrets/rstudio-password RABBITMQ_URI=/run/secrets/rabbitmq-uri" });
    expect(uploads("rstudio")["/run/secrets/rstudio-password"]).toBe("r-studio-pass");
    expect(JSON.stringify(byName("pecan-rstudio-container").inputs.envs)).not.toContain("r-studio-pass");
    const labels = Object.fromEntries((byName("pecan-rstudio-container").inputs.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));
    expect(labels).toMatchObject({
      "traefik.http.routers.rstudio-80.middlewares": "rstudio-retry,rstudio-80-strip,rstudio-80-headers",
      "traefik.http.middlewares.rstudio-80-headers.headers.customrequestheaders.X-RStudio-Root-Path": "/rstudio",
      "traefik.http.services.rstudio-80.loadbalancer.server.port": "8787",
    });
    expect(options.get("pecan-rstudio-volume")?.retainOnDelete).toBe(true);
    expect(await dependsOn("rstudio")).toEqual(["load-data", "rabbitmq"]);
  });

  test("the proxy site renders exactly", () => {
    expect(pecanProxySite([{ path: "/pecan/", upstream: "web:8080" }, { path: "/api/", upstream: "api:8000" }])).toMatchSnapshot();
  });
});

