// Biostar / Neurostars (seed 001): PostgreSQL and the Django web app. What the seed did by hand
// on every `vagrant up --provision` (create the database, migrate, initialise the site and load
// fixtures on first run only, then serve) becomes jobs gated on a healthy database.
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "../components/host/docker-host";
import { AppStack } from "../components/app";
import { pythonHttpCheck } from "../components/healthcheck";
import { AppSpec } from "../components/app-spec";
import { resolveImageRef } from "../components/image-ref";
import { Scope } from "../components/naming";

export interface BiostarArgs {
  readonly host: DockerHost;
  /** Project and Pulumi stack; the app is "biostar". */
  readonly scope: Omit<Scope, "app">;
  /** Host port of the web app. @default 8000 */
  readonly port?: number;
  /** Build context of the web app: apps/biostar, or a biostar-central checkout. */
  readonly buildContext: string;
  /** @default "Biostar" */
  readonly siteName?: string;
  /** Django's debug pages: a web-only setting. @default false */
  readonly debug?: boolean;
  /** @default "postgres:16.4" */
  readonly postgresImage?: string;
  /** Base image the web app's Dockerfile builds FROM (build arg BASE_IMAGE). @default "debian:bookworm-slim" */
  readonly baseImage?: string;
  /** Memory limit of the database container in MiB. @default none */
  readonly dbMemoryMb?: number;
  /** The database password (requireSecret); generated when absent. */
  readonly dbPassword?: pulumi.Input<string>;
  /** @default true */
  readonly keepDataOnDestroy?: boolean;
  /** The stack's secret seed: credentials are derived from it, so kept data stays readable. */
  readonly secretSeed?: pulumi.Input<string>;
  readonly imageOverrides?: Readonly<Record<string, string>>;
}

const DB = { user: "biostar", name: "biostar" };

export function biostarSpec(args: BiostarArgs): AppSpec {
  const overrides = args.imageOverrides ?? {};
  const dbEnv = { DATABASE_HOST: "db", DATABASE_NAME: DB.name, DATABASE_USER: DB.user };
  // The site name is set when the site is initialised and shown by the web app.
  const siteEnv = { ...dbEnv, SITE_NAME: args.siteName ?? "Biostar" };
  const dbSecret = { secret: "db-password", pathEnv: "DATABASE_PASSWORD_FILE" };
  const djangoSecret = { secret: "django-secret-key", pathEnv: "DJANGO_SECRET_KEY_FILE" };
  const manage = (...cmd: string[]) => ["python3", "manage.py", ...cmd];
  return {
    networks: { backend: { internal: true }, frontend: {} },
    volumes: { pgdata: { keepOnDestroy: args.keepDataOnDestroy ?? true } },
    secrets: { "db-password": { value: args.dbPassword }, "django-secret-key": { length: 50 } },
    images: {
      web: { build: { context: args.buildContext, args: { BASE_IMAGE: resolveImageRef(args.baseImage ?? "debian:bookworm-slim", overrides) } } },
    },
    services: {
      db: {
        image: { ref: args.postgresImage ?? "postgres:16.4" },
        env: { POSTGRES_USER: DB.user, POSTGRES_DB: DB.name },
        secrets: [{ secret: "db-password", pathEnv: "POSTGRES_PASSWORD_FILE" }],
        volumes: { pgdata: "/var/lib/postgresql/data" },
        networks: ["backend"],
        healthcheck: { test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", DB.user, "-d", DB.name], startPeriod: "2s" },
        memoryMb: args.dbMemoryMb ?? 1024,
      },
      migrate: { image: "web", command: manage("migrate", "--noinput"), env: dbEnv, secrets: [dbSecret, djangoSecret], networks: ["backend"], dependsOn: ["db"], job: true, memoryMb: 512 },
      // init_site keeps its own marker in the database, so it initialises once per database.
      init: { image: "web", command: manage("init_site"), env: siteEnv, secrets: [dbSecret, djangoSecret], networks: ["backend"], dependsOn: ["migrate"], job: true, memoryMb: 512 },
      web: {
        image: "web",
        env: { ...siteEnv, DJANGO_DEBUG: args.debug ? "1" : "0" },
        secrets: [dbSecret, djangoSecret],
        networks: ["backend", "frontend"],
        ports: [{ internal: 8000, external: args.port ?? 8000 }],
        healthcheck: pythonHttpCheck(8000),
        dependsOn: ["init"],
        memoryMb: 512,
      },
    },
  };
}

export class Biostar extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:stacks:Biostar";
  public readonly url: pulumi.Output<string>;
  public readonly app: AppStack;

  constructor(name: string, args: BiostarArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Biostar.TYPE, name, {}, opts);
    this.app = new AppStack(name, {
      host: args.host,
      scope: { ...args.scope, app: "biostar" },
      spec: biostarSpec(args),
      imageOverrides: args.imageOverrides,
      secretSeed: args.secretSeed,
    }, { parent: this });
    this.url = pulumi.interpolate`http://${args.host.address}:${args.port ?? 8000}/`;
    this.registerOutputs({ url: this.url });
  }
}
