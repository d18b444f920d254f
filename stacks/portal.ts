// The open-source portal (seed 003): a Flask app behind nginx over WSGI, MongoDB, and the daily
// data ingest. The seed ran APScheduler inside the Flask process and MongoDB without credentials;
// here the ingest is its own job (once at deployment, gated on a healthy database, so the page has
// data) plus a scheduler container on a configurable interval, MongoDB requires authentication with
// credentials delivered as files, and only nginx is published. The same code deploys to the
// local engine (dev) and to an EC2 host (prod): it only uses the DockerHost it is given.
import { z } from "zod";
import { defineApp, SpecContext } from "../config/app-definition";
import { baseImage, bool, dbMemoryMb, imageRef, intRange, matching, nonEmpty, port } from "../config/schema";
import { AppSpec, HealthCheck, SecretUse } from "../components/app-spec";
import { bashHttpCheck, heartbeatCheck, pythonHttpCheck } from "../components/healthcheck";
import { resolveImageRef } from "../components/image-ref";
import { nginxSite } from "./portal-nginx";

export const portalSettings = z
  .object({
    httpPort: port.default(80).describe("host port nginx publishes HTTP on (the seed's 80)"),
    httpsPort: port.default(443).describe("host port nginx publishes HTTPS on, only with tls"),
    tls: bool.default(false).describe("serve HTTPS, port 80 redirecting to it; needs the secret keys appstacks:portalTlsCertificate and appstacks:portalTlsKey"),
    ingestIntervalSeconds: intRange(10, 2592000, "an integer number of seconds from 10 to 2592000").default(86400)
      .describe("seconds between scheduled ingests (the seed's 24 hours)"),
    database: matching(/^[A-Za-z0-9_-]{1,63}$/, "a MongoDB database name (letters, digits, _ and -)").default("portal").describe("the database the portal keeps its data in"),
    mongoRootUser: matching(/^[A-Za-z0-9_.-]{1,64}$/, "a user name (letters, digits, _ . -)").default("root").describe("MongoDB's root user, created on the first start of an empty volume"),
    buildContext: nonEmpty.default("apps/portal").describe("build context of the Flask app (apps/portal, or a checkout of the seed's backend/flask)"),
    mongoImage: imageRef.default("mongo:7.0").describe("the database image"),
    nginxImage: imageRef.default("nginx:1.27").describe("the web server image"),
    baseImage,
    dbMemoryMb: dbMemoryMb(512),
  })
  .strict();
export type PortalSettings = z.output<typeof portalSettings>;

/** The seed's Flask container listened on 8080 behind nginx. */
const APP_PORT = 8080;
const SECRETS = "/run/secrets";

/**
 * Healthy when a TCP connection to the container's own network address succeeds: mongod listens
 * there only once started for good (the official image's first-start initialisation runs a
 * temporary mongod on 127.0.0.1 only). Needs only bash, which both the official image and the
 * stand-in have; the official image's mongosh is not in the stand-in.
 */
const mongoListening: HealthCheck = {
  test: ["CMD", "bash", "-c", "set -- $(hostname -i) && exec 3<>/dev/tcp/$1/27017"],
  startPeriod: "5s",
};

/** Healthy when nginx answers /healthz with 200, i.e. it reaches a healthy app. */
const nginxProxying: HealthCheck = bashHttpCheck(80);

export function portalSpec(s: PortalSettings, ctx: SpecContext): AppSpec {
  const mongoCreds: SecretUse[] = [
    { secret: "mongo-root-username", pathEnv: "MONGO_USERNAME_FILE" },
    { secret: "mongo-root-password", pathEnv: "MONGO_PASSWORD_FILE" },
  ];
  const appEnv = { MONGO_HOST: "mongo", MONGO_PORT: "27017", MONGO_DATABASE: s.database };
  const tls = s.tls;
  const nginxTls = tls ? { certificatePath: `${SECRETS}/tls-certificate`, keyPath: `${SECRETS}/tls-key`, publishedHttpsPort: s.httpsPort } : undefined;
  return {
    // The app and the database have no route out and nothing published; nginx bridges the two.
    // The ingest is also on the front end: the seed's ingest fetched its data from REST APIs.
    networks: { backend: { internal: true }, frontend: {} },
    volumes: { mongodata: { keepOnDestroy: ctx.keepDataOnDestroy } },
    secrets: {
      "mongo-root-username": { value: s.mongoRootUser },
      "mongo-root-password": {},
      ...(tls ? { "tls-certificate": {}, "tls-key": {} } : {}),
    },
    images: {
      portal: { build: { context: s.buildContext, args: { BASE_IMAGE: resolveImageRef(s.baseImage, ctx.imageOverrides) } } },
    },
    services: {
      mongo: {
        memoryMb: s.dbMemoryMb,
        image: { ref: s.mongoImage },
        secrets: [
          { secret: "mongo-root-username", pathEnv: "MONGO_INITDB_ROOT_USERNAME_FILE" },
          { secret: "mongo-root-password", pathEnv: "MONGO_INITDB_ROOT_PASSWORD_FILE" },
        ],
        volumes: { mongodata: "/data/db" },
        networks: ["backend"],
        healthcheck: mongoListening,
      },
      // The first ingest, at deployment: the page has data before the app starts serving.
      ingest: {
        memoryMb: 256,
        image: "portal",
        command: ["python3", "-m", "portal.ingest"],
        env: appEnv,
        secrets: mongoCreds,
        networks: ["backend", "frontend"],
        dependsOn: ["mongo"],
        job: true,
      },
      scheduler: {
        memoryMb: 256,
        image: "portal",
        command: ["python3", "-m", "portal.scheduler"],
        env: { ...appEnv, INGEST_INTERVAL_SECONDS: String(s.ingestIntervalSeconds) },
        secrets: mongoCreds,
        networks: ["backend", "frontend"],
        healthcheck: heartbeatCheck("/tmp/scheduler-alive"),
        dependsOn: ["ingest"],
      },
      app: {
        memoryMb: 256,
        image: "portal",
        env: appEnv,
        secrets: mongoCreds,
        networks: ["backend"],
        healthcheck: pythonHttpCheck(APP_PORT),
        dependsOn: ["ingest"],
      },
      nginx: {
        memoryMb: 64,
        image: { ref: s.nginxImage },
        files: [{ path: "/etc/nginx/conf.d/default.conf", content: nginxSite({ upstream: `app:${APP_PORT}`, tls: nginxTls }) }],
        secrets: tls ? [{ secret: "tls-certificate" }, { secret: "tls-key" }] : [],
        networks: ["frontend", "backend"],
        ports: [{ internal: 80, external: s.httpPort, setting: "httpPort", http: true }, ...(tls ? [{ internal: 443, external: s.httpsPort, setting: "httpsPort", tlsPassthrough: true }] : [])],
        healthcheck: nginxProxying,
        dependsOn: ["app"],
      },
    },
  };
}

export const portal = defineApp({
  name: "portal",
  title: "Portal",
  type: "appstacks:stacks:Portal",
  settings: portalSettings,
  spec: portalSpec,
  urls: (s) => ({ portal: s.tls ? { port: s.httpsPort, https: true } : { port: s.httpPort } }),
  configSecrets: [
    { key: "portalMongoRootPassword", secret: "mongo-root-password", what: "MongoDB's root password" },
    { key: "portalTlsCertificate", secret: "tls-certificate", what: "a PEM certificate", requiredWhen: { setting: "tls", test: (s) => s.tls } },
    { key: "portalTlsKey", secret: "tls-key", what: "a PEM private key", requiredWhen: { setting: "tls", test: (s) => s.tls } },
  ],
});
