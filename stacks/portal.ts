// The open-source portal (seed 003): a Flask app behind nginx over WSGI, MongoDB, and the daily
// data ingest. The seed ran APScheduler inside the Flask process and MongoDB without credentials;
// here the ingest is its own job (once at deployment, gated on a healthy database, so the page has
// data) plus a scheduler container on a configurable interval, MongoDB requires authentication with
// credentials delivered as files, and only nginx is published. The same code deploys to the
// local engine (dev) and to an EC2 host (prod): it only uses the DockerHost it is given.
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "../components/host/docker-host";
import { AppStack } from "../components/app";
import { AppSpec, SecretUse } from "../components/app-spec";
import { HealthCheck } from "../components/service";
import { bashHttpCheck, heartbeatCheck, pythonHttpCheck } from "../components/healthcheck";
import { resolveImageRef } from "../components/image-ref";
import { Scope } from "../components/naming";
import { nginxSite } from "./portal-nginx";

export interface PortalTls {
  /** PEM certificate (chain). Delivered to nginx as a file. */
  readonly certificate: pulumi.Input<string>;
  /** PEM private key (a secret). Delivered to nginx as a file. */
  readonly key: pulumi.Input<string>;
}

export interface PortalArgs {
  readonly host: DockerHost;
  /** Project and Pulumi stack; the app is "portal". */
  readonly scope: Omit<Scope, "app">;
  /** Host port nginx publishes HTTP on. @default 80 (the seed's) */
  readonly httpPort?: number;
  /** Host port nginx publishes HTTPS on, only when `tls` is given. @default 443 */
  readonly httpsPort?: number;
  /** Certificate and key: nginx then serves HTTPS and port 80 redirects to it. @default none */
  readonly tls?: PortalTls;
  /** Seconds between scheduled ingests. @default 86400 (the seed's 24 hours) */
  readonly ingestIntervalSeconds?: number;
  /** The database the portal keeps its data in. @default "portal" */
  readonly database?: string;
  /** MongoDB's root user (created on the first start of an empty volume). @default "root" */
  readonly mongoRootUser?: string;
  /** The root password (requireSecret); derived from the secret seed or generated when absent. */
  readonly mongoRootPassword?: pulumi.Input<string>;
  /** Build context of the Flask app (apps/portal, or a checkout of the seed's backend/flask). */
  readonly buildContext: string;
  /** @default "mongo:7.0" */
  readonly mongoImage?: string;
  /** @default "nginx:1.27" */
  readonly nginxImage?: string;
  /** Base image the app's Dockerfile builds FROM (build arg BASE_IMAGE). @default "debian:bookworm-slim" */
  readonly baseImage?: string;
  /** Memory limit of the database container in MiB. @default 512 */
  readonly dbMemoryMb?: number;
  /** @default true */
  readonly keepDataOnDestroy?: boolean;
  /** The stack's secret seed: credentials are derived from it, so kept data stays readable. */
  readonly secretSeed?: pulumi.Input<string>;
  readonly imageOverrides?: Readonly<Record<string, string>>;
}

export const PORTAL_DEFAULTS = {
  httpPort: 80, httpsPort: 443, ingestIntervalSeconds: 86400, database: "portal", mongoRootUser: "root",
  mongoImage: "mongo:7.0", nginxImage: "nginx:1.27", baseImage: "debian:bookworm-slim",
} as const;

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

export function portalSpec(args: PortalArgs): AppSpec {
  const d = { ...PORTAL_DEFAULTS, ...definedOnly(args) };
  const overrides = args.imageOverrides ?? {};
  const mongoCreds: SecretUse[] = [
    { secret: "mongo-root-username", pathEnv: "MONGO_USERNAME_FILE" },
    { secret: "mongo-root-password", pathEnv: "MONGO_PASSWORD_FILE" },
  ];
  const appEnv = { MONGO_HOST: "mongo", MONGO_PORT: "27017", MONGO_DATABASE: d.database };
  const tls = args.tls;
  const nginxTls = tls && { certificatePath: `${SECRETS}/tls-certificate`, keyPath: `${SECRETS}/tls-key`, publishedHttpsPort: d.httpsPort };
  return {
    // The app and the database have no route out and nothing published; nginx bridges the two.
    // The ingest is also on the front end: the seed's ingest fetched its data from REST APIs.
    networks: { backend: { internal: true }, frontend: {} },
    volumes: { mongodata: { keepOnDestroy: args.keepDataOnDestroy ?? true } },
    secrets: {
      "mongo-root-username": { value: d.mongoRootUser },
      "mongo-root-password": { value: args.mongoRootPassword },
      ...(tls ? { "tls-certificate": { value: tls.certificate }, "tls-key": { value: tls.key } } : {}),
    },
    images: {
      portal: { build: { context: args.buildContext, args: { BASE_IMAGE: resolveImageRef(d.baseImage, overrides) } } },
    },
    services: {
      mongo: {
        memoryMb: d.dbMemoryMb ?? 512,
        image: { ref: d.mongoImage },
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
        env: { ...appEnv, INGEST_INTERVAL_SECONDS: String(d.ingestIntervalSeconds) },
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
        image: { ref: d.nginxImage },
        files: [{ path: "/etc/nginx/conf.d/default.conf", content: nginxSite({ upstream: `app:${APP_PORT}`, tls: nginxTls }) }],
        secrets: tls ? [{ secret: "tls-certificate" }, { secret: "tls-key" }] : [],
        networks: ["frontend", "backend"],
        ports: [{ internal: 80, external: d.httpPort }, ...(tls ? [{ internal: 443, external: d.httpsPort }] : [])],
        healthcheck: nginxProxying,
        dependsOn: ["app"],
      },
    },
  };
}

export class Portal extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:stacks:Portal";
  public readonly url: pulumi.Output<string>;
  public readonly app: AppStack;

  constructor(name: string, args: PortalArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Portal.TYPE, name, {}, opts);
    this.app = new AppStack(name, {
      host: args.host,
      scope: { ...args.scope, app: "portal" },
      spec: portalSpec(args),
      imageOverrides: args.imageOverrides,
      secretSeed: args.secretSeed,
    }, { parent: this });
    this.url = args.tls
      ? pulumi.interpolate`https://${args.host.address}:${args.httpsPort ?? PORTAL_DEFAULTS.httpsPort}/`
      : pulumi.interpolate`http://${args.host.address}:${args.httpPort ?? PORTAL_DEFAULTS.httpPort}/`;
    this.registerOutputs({ url: this.url });
  }
}

/** Args without the keys explicitly set to undefined, so defaults apply to them. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
