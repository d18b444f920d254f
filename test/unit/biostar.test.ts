import * as pulumi from "@pulumi/pulumi";
import { installMocks, reset, valueOf, ofType, byName, options, dependsOnNames, deployForTest, uploads, PROXY_IMAGE } from "./mocks";
import { biostar as biostarApp, biostarSettings, biostarSpec } from "../../stacks/biostar";
import { AppSecret } from "../../components/secret";

installMocks();

const CONTAINER = "docker:index/container:Container";

/** Settings as a user writes them; dbPassword, secretSeed and keepDataOnDestroy as the program passes them. */
async function deploy(extra: Record<string, unknown> & { dbPassword?: pulumi.Output<string>; secretSeed?: pulumi.Output<string>; keepDataOnDestroy?: boolean; frontProxyImage?: string } = {}) {
  reset();
  const { dbPassword, secretSeed, keepDataOnDestroy, frontProxyImage, ...settings } = extra;
  const biostar = await deployForTest(biostarApp, {
    settings, secretSeed, keepDataOnDestroy, frontProxyImage,
    secrets: dbPassword ? { biostarDbPassword: dbPassword } : {},
    imageOverrides: { postgres: "appstacks/postgres:local", debian: "appstacks/base:bookworm" },
  });
  return { biostar, url: await valueOf(biostar.urls.biostar) };
}

describe("Biostar stack", () => {
  test("creates exactly its networks, volume, secrets, images and containers", async () => {
    await deploy();
    const count = (t: string) => ofType(t).length;
    expect(count("docker:index/network:Network")).toBe(2);
    expect(count("docker:index/volume:Volume")).toBe(1);
    expect(count("random:index/randomPassword:RandomPassword")).toBe(2);
    expect(count("docker:index/remoteImage:RemoteImage")).toBe(2);
    expect(ofType(CONTAINER).map((c) => c.inputs.name).sort()).toEqual([
      "appstacks-dev-biostar-db", "appstacks-dev-biostar-init", "appstacks-dev-biostar-migrate", "appstacks-dev-biostar-web",
    ]);
  });

  test("only the web app is published, on the configured port; the URL says where", async () => {
    const { url } = await deploy({ port: 18000 });
    const published = ofType(CONTAINER).filter((c) => (c.inputs.ports ?? []).length > 0);
    expect(published.map((c) => [c.inputs.name, c.inputs.ports])).toEqual([
      ["appstacks-dev-biostar-web", [{ internal: 8000, external: 18000, ip: "0.0.0.0" }]],
    ]);
    expect(url).toBe("http://localhost:18000/");
  });

  test("the database is only on the internal back-end network", async () => {
    await deploy();
    expect(byName("biostar-backend-network").inputs).toMatchObject({ name: "appstacks-dev-biostar-backend", internal: true });
    expect(byName("biostar-frontend-network").inputs).toMatchObject({ name: "appstacks-dev-biostar-frontend", internal: false });
    expect(byName("biostar-db-container").inputs.networksAdvanced).toEqual([{ name: "appstacks-dev-biostar-backend", aliases: ["db"] }]);
    expect(byName("biostar-web-container").inputs.networksAdvanced.map((n: { name: string }) => n.name)).toEqual([
      "appstacks-dev-biostar-backend", "appstacks-dev-biostar-frontend",
    ]);
  });

  test("credentials reach containers as files, never as environment values", async () => {
    await deploy({ dbPassword: pulumi.secret("from-config-pw") });
    for (const c of ofType(CONTAINER)) {
      expect(JSON.stringify(c.inputs.envs)).not.toMatch(/from-config-pw|generated-/);
    }
    const db = byName("biostar-db-container").inputs;
    expect(db.envs).toEqual(["POSTGRES_DB=biostar", "POSTGRES_PASSWORD_FILE=/run/secrets/db-password", "POSTGRES_USER=biostar"]);
    // The whole upload list reaches the engine as a secret (encrypted in state, masked in previews).
    expect(db.uploads).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: [{ file: "/run/secrets/db-password", content: "from-config-pw", permissions: "0444" }],
    });
    expect(byName("biostar-web-container").inputs.envs).toContain("DATABASE_PASSWORD_FILE=/run/secrets/db-password");
  });

  test("start order is gated: db healthy, then migrate, then init, then web", async () => {
    await deploy();
    const depNames = (svc: string) => dependsOnNames(`biostar-${svc}-container`);
    expect(await depNames("db")).toEqual([]);
    expect(await depNames("migrate")).toEqual(["biostar-db-container"]);
    expect(await depNames("init")).toEqual(["biostar-migrate-container"]);
    expect(await depNames("web")).toEqual(["biostar-init-container"]);
    const db = byName("biostar-db-container").inputs;
    expect(db).toMatchObject({ wait: true, mustRun: true, restart: "unless-stopped" });
    expect(db.healthcheck.tests).toEqual(["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "biostar", "-d", "biostar"]);
    expect(byName("biostar-migrate-container").inputs).toMatchObject({ attach: true, mustRun: false, restart: "no", wait: false, command: ["python3", "manage.py", "migrate", "--noinput"] });
    expect(byName("biostar-init-container").inputs.command).toEqual(["python3", "manage.py", "init_site"]);
  });

  test("with a secret seed, credentials are derived (no random resource), so they survive destroy", async () => {
    await deploy({ secretSeed: pulumi.secret("0123456789abcdef0123456789abcdef") });
    expect(ofType("random:index/randomPassword:RandomPassword")).toHaveLength(0);
    const uploaded = byName("biostar-db-container").inputs.uploads.value[0].content as string;
    expect(uploaded).toMatch(/^[A-Za-z0-9]{32}$/);
    await deploy({ secretSeed: pulumi.secret("0123456789abcdef0123456789abcdef") });
    expect(byName("biostar-db-container").inputs.uploads.value[0].content).toBe(uploaded);
    // Derived from the seed, not a constant: another seed, another password.
    await deploy({ secretSeed: pulumi.secret("fedcba9876543210fedcba9876543210") });
    expect(byName("biostar-db-container").inputs.uploads.value[0].content).not.toBe(uploaded);
  });

  test("generated credentials are secret outputs", async () => {
    reset();
    expect(await pulumi.isSecret(new AppSecret("generated", {}).value)).toBe(true);
    expect(await pulumi.isSecret(new AppSecret("derived", { seed: "0123456789abcdef0123456789abcdef" }).value)).toBe(true);
    expect(await pulumi.isSecret(new AppSecret("given", { value: "plain-from-config" }).value)).toBe(true);
  });

  test("the data volume is retained on destroy by default, and dropped only when asked", async () => {
    await deploy();
    expect(options.get("biostar-pgdata-volume")?.retainOnDelete).toBe(true);
    await deploy({ keepDataOnDestroy: false });
    expect(options.get("biostar-pgdata-volume")?.retainOnDelete).toBe(false);
  });

  test("images: the override map picks the stand-ins; the web image is built once with the base image", async () => {
    await deploy();
    expect(byName("biostar-db-image").inputs).toMatchObject({ name: "appstacks/postgres:local", keepLocally: true });
    const web = byName("biostar-web-image").inputs;
    expect(web.name).toBe("appstacks-dev-biostar-web:built");
    expect(web.build).toMatchObject({ context: "apps/biostar", buildArgs: { BASE_IMAGE: "appstacks/base:bookworm" } });
    expect(web.triggers.context).toMatch(/^[0-9a-f]{64}$/);
    expect(ofType(CONTAINER).filter((c) => c.inputs.image === "sha256:biostar-web-image")).toHaveLength(3);
  });

  test("every Docker object is labelled with project, stack, app (and service)", async () => {
    await deploy();
    expect(byName("biostar-web-container").inputs.labels).toEqual([
      { label: "appstacks.app", value: "biostar" },
      { label: "appstacks.project", value: "appstacks" },
      { label: "appstacks.service", value: "web" },
      { label: "appstacks.stack", value: "dev" },
    ]);
    for (const t of ["docker:index/network:Network", "docker:index/volume:Volume"]) {
      for (const r of ofType(t)) expect(r.inputs.labels).toContainEqual({ label: "appstacks.stack", value: "dev" });
    }
  });
});

describe("Biostar's production profile", () => {
  const ctx = { scope: { project: "appstacks", stack: "dev", app: "biostar" }, keepDataOnDestroy: true, imageOverrides: {} };
  const services = (settings: Record<string, unknown>) => biostarSpec(biostarSettings.parse(settings), ctx).services;

  test("dev is the default and exactly today's stack: four services, the web app's own CMD on the published port", () => {
    expect(services({ profile: "dev" })).toEqual(services({}));
    const dev = services({});
    expect(Object.keys(dev)).toEqual(["db", "migrate", "init", "web"]);
    expect(dev.web.command).toBeUndefined();
    expect(dev.web.ports).toEqual([{ internal: 8000, external: 8000, setting: "port", http: true }]);
    expect(dev.web.env).toEqual({ DATABASE_HOST: "db", DATABASE_NAME: "biostar", DATABASE_USER: "biostar", SITE_NAME: "Biostar", DJANGO_DEBUG: "0" });
    expect(dev.web.volumes).toBeUndefined();
  });

  test("a profile other than dev or production is refused with one line", () => {
    expect(() => biostarSettings.parse({ profile: "prod" })).toThrow("one of dev, production");
  });

  test("runs nginx, gunicorn, a celery worker with redis and the index job beside the database and jobs", async () => {
    await deploy({ profile: "production" });
    expect(ofType(CONTAINER).map((c) => c.inputs.name).sort()).toEqual([
      "appstacks-dev-biostar-db", "appstacks-dev-biostar-index", "appstacks-dev-biostar-init", "appstacks-dev-biostar-migrate",
      "appstacks-dev-biostar-nginx", "appstacks-dev-biostar-redis", "appstacks-dev-biostar-web", "appstacks-dev-biostar-worker",
    ]);
    expect(byName("biostar-web-container").inputs.command).toEqual([
      "gunicorn", "--bind=0.0.0.0:8000", "--workers=2", "--graceful-timeout=8", "--forwarded-allow-ips=*", "--access-logfile=-", "biostar.wsgi:application",
    ]);
    expect(byName("biostar-worker-container").inputs.command).toEqual(["python3", "-m", "celery", "-A", "biostar", "worker", "--loglevel=INFO", "--concurrency=1"]);
    expect(byName("biostar-index-container").inputs).toMatchObject({ command: ["python3", "manage.py", "build_index"], restart: "no", attach: true });
    // nginx proxies everything to the app server on the internal network, resolved per request.
    expect(uploads("biostar-nginx-container")["/etc/nginx/conf.d/default.conf"]).toContain("        set $app http://web:8000;\n        proxy_pass $app;");
  });

  test("only nginx publishes, on biostar.port; the app server is on the internal network only", async () => {
    const { url } = await deploy({ profile: "production", port: 18000 });
    const published = ofType(CONTAINER).filter((c) => (c.inputs.ports ?? []).length > 0);
    expect(published.map((c) => [c.inputs.name, c.inputs.ports])).toEqual([
      ["appstacks-dev-biostar-nginx", [{ internal: 80, external: 18000, ip: "0.0.0.0" }]],
    ]);
    expect(url).toBe("http://localhost:18000/");
    const nets = (svc: string) => byName(`biostar-${svc}-container`).inputs.networksAdvanced.map((n: { name: string }) => n.name);
    for (const svc of ["web", "worker", "redis", "index"]) expect(nets(svc)).toEqual(["appstacks-dev-biostar-backend"]);
    expect(nets("nginx")).toEqual(["appstacks-dev-biostar-frontend", "appstacks-dev-biostar-backend"]);
  });

  test("behind the front proxy, the proxy alone holds the host port and nginx rolls out behind it", async () => {
    await deploy({ profile: "production", port: 18000, frontProxyImage: PROXY_IMAGE });
    const published = ofType(CONTAINER).filter((c) => (c.inputs.ports ?? []).length > 0);
    expect(published.map((c) => c.inputs.name)).toEqual(["appstacks-dev-biostar-front-proxy"]);
    expect(published[0].inputs.ports).toEqual([expect.objectContaining({ external: 18000 })]);
  });

  test("the worker and the web app share the broker URL; redis answers as redis on the back end", async () => {
    await deploy({ profile: "production" });
    for (const svc of ["worker", "web"]) {
      expect(byName(`biostar-${svc}-container`).inputs.envs).toEqual(expect.arrayContaining(["CELERY_BROKER_URL=redis://redis:6379/0", "SEARCH_INDEX_DIR=/var/lib/biostar/search"]));
    }
    expect(byName("biostar-redis-container").inputs.networksAdvanced).toEqual([{ name: "appstacks-dev-biostar-backend", aliases: ["redis"] }]);
    expect(byName("biostar-redis-container").inputs.healthcheck.tests).toEqual(["CMD", "redis-cli", "ping"]);
  });

  test("start order: migrate, init, index, then the worker and web (with redis healthy), then nginx", async () => {
    await deploy({ profile: "production" });
    const deps = (svc: string) => dependsOnNames(`biostar-${svc}-container`, "biostar");
    expect(await deps("migrate")).toEqual(["db"]);
    expect(await deps("init")).toEqual(["migrate"]);
    expect(await deps("index")).toEqual(["init"]);
    expect(await deps("worker")).toEqual(["index", "redis"]);
    expect(await deps("web")).toEqual(["index", "redis"]);
    expect(await deps("nginx")).toEqual(["web"]);
  });

  test("every long-running service restarts unless stopped and has a health check; the jobs do not restart", async () => {
    await deploy({ profile: "production" });
    const running = ofType(CONTAINER).filter((c) => c.inputs.restart !== "no");
    expect(running.map((c) => c.inputs.name).sort()).toEqual(["db", "nginx", "redis", "web", "worker"].map((s) => `appstacks-dev-biostar-${s}`));
    for (const c of running) {
      expect(c.inputs.restart).toBe("unless-stopped");
      expect(c.inputs.healthcheck.tests.length).toBeGreaterThan(1);
    }
    // The worker serves no port: healthy while it holds its connection to redis (6379 = 0x18EB).
    expect(byName("biostar-worker-container").inputs.healthcheck.tests).toEqual(["CMD", "grep", "-qE", "^ *[0-9]+: [0-9A-F]+:[0-9A-F]{4} [0-9A-F]+:18EB 01 ", "/proc/net/tcp"]);
  });

  test("the search index volume is shared by the index job, the worker and web, and kept with the database", async () => {
    await deploy({ profile: "production" });
    const mount = [{ volumeName: "appstacks-dev-biostar-search", containerPath: "/var/lib/biostar/search", readOnly: false }];
    for (const svc of ["index", "worker", "web"]) expect(byName(`biostar-${svc}-container`).inputs.volumes).toEqual(mount);
    expect(options.get("biostar-search-volume")?.retainOnDelete).toBe(true);
    await deploy({ profile: "production", keepDataOnDestroy: false });
    expect(options.get("biostar-search-volume")?.retainOnDelete).toBe(false);
  });
});
