// Biostar / Neurostars (seed 001): PostgreSQL and the Django web app. What the seed did by hand
// on every `vagrant up --provision` (create the database, migrate, initialise the site and load
// fixtures on first run only, then serve) becomes jobs gated on a healthy database.
import { z } from "zod";
import { defineApp, SpecContext } from "../config/app-definition";
import { baseImage, bool, dbMemoryMb, imageRef, nonEmpty, port } from "../config/schema";
import { pythonHttpCheck } from "../components/healthcheck";
import { postgresService } from "../components/postgres";
import { AppSpec } from "../components/app-spec";
import { resolveImageRef } from "../components/image-ref";

export const biostarSettings = z
  .object({
    port: port.default(8000).describe("host port of the web app"),
    buildContext: nonEmpty.default("apps/biostar").describe("build context of the web app: apps/biostar, or a biostar-central checkout"),
    siteName: nonEmpty.default("Biostar").describe("the site's name, set when the site is initialised"),
    debug: bool.default(false).describe("Django's debug pages (a web-only setting)"),
    postgresImage: imageRef.default("postgres:16.4").describe("the database image"),
    baseImage,
    dbMemoryMb: dbMemoryMb(1024),
  })
  .strict();
export type BiostarSettings = z.output<typeof biostarSettings>;

const DB = { user: "biostar", name: "biostar" };

export function biostarSpec(s: BiostarSettings, ctx: SpecContext): AppSpec {
  const dbEnv = { DATABASE_HOST: "db", DATABASE_NAME: DB.name, DATABASE_USER: DB.user };
  // The site name is set when the site is initialised and shown by the web app.
  const siteEnv = { ...dbEnv, SITE_NAME: s.siteName };
  const dbSecret = { secret: "db-password", pathEnv: "DATABASE_PASSWORD_FILE" };
  const djangoSecret = { secret: "django-secret-key", pathEnv: "DJANGO_SECRET_KEY_FILE" };
  const manage = (...cmd: string[]) => ["python3", "manage.py", ...cmd];
  return {
    networks: { backend: { internal: true }, frontend: {} },
    volumes: { pgdata: { keepOnDestroy: ctx.keepDataOnDestroy } },
    secrets: { "db-password": {}, "django-secret-key": { length: 50 } },
    images: {
      web: { build: { context: s.buildContext, args: { BASE_IMAGE: resolveImageRef(s.baseImage, ctx.imageOverrides) } } },
    },
    services: {
      db: postgresService({ image: s.postgresImage, user: DB.user, database: DB.name, passwordSecret: "db-password", volume: "pgdata", networks: ["backend"], memoryMb: s.dbMemoryMb }),
      migrate: { image: "web", command: manage("migrate", "--noinput"), env: dbEnv, secrets: [dbSecret, djangoSecret], networks: ["backend"], dependsOn: ["db"], job: true, memoryMb: 512 },
      // init_site keeps its own marker in the database, so it initialises once per database.
      init: { image: "web", command: manage("init_site"), env: siteEnv, secrets: [dbSecret, djangoSecret], networks: ["backend"], dependsOn: ["migrate"], job: true, memoryMb: 512 },
      web: {
        image: "web",
        env: { ...siteEnv, DJANGO_DEBUG: s.debug ? "1" : "0" },
        secrets: [dbSecret, djangoSecret],
        networks: ["backend", "frontend"],
        ports: [{ internal: 8000, external: s.port, setting: "port", http: true }],
        healthcheck: pythonHttpCheck(8000),
        dependsOn: ["init"],
        memoryMb: 512,
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
