// The apps the harness compares, one entry each: our stack's config, the equivalent compose file
// and its variables, the images compose runs (built once, before any timing), and the one-service
// change of phase 3. A new app stack is one more entry here plus bench/compose/<app>.yml.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { credEnv, credYaml, configParams, ENABLED_PLUGINS, logConfig, rabbitmqConf, WattrexCredentials } from "../stacks/wattrex-files";
import { pecanProxySite } from "./lib/pecan-proxy";
import { nginxSite } from "../stacks/portal-nginx";
import { PECAN_IMAGES, STAND_INS, standIns } from "../support/images";

export const ROOT = path.resolve(__dirname, "..");

/** The offline stand-ins by the image they replace, read from Pulumi.dev.yaml (support/images.ts). */
export const STANDINS = STAND_INS;

export type Ports = Record<string, number>;

export interface BenchApp {
  readonly name: string;
  /** bench/compose/<name>.yml */
  readonly composeFile: string;
  /** Host ports to allocate (fresh free ports each run). */
  readonly ports: readonly string[];
  /** Services that run (healthy when they have a check) and one-shot jobs (exited 0), in both tools. */
  readonly services: readonly string[];
  readonly jobs: readonly string[];
  /** Services only the compose twin runs: its own entry point, where ours has the front proxy. */
  readonly composeOnly?: readonly string[];
  /** Images we build ourselves: compose runs `tag`, built from `context` once before timing. */
  readonly builtImages: readonly { readonly envVar: string; readonly tag: string; readonly context: string }[];
  /** Our stack's config (appstacks:*), before (`changed` false) and after the one-service change. */
  ours(ports: Ports, changed: boolean): Record<string, unknown>;
  /** The compose file's variables; writes the secret/config files it mounts into `filesDir`. */
  compose(ports: Ports, filesDir: string, changed: boolean): Record<string, string>;
  /** The change in words and the service it must replace. */
  readonly change: { readonly what: string; readonly service: string };
  /** A published HTTP endpoint for the zero-downtime measurement. */
  readonly web?: { readonly port: string; readonly path: string };
  /**
   * For the rollout measurement, when `change` does not replace the published web service: a new
   * release of an image it runs, the stand-in of `releaseOf` rebuilt as a new image (a new ID).
   * Ours takes it as that image's override; compose as NGINX_IMAGE (nginx), or as its own images
   * rebuilt FROM it (debian, the base the apps' Dockerfiles build from).
   */
  readonly webRelease?: { readonly releaseOf: "nginx" | "debian"; readonly service: string };
}

/** The services the compose twin of `app` runs. */
export const composeServices = (app: BenchApp): string[] => [...app.services, ...(app.composeOnly ?? [])];

const secret = (n = 32) => crypto.randomBytes(n).toString("base64url").slice(0, n);
const write = (dir: string, name: string, content: string) => fs.writeFileSync(path.join(dir, name), content, { mode: 0o644 });
const baseImageArg = { BASE_IMAGE: STANDINS.debian };

export const biostar: BenchApp = {
  name: "biostar",
  composeFile: path.join(ROOT, "bench/compose/biostar.yml"),
  ports: ["web"],
  services: ["db", "web"],
  jobs: ["migrate", "init"],
  builtImages: [{ envVar: "BIOSTAR_WEB_IMAGE", tag: "appstacks-bench/biostar-web:local", context: "apps/biostar" }],
  ours: (ports, changed) => ({
    "appstacks:apps": ["biostar"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("postgres", "debian"),
    "appstacks:biostar": { port: ports.web, debug: changed },
  }),
  compose: (ports, dir, changed) => {
    if (!fs.existsSync(path.join(dir, "db-password"))) {
      write(dir, "db-password", secret());
      write(dir, "django-secret-key", secret(50));
    }
    return { BIOSTAR_PORT: String(ports.web), BIOSTAR_DEBUG: changed ? "1" : "0" };
  },
  change: { what: "web: DJANGO_DEBUG 0 → 1 (`biostar.debug`)", service: "web" },
  // The health endpoint: through waitress and Django like every page, without the database
  // query that caps the page's own rate on 2 cores.
  web: { port: "web", path: "/healthz" },
};

export const wattrex: BenchApp = {
  name: "wattrex",
  composeFile: path.join(ROOT, "bench/compose/wattrex.yml"),
  ports: ["web", "db", "mqtt"],
  services: ["db", "broker", "web", "mn-manager"],
  jobs: [],
  builtImages: [
    { envVar: "WATTREX_IMAGE", tag: "appstacks-bench/wattrex:local", context: "apps/wattrex" },
    { envVar: "WATTREX_MN_IMAGE", tag: "appstacks-bench/wattrex-mn:local", context: "apps/wattrex-mn" },
  ],
  ours: (ports, changed) => ({
    "appstacks:apps": ["wattrex"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("mysql", "rabbitmq", "debian"),
    "appstacks:wattrex": { webPort: ports.web, dbPort: ports.db, mqttPort: ports.mqtt, logLevel: changed ? "DEBUG" : "INFO" },
  }),
  compose: (ports, dir, changed) => {
    if (!fs.existsSync(path.join(dir, "db-password"))) {
      // The same files the stack uploads, rendered by the same functions.
      const c: WattrexCredentials = {
        database: "wattrex_db", dbUser: "wattrex", dbPassword: secret(), dbRootPassword: secret(), dbHost: "db", dbPort: 3306,
        mqttUser: "wattrex", mqttPassword: secret(), mqttHost: "broker", mqttPort: 1883, djangoSecretKey: secret(50),
      };
      write(dir, "db-password", c.dbPassword);
      write(dir, "db-root-password", c.dbRootPassword);
      write(dir, "rabbitmq.conf", rabbitmqConf(c));
      write(dir, "enabled_plugins", ENABLED_PLUGINS);
      write(dir, "cred.env", credEnv(c));
      write(dir, "cred.yaml", credYaml(c));
      write(dir, "config_params.yaml", configParams({ chanNumMsg: 350, ipcMsgSize: 350, chanTimeout: 1 }, "/code/devops/mn_manager/.cred.yaml"));
      for (const level of ["INFO", "DEBUG"] as const) write(dir, `log_config.${level}.yaml`, logConfig(level));
    }
    return {
      WATTREX_WEB_PORT: String(ports.web), WATTREX_DB_PORT: String(ports.db), WATTREX_MQTT_PORT: String(ports.mqtt),
      WATTREX_CONTEXT: path.join(ROOT, "apps/wattrex"), WATTREX_LOG_LEVEL: changed ? "DEBUG" : "INFO",
    };
  },
  // Compose sees the change as a different mounted file, the stack as different uploaded content.
  change: { what: "mn-manager: log level INFO → DEBUG (`wattrex.logLevel`)", service: "mn-manager" },
  web: { port: "web", path: "/healthz" },
  webRelease: { releaseOf: "debian", service: "web" },
};

/** The sync peer BETY is given in phase 3 (a variable of BETY's only: exactly its container changes). */
const PECAN_PEER = 7;

export const pecan: BenchApp = {
  name: "pecan",
  composeFile: path.join(ROOT, "bench/compose/pecan.yml"),
  ports: ["web"],
  services: ["postgres", "rabbitmq", "bety", "web", "api", "docs", "monitor", "dbsync", "executor", "runner-sipnet"],
  // Compose has no front proxy: its twin keeps the nginx proxy our stack had (bench/lib/pecan-proxy.ts).
  composeOnly: ["proxy"],
  jobs: ["init-db", "init-machine", "init-user-carya", "load-data"],
  builtImages: [],
  ours: (ports, changed) => ({
    "appstacks:apps": ["pecan"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("postgis/postgis", "rabbitmq", "nginx", ...PECAN_IMAGES),
    "appstacks:pecan": { port: ports.web, syncPeers: changed ? [PECAN_PEER] : [] },
  }),
  compose: (ports, dir, changed) => {
    if (!fs.existsSync(path.join(dir, "postgres-password"))) {
      const [superuser, bety, broker, key] = [secret(), secret(), secret(), secret()];
      write(dir, "postgres-password", superuser);
      // What stacks/pecan.ts uploads and its wrapper turns into variables.
      write(dir, "rabbitmq.conf", `default_user = pecan\ndefault_pass = ${broker}\n`);
      write(dir, "superuser.env", `PGPASSWORD=${superuser}\nBETYPASSWORD=${bety}\n`);
      write(dir, "bety.env", `BETYPASSWORD=${bety}\nSECRET_KEY_BASE=${key}\n`);
      write(dir, "api.env", `PGPASSWORD=${bety}\nSECRET_KEY_BASE=${key}\n`);
      write(dir, "broker.env", `RABBITMQ_URI=amqp://pecan:${broker}@rabbitmq:5672/%2F\n`);
      write(dir, "first-user.env", `FIRST_USER_PASSWORD=${secret()}\n`);
      write(dir, "pecan-proxy.conf", pecanProxySite([
        { path: "/pecan/", upstream: "web:8080" }, { path: "/bety/", upstream: "bety:8000" }, { path: "/api/", upstream: "api:8000" },
        { path: "/monitor/", upstream: "monitor:9999", strip: true }, { path: "/dbsync/", upstream: "dbsync:3838", strip: true }, { path: "/", upstream: "docs:80" },
      ]));
    }
    return { PECAN_PORT: String(ports.web), PECAN_PEERS: changed ? String(PECAN_PEER) : "" };
  },
  change: { what: "bety: one sync peer added (`pecan.syncPeers`)", service: "bety" },
  // BETY's front page, through the front proxy (ours) or nginx (compose): the change replaces BETY.
  web: { port: "web", path: "/bety/" },
};

export const portal: BenchApp = {
  name: "portal",
  composeFile: path.join(ROOT, "bench/compose/portal.yml"),
  ports: ["http"],
  services: ["mongo", "scheduler", "app", "nginx"],
  jobs: ["ingest"],
  builtImages: [{ envVar: "PORTAL_IMAGE", tag: "appstacks-bench/portal:local", context: "apps/portal" }],
  ours: (ports, changed) => ({
    "appstacks:apps": ["portal"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("mongo", "nginx", "debian"),
    "appstacks:portal": { httpPort: ports.http, ingestIntervalSeconds: changed ? 3600 : 86400 },
  }),
  compose: (ports, dir, changed) => {
    if (!fs.existsSync(path.join(dir, "mongo-root-password"))) {
      write(dir, "mongo-root-username", "root");
      write(dir, "mongo-root-password", secret());
      write(dir, "portal-nginx.conf", nginxSite({ upstream: "app:8080" }));
    }
    return { PORTAL_HTTP_PORT: String(ports.http), PORTAL_INGEST_INTERVAL: changed ? "3600" : "86400" };
  },
  change: { what: "scheduler: ingest interval 86400 → 3600 s (`portal.ingestIntervalSeconds`)", service: "scheduler" },
  web: { port: "http", path: "/healthz" },
  webRelease: { releaseOf: "nginx", service: "nginx" },
};

export const lab: BenchApp = {
  name: "lab",
  composeFile: path.join(ROOT, "bench/compose/lab.yml"),
  ports: ["proxy", "live", "registry", "blue", "green", "reader"],
  services: ["redis", "webapp", "spawner", "proxy", "registry", "blue", "green", "writer", "reader"],
  jobs: ["switch"],
  builtImages: [
    { envVar: "LAB_WEBAPP_IMAGE", tag: "appstacks-bench/lab-webapp:local", context: "apps/devops-lab/webapp" },
    { envVar: "LAB_SERVICES_IMAGE", tag: "appstacks-bench/lab-services:local", context: "apps/devops-lab/services" },
  ],
  ours: (ports, changed) => ({
    "appstacks:apps": ["lab"],
    "appstacks:keepDataOnDestroy": false,
    "appstacks:imageOverrides": standIns("redis", "registry", "debian"),
    "appstacks:lab": {
      proxyPort: ports.proxy, livePort: ports.live, registryPort: ports.registry, bluePort: ports.blue, greenPort: ports.green, readerPort: ports.reader,
      writeIntervalSeconds: changed ? 60 : 120,
    },
  }),
  compose: (ports, _dir, changed) => ({
    LAB_WRITE_INTERVAL: changed ? "60" : "120",
    LAB_PROXY_PORT: String(ports.proxy), LAB_LIVE_PORT: String(ports.live), LAB_REGISTRY_PORT: String(ports.registry),
    LAB_BLUE_PORT: String(ports.blue), LAB_GREEN_PORT: String(ports.green), LAB_READER_PORT: String(ports.reader),
  }),
  change: { what: "writer: write interval 120 → 60 s (`lab.writeIntervalSeconds`)", service: "writer" },
  web: { port: "proxy", path: "/" },
};

/** Every app the harness knows; `--apps` picks among them. */
export const APPS: readonly BenchApp[] = [biostar, wattrex, portal, pecan, lab];

export { baseImageArg };
