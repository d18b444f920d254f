// Biostar / Neurostars (seed 001): PostgreSQL and the Django web app. What the seed did by hand
// on every `vagrant up --provision` (create the database, migrate, initialise the site and load
// fixtures on first run only, then serve) becomes jobs gated on a healthy database. The
// `production` profile runs it as biostar-central's conf/ does on its servers: nginx in front of
// the app server, a celery worker with redis as its broker, and a search index built once.
import { z } from "zod";
import { defineApp, SpecContext } from "../config/app-definition";
import { baseImage, bool, dbMemoryMb, imageRef, nonEmpty, port } from "../config/schema";
import { bashHttpCheck, pythonHttpCheck, tcpConnectedCheck } from "../components/healthcheck";
import { postgresService } from "../components/postgres";
import { AppSpec, SecretUse, ServiceSpec } from "../components/app-spec";
import { resolveImageRef } from "../components/image-ref";
import { nginxSite } from "./portal-nginx";

export const BIOSTAR_PROFILES = ["dev", "production"] as const;

export const biostarSettings = z
  .object({
    port: port.default(8000).describe("host port of the web app (production: of nginx in front of it)"),
    profile: z.enum(BIOSTAR_PROFILES, { message: `one of ${BIOSTAR_PROFILES.join(", ")}` }).default("dev")
      .describe("dev: one web process serves the port; production: nginx → gunicorn, a celery worker with redis, a search index built once"),
    buildContext: nonEmpty.default("apps/biostar").describe("build context of the web app: apps/biostar, or a biostar-central checkout"),
    siteName: nonEmpty.default("Biostar").describe("the site's name, set when the site is initialised"),
    debug: bool.default(false).describe("Django's debug pages (a web-only setting)"),
    postgresImage: imageRef.default("postgres:16.4").describe("the database image"),
    nginxImage: imageRef.default("nginx:1.27").describe("the web server in front of the app (production profile)"),
    redisImage: imageRef.default("redis:7.2").describe("the task broker (production profile)"),
    baseImage,
    dbMemoryMb: dbMemoryMb(1024),
  })
  .strict();
export type BiostarSettings = z.output<typeof biostarSettings>;

const DB = { user: "biostar", name: "biostar" };
/** Where the app server listens: published in dev, reached only by nginx in production. */
const WEB_PORT = 8000;
const REDIS_PORT = 6379;
const BROKER_URL = `redis://redis:${REDIS_PORT}/0`;
/** The whoosh index on the `search` volume: built by the index job, extended by the worker, read by web. */
const SEARCH_DIR = "/var/lib/biostar/search";

export function biostarSpec(s: BiostarSettings, ctx: SpecContext): AppSpec {
  const dbEnv = { DATABASE_HOST: "db", DATABASE_NAME: DB.name, DATABASE_USER: DB.user };
  // The site name is set when the site is initialised and shown by the web app.
  const siteEnv = { ...dbEnv, SITE_NAME: s.siteName };
  const dbSecret = { secret: "db-password", pathEnv: "DATABASE_PASSWORD_FILE" };
  const djangoSecret = { secret: "django-secret-key", pathEnv: "DJANGO_SECRET_KEY_FILE" };
  const secrets = [dbSecret, djangoSecret];
  const manage = (...cmd: string[]) => ["python3", "manage.py", ...cmd];
  const spec: AppSpec = {
    networks: { backend: { internal: true }, frontend: {} },
    volumes: { pgdata: { keepOnDestroy: ctx.keepDataOnDestroy } },
    secrets: { "db-password": {}, "django-secret-key": { length: 50 } },
    images: {
      web: { build: { context: s.buildContext, args: { BASE_IMAGE: resolveImageRef(s.baseImage, ctx.imageOverrides) } } },
    },
    services: {
      db: postgresService({ image: s.postgresImage, user: DB.user, database: DB.name, passwordSecret: "db-password", volume: "pgdata", networks: ["backend"], memoryMb: s.dbMemoryMb }),
      migrate: { image: "web", command: manage("migrate", "--noinput"), env: dbEnv, secrets, networks: ["backend"], dependsOn: ["db"], job: true, memoryMb: 512 },
      // init_site keeps its own marker in the database, so it initialises once per database.
      init: { image: "web", command: manage("init_site"), env: siteEnv, secrets, networks: ["backend"], dependsOn: ["migrate"], job: true, memoryMb: 512 },
      web: {
        image: "web",
        env: { ...siteEnv, DJANGO_DEBUG: s.debug ? "1" : "0" },
        secrets,
        networks: ["backend", "frontend"],
        ports: [{ internal: WEB_PORT, external: s.port, setting: "port", http: true }],
        healthcheck: pythonHttpCheck(WEB_PORT),
        dependsOn: ["init"],
        memoryMb: 512,
      },
    },
  };
  return s.profile === "production" ? production(spec, s, ctx, { siteEnv, secrets, manage }) : spec;
}

/** The dev spec turned into production's: the same database and jobs, then the index, the broker, the worker, nginx. */
function production(
  dev: AppSpec, s: BiostarSettings, ctx: SpecContext,
  { siteEnv, secrets, manage }: { siteEnv: Record<string, string>; secrets: SecretUse[]; manage: (...cmd: string[]) => string[] },
): AppSpec {
  const appEnv = { ...siteEnv, CELERY_BROKER_URL: BROKER_URL, SEARCH_INDEX_DIR: SEARCH_DIR };
  const search = { search: SEARCH_DIR };
  const web: ServiceSpec = {
    ...dev.services.web,
    // Debian's gunicorn, as biostar-central runs uwsgi: several worker processes, a graceful stop
    // inside the 10 s grace period; only nginx (on the internal network) sends it forwarded headers.
    command: ["gunicorn", `--bind=0.0.0.0:${WEB_PORT}`, "--workers=2", "--graceful-timeout=8", "--forwarded-allow-ips=*", "--access-logfile=-", "biostar.wsgi:application"],
    env: { ...appEnv, DJANGO_DEBUG: s.debug ? "1" : "0" },
    volumes: search,
    networks: ["backend"],
    ports: [],
    dependsOn: ["index", "redis"],
  };
  return {
    ...dev,
    // The index is derived from the database, and kept or dropped with it.
    volumes: { ...dev.volumes, search: { keepOnDestroy: ctx.keepDataOnDestroy } },
    services: {
      ...dev.services,
      // build_index keeps a marker in the database (and rebuilds an index volume found empty), so it builds once per database.
      index: { image: "web", command: manage("build_index"), env: appEnv, secrets, volumes: search, networks: ["backend"], dependsOn: ["init"], job: true, memoryMb: 512 },
      // Queued tasks are not kept across a restart of the broker: a lost task is a post searchable
      // later (the next build), not lost data, so redis keeps no volume of ours.
      redis: { image: { ref: s.redisImage }, networks: ["backend"], healthcheck: { test: ["CMD", "redis-cli", "ping"] }, memoryMb: 128 },
      worker: {
        image: "web",
        // One process: whoosh takes one writer at a time.
        command: ["python3", "-m", "celery", "-A", "biostar", "worker", "--loglevel=INFO", "--concurrency=1"],
        env: appEnv,
        secrets,
        volumes: search,
        networks: ["backend"],
        // A celery worker serves no port; it holds its connection to the broker while it consumes.
        healthcheck: tcpConnectedCheck(REDIS_PORT),
        dependsOn: ["index", "redis"],
        memoryMb: 384,
      },
      web,
      nginx: {
        image: { ref: s.nginxImage },
        files: [{ path: "/etc/nginx/conf.d/default.conf", content: nginxSite({ upstream: `web:${WEB_PORT}` }) }],
        networks: ["frontend", "backend"],
        ports: [{ internal: 80, external: s.port, setting: "port", http: true }],
        // /healthz through nginx: healthy once it reaches a healthy app server.
        healthcheck: bashHttpCheck(80),
        dependsOn: ["web"],
        memoryMb: 64,
      },
    },
  };
}

export const biostar = defineApp({
  name: "biostar",
  title: "Biostar",
  type: "appstacks:stacks:Biostar",
  settings: biostarSettings,
  spec: biostarSpec,
  urls: (s) => ({ biostar: { port: s.port } }),
  configSecrets: [{ key: "biostarDbPassword", secret: "db-password", what: "the database password" }],
});
