import * as pulumi from "@pulumi/pulumi";
import { installMocks, reset, valueOf, ofType, byName, options, dependsOnNames, uploads, deployForTest } from "./mocks";
import { portal as portalApp } from "../../stacks/portal";
import { nginxSite } from "../../stacks/portal-nginx";
import { loadConfig } from "../../stacks/registry";

installMocks();
const CONTAINER = "docker:index/container:Container";
const TLS = { certificate: pulumi.secret("-----BEGIN CERTIFICATE-----\ncert"), key: pulumi.secret("-----BEGIN PRIVATE KEY-----\nkey") };

/** Settings as a user writes them; tls as the certificate and key config secrets (and tls: true). */
async function deploy(extra: Record<string, unknown> & { tls?: typeof TLS; mongoRootPassword?: pulumi.Output<string>; keepDataOnDestroy?: boolean; imageOverrides?: Record<string, string> } = {}) {
  reset();
  const { tls, mongoRootPassword, keepDataOnDestroy, imageOverrides, ...settings } = extra;
  const portal = await deployForTest(portalApp, {
    settings: { ...settings, ...(tls ? { tls: true } : {}) }, keepDataOnDestroy, imageOverrides,
    secrets: { ...(tls ? { portalTlsCertificate: tls.certificate, portalTlsKey: tls.key } : {}), ...(mongoRootPassword ? { portalMongoRootPassword: mongoRootPassword } : {}) },
  });
  return { portal, url: await valueOf(portal.urls.portal) };
}


const networksOf = (svc: string) => byName(`portal-${svc}-container`).inputs.networksAdvanced.map((n: { name: string }) => n.name);

const dependencies = (svc: string) => dependsOnNames(`portal-${svc}-container`, "portal");

describe("Portal stack", () => {
  test("five services from the official images and the app built from apps/portal", async () => {
    await deploy();
    expect(ofType(CONTAINER).map((c) => c.inputs.name).sort()).toEqual([
      "appstacks-dev-portal-app", "appstacks-dev-portal-ingest", "appstacks-dev-portal-mongo", "appstacks-dev-portal-nginx", "appstacks-dev-portal-scheduler",
    ]);
    const images = ofType("docker:index/remoteImage:RemoteImage").map((i) => i.inputs.name).sort();
    expect(images).toEqual(["appstacks-dev-portal-portal:built", "mongo:7.0", "nginx:1.27"]);
    expect(byName("portal-portal-image").inputs.build.context).toBe("apps/portal");
  });

  test("only nginx is published, on 80 by default; the URL says where", async () => {
    const { url } = await deploy();
    const published = ofType(CONTAINER).filter((c) => (c.inputs.ports ?? []).length > 0);
    expect(published.map((c) => [c.inputs.name, c.inputs.ports])).toEqual([
      ["appstacks-dev-portal-nginx", [{ internal: 80, external: 80, ip: "0.0.0.0" }]],
    ]);
    expect(url).toBe("http://localhost:80/");
  });

  test("443 is published only with a certificate, and the URL becomes https", async () => {
    const { url } = await deploy({ tls: TLS, httpPort: 8088, httpsPort: 8443 });
    expect(byName("portal-nginx-container").inputs.ports).toEqual([
      { internal: 80, external: 8088, ip: "0.0.0.0" }, { internal: 443, external: 8443, ip: "0.0.0.0" },
    ]);
    expect(url).toBe("https://localhost:8443/");
    const files = uploads("portal-nginx-container");
    expect(files["/run/secrets/tls-certificate"]).toContain("BEGIN CERTIFICATE");
    expect(files["/run/secrets/tls-key"]).toContain("BEGIN PRIVATE KEY");
    expect(files["/etc/nginx/conf.d/default.conf"]).toContain("ssl_certificate_key /run/secrets/tls-key;");
    // The key travels only inside the secret upload list, never in an env value.
    expect(JSON.stringify(byName("portal-nginx-container").inputs.envs)).not.toContain("PRIVATE KEY");
  });

  test("app and MongoDB are only on the internal network; nginx bridges; the ingest may reach out", async () => {
    await deploy();
    expect(byName("portal-backend-network").inputs).toMatchObject({ name: "appstacks-dev-portal-backend", internal: true });
    expect(byName("portal-frontend-network").inputs).toMatchObject({ name: "appstacks-dev-portal-frontend", internal: false });
    expect(networksOf("mongo")).toEqual(["appstacks-dev-portal-backend"]);
    expect(networksOf("app")).toEqual(["appstacks-dev-portal-backend"]);
    expect(networksOf("nginx")).toEqual(["appstacks-dev-portal-frontend", "appstacks-dev-portal-backend"]);
    expect(networksOf("ingest")).toEqual(["appstacks-dev-portal-backend", "appstacks-dev-portal-frontend"]);
  });

  test("MongoDB credentials reach every container as files, never as environment values", async () => {
    await deploy({ mongoRootPassword: pulumi.secret("from-config-pw") });
    for (const c of ofType(CONTAINER)) expect(JSON.stringify(c.inputs.envs)).not.toContain("from-config-pw");
    expect(byName("portal-mongo-container").inputs.envs).toEqual([
      "MONGO_INITDB_ROOT_PASSWORD_FILE=/run/secrets/mongo-root-password", "MONGO_INITDB_ROOT_USERNAME_FILE=/run/secrets/mongo-root-username",
    ]);
    expect(byName("portal-mongo-container").inputs.uploads).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: [
        { file: "/run/secrets/mongo-root-username", content: "root", permissions: "0444" },
        { file: "/run/secrets/mongo-root-password", content: "from-config-pw", permissions: "0444" },
      ],
    });
    for (const svc of ["app", "ingest", "scheduler"]) {
      expect(byName(`portal-${svc}-container`).inputs.envs).toEqual(expect.arrayContaining([
        "MONGO_PASSWORD_FILE=/run/secrets/mongo-root-password", "MONGO_USERNAME_FILE=/run/secrets/mongo-root-username",
      ]));
      expect(uploads(`portal-${svc}-container`)["/run/secrets/mongo-root-password"]).toBe("from-config-pw");
    }
    // nginx never sees the database credentials.
    expect(Object.keys(uploads("portal-nginx-container"))).toEqual(["/etc/nginx/conf.d/default.conf"]);
  });

  test("the data volume is retained on destroy unless keepDataOnDestroy is false", async () => {
    await deploy();
    expect(byName("portal-mongodata-volume").inputs.name).toBe("appstacks-dev-portal-mongodata");
    expect(options.get("portal-mongodata-volume")?.retainOnDelete).toBe(true);
    expect(byName("portal-mongo-container").inputs.volumes).toEqual([
      { volumeName: "appstacks-dev-portal-mongodata", containerPath: "/data/db", readOnly: false },
    ]);
    await deploy({ keepDataOnDestroy: false });
    expect(options.get("portal-mongodata-volume")?.retainOnDelete).toBe(false);
  });

  test("gating: ingest job after a healthy MongoDB; app and scheduler after the ingest; nginx after the app", async () => {
    await deploy();
    expect(await dependencies("mongo")).toEqual([]);
    expect(await dependencies("ingest")).toEqual(["mongo"]);
    expect(await dependencies("app")).toEqual(["ingest"]);
    expect(await dependencies("scheduler")).toEqual(["ingest"]);
    expect(await dependencies("nginx")).toEqual(["app"]);
    const ingest = byName("portal-ingest-container").inputs;
    expect(ingest).toMatchObject({ attach: true, mustRun: false, restart: "no", command: ["python3", "-m", "portal.ingest"] });
    for (const svc of ["mongo", "app", "scheduler", "nginx"]) {
      expect([svc, byName(`portal-${svc}-container`).inputs.wait]).toEqual([svc, true]);
    }
  });

  test("the scheduler runs the ingest on the configured interval (the seed's 24 hours by default)", async () => {
    await deploy();
    expect(byName("portal-scheduler-container").inputs.envs).toContain("INGEST_INTERVAL_SECONDS=86400");
    await deploy({ ingestIntervalSeconds: 3600 });
    expect(byName("portal-scheduler-container").inputs.envs).toContain("INGEST_INTERVAL_SECONDS=3600");
  });

  test("image overrides swap in the stand-ins without changing the stack", async () => {
    await deploy({ imageOverrides: { mongo: "appstacks/mongo:local", nginx: "appstacks/nginx:local", debian: "appstacks/base:bookworm" } });
    const images = ofType("docker:index/remoteImage:RemoteImage").map((i) => i.inputs.name).sort();
    expect(images).toEqual(["appstacks-dev-portal-portal:built", "appstacks/mongo:local", "appstacks/nginx:local"]);
    expect(byName("portal-portal-image").inputs.build.buildArgs).toEqual({ BASE_IMAGE: "appstacks/base:bookworm" });
  });
});

describe("portal nginx site", () => {
  test("without TLS: port 80 proxies to the app, re-resolving it through Docker's DNS", () => {
    const conf = nginxSite({ upstream: "app:8080" });
    expect(conf).toContain("listen 80;");
    expect(conf).not.toContain("443");
    expect(conf).toContain("resolver 127.0.0.11");
    expect(conf).toContain("set $app http://app:8080;");
  });

  test("with TLS: HTTPS on 443, port 80 redirects to the published port but keeps /healthz", () => {
    const conf = nginxSite({ upstream: "app:8080", tls: { certificatePath: "/run/secrets/c", keyPath: "/run/secrets/k", publishedHttpsPort: 8443 } });
    expect(conf).toContain("listen 443 ssl;");
    expect(conf).toContain("return 301 https://$host:8443$request_uri;");
    expect(conf).toContain("location = /healthz {");
    expect(nginxSite({ upstream: "app:8080", tls: { certificatePath: "c", keyPath: "k", publishedHttpsPort: 443 } })).toContain("return 301 https://$host$request_uri;");
  });
});

describe("portal config", () => {
  const parse = (portal: unknown, apps = ["portal"]) => loadConfig("appstacks", { apps, portal });

  test("defaults are the seed's and the official images", () => {
    expect(parse(undefined).portal).toEqual({
      httpPort: 80, httpsPort: 443, tls: false, ingestIntervalSeconds: 86400, database: "portal", mongoRootUser: "root",
      buildContext: "apps/portal", mongoImage: "mongo:7.0", nginxImage: "nginx:1.27", baseImage: "debian:bookworm-slim", dbMemoryMb: 512,
    });
  });

  test("its published ports take part in the cross-app clash check; 443 only with tls", () => {
    expect(() => parse({ httpPort: 8000 }, ["biostar", "portal"])).toThrow(
      "appstacks:portal.httpPort: 8000 is already published by appstacks:biostar.port (allowed: a host port no other app uses)");
    expect(() => parse({ httpsPort: 8000 }, ["biostar", "portal"])).not.toThrow();
    expect(() => parse({ httpsPort: 8000, tls: true }, ["biostar", "portal"])).toThrow(/^appstacks:portal\.httpsPort: 8000 is already published/);
  });
});
