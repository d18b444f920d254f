// PEcAn (seed 000): the seed's split (PEcAn core, web, BETY, PostgreSQL) and what PEcAn's docker
// stack runs today: a reverse proxy as the only published entry point (/pecan/, /bety/, /api/),
// PostGIS, RabbitMQ, an executor and one runner per model consuming from it, a shared runs
// volume. The seed's manual steps become the graph: the schema load and the first users are
// one-shot jobs in order, each recording itself in the database so it never runs twice; web,
// API, executor and runners start only once PostGIS and RabbitMQ are healthy and the database is
// initialised. The seed's "unique machine id" and "sync between instances" are typed config.
import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "../components/host/docker-host";
import { AppStack } from "../components/app";
import { AppSpec, ServiceSpec } from "../components/app-spec";
import { bashHttpCheck, heartbeatCheck, pythonHttpCheck, tcpCheck } from "../components/healthcheck";
import { AppSecret } from "../components/secret";
import { HealthCheck } from "../components/service";
import { Scope } from "../components/naming";
import { pecanProxySite } from "./pecan-proxy";

export interface PecanSyncPeer {
  /** The peer's BETY machine id. */
  readonly machineId: number;
  /** The peer's BETY URL, e.g. https://pecan.example.org/bety/ */
  readonly url: string;
}

export interface PecanArgs {
  readonly host: DockerHost;
  readonly scope: Omit<Scope, "app">;
  /** Host port of the reverse proxy, the only published port. @default 80 (PEcAn's) */
  readonly port?: number;
  /**
   * This instance's BETY machine id (BETY allocates each machine its own id range, which is what
   * makes syncing between instances possible). @default derived from project and stack (100..9999)
   */
  readonly machineId?: number;
  /** Instances whose BETY databases this one syncs with. @default none */
  readonly syncPeers?: readonly PecanSyncPeer[];
  /** Models with a runner each, e.g. ["SIPNET", "ED2"]. @default ["SIPNET"] */
  readonly models?: readonly string[];
  /** First users, as login → BETY access level (1 admin … 4 guest). @default { carya: 1 } */
  readonly firstUsers?: Readonly<Record<string, number>>;
  /** Tag of PEcAn's images (pecan/web, pecan/api, pecan/bety, pecan/executor, pecan/model-*-git). @default "1.8.0" */
  readonly pecanVersion?: string;
  /** @default "postgis/postgis:12-3.3" */
  readonly postgisImage?: string;
  /** @default "rabbitmq:3.13-management" */
  readonly rabbitmqImage?: string;
  /** @default "nginx:1.27" */
  readonly proxyImage?: string;
  /** Memory limit of the database container in MiB. @default 512 */
  readonly dbMemoryMb?: number;
  /** @default true */
  readonly keepDataOnDestroy?: boolean;
  /** The stack's secret seed: credentials are derived from it, so kept data stays readable. */
  readonly secretSeed?: pulumi.Input<string>;
  readonly imageOverrides?: Readonly<Record<string, string>>;
}

const DB = { user: "bety", name: "bety" };
const BROKER_USER = "pecan";
const SECRETS = "/run/secrets";
const DATA_DIR = "/data";
const PEERS_FILE = "/etc/pecan/sync-peers.json";

/** A stable id for an instance that was given none: distinct per project/stack in practice. */
export function defaultMachineId(scope: Omit<Scope, "app">): number {
  const h = crypto.createHash("sha256").update(`${scope.project}/${scope.stack}`).digest();
  return 100 + (h.readUInt32BE(0) % 9900);
}

/** Healthy while the worker's broker loop runs (it touches the file every few seconds). */
const heartbeat: HealthCheck = heartbeatCheck("/tmp/healthy");

/** Healthy when nginx answers its own /healthz. */
const proxyAnswering: HealthCheck = bashHttpCheck(80);

export function pecanSpec(args: PecanArgs, credentials: { dbPassword: pulumi.Input<string>; brokerPassword: pulumi.Input<string> }): AppSpec {
  const version = args.pecanVersion ?? "1.8.0";
  const pecanImage = (name: string) => ({ ref: `pecan/${name}:${version}` });
  const keep = args.keepDataOnDestroy ?? true;
  const models = args.models ?? ["SIPNET"];
  const users = Object.entries(args.firstUsers ?? { carya: 1 }).map(([login, level]) => `${login}:${level}`).join(",");
  const brokerUri = pulumi.secret(pulumi.interpolate`amqp://${BROKER_USER}:${credentials.brokerPassword}@rabbitmq:5672/%2F`);
  const brokerConf = pulumi.secret(pulumi.interpolate`default_user = ${BROKER_USER}\ndefault_pass = ${credentials.brokerPassword}\n`);
  // What every PEcAn container is told: where the database and broker are, and who it is.
  const pecanEnv = { PGHOST: "postgres", PGDATABASE: DB.name, PGUSER: DB.user, PECAN_MACHINE_ID: String(args.machineId ?? defaultMachineId(args.scope)), PECAN_DATA_DIR: DATA_DIR, RABBITMQ_URI_FILE: `${SECRETS}/rabbitmq-uri` };
  const peers = { path: PEERS_FILE, content: JSON.stringify(args.syncPeers ?? [], null, 2) + "\n" };
  const pecan = (role: string | undefined, extra: Partial<ServiceSpec> & Pick<ServiceSpec, "image">): ServiceSpec => ({
    env: { ...pecanEnv, ...(role ? { PECAN_ROLE: role } : {}) },
    secrets: [{ secret: "db-password", pathEnv: "PGPASSWORD_FILE" }],
    files: [{ path: `${SECRETS}/rabbitmq-uri`, content: brokerUri }],
    networks: ["backend"],
    memoryMb: 256,
    ...extra,
  });
  const ready = ["postgres", "rabbitmq", "init-users"];

  const runners: Record<string, ServiceSpec> = {};
  for (const model of models) {
    runners[`runner-${model.toLowerCase()}`] = pecan("runner", {
      image: pecanImage(`model-${model.toLowerCase()}-git`),
      env: { ...pecanEnv, PECAN_ROLE: "runner", PECAN_MODEL: model },
      volumes: { runs: DATA_DIR },
      healthcheck: heartbeat,
      dependsOn: ready,
    });
  }

  return {
    // Only the proxy is on the front end; everything else has no route out and nothing published.
    networks: { frontend: {}, backend: { internal: true } },
    volumes: { postgres: { keepOnDestroy: keep }, rabbitmq: { keepOnDestroy: keep }, runs: { keepOnDestroy: keep } },
    secrets: { "db-password": { value: credentials.dbPassword } },
    services: {
      postgres: {
        image: { ref: args.postgisImage ?? "postgis/postgis:12-3.3" },
        env: { POSTGRES_USER: DB.user, POSTGRES_DB: DB.name },
        secrets: [{ secret: "db-password", pathEnv: "POSTGRES_PASSWORD_FILE" }],
        volumes: { postgres: "/var/lib/postgresql/data" },
        networks: ["backend"],
        healthcheck: { test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", DB.user, "-d", DB.name], startPeriod: "2s" },
        memoryMb: args.dbMemoryMb ?? 512,
      },
      rabbitmq: {
        image: { ref: args.rabbitmqImage ?? "rabbitmq:3.13-management" },
        files: [{ path: "/etc/rabbitmq/conf.d/10-appstacks.conf", content: brokerConf }],
        volumes: { rabbitmq: "/var/lib/rabbitmq" },
        networks: ["backend"],
        healthcheck: { ...tcpCheck(5672), interval: "3s", startPeriod: "10s" },
        timeoutSeconds: 240,
        memoryMb: 512,
      },
      // BETY's own set-up commands, in order, once per database (each keeps a marker in it).
      "init-schema": pecan(undefined, { image: pecanImage("bety"), command: ["initialize"], dependsOn: ["postgres"], job: true }),
      "init-users": pecan(undefined, { image: pecanImage("bety"), command: ["user"], env: { ...pecanEnv, PECAN_FIRST_USERS: users }, dependsOn: ["init-schema"], job: true }),
      bety: pecan("bety", { image: pecanImage("bety"), files: [{ path: `${SECRETS}/rabbitmq-uri`, content: brokerUri }, peers], env: { ...pecanEnv, PECAN_ROLE: "bety", PECAN_SYNC_PEERS_FILE: PEERS_FILE }, healthcheck: pythonHttpCheck(8000), dependsOn: ["init-users"] }),
      web: pecan("web", { image: pecanImage("web"), volumes: { runs: DATA_DIR }, healthcheck: pythonHttpCheck(8000), dependsOn: ready }),
      api: pecan("api", { image: pecanImage("api"), volumes: { runs: DATA_DIR }, healthcheck: pythonHttpCheck(8000), dependsOn: ready }),
      executor: pecan("executor", { image: pecanImage("executor"), volumes: { runs: DATA_DIR }, healthcheck: heartbeat, dependsOn: ready }),
      ...runners,
      proxy: {
        image: { ref: args.proxyImage ?? "nginx:1.27" },
        files: [{ path: "/etc/nginx/conf.d/default.conf", content: pecanProxySite([
          { path: "/pecan/", upstream: "web:8000" }, { path: "/bety/", upstream: "bety:8000" }, { path: "/api/", upstream: "api:8000" },
        ]) }],
        networks: ["frontend", "backend"],
        ports: [{ internal: 80, external: args.port ?? 80 }],
        healthcheck: proxyAnswering,
        dependsOn: ["web", "bety", "api"],
        memoryMb: 64,
      },
    },
  };
}

export class Pecan extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:stacks:Pecan";
  public readonly url: pulumi.Output<string>;
  public readonly app: AppStack;

  constructor(name: string, args: PecanArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Pecan.TYPE, name, {}, opts);
    const secret = (key: string) => new AppSecret(`${name}-${key}`, { seed: args.secretSeed }, { parent: this }).value;
    const spec = pecanSpec(args, { dbPassword: secret("db-password"), brokerPassword: secret("rabbitmq-password") });
    this.app = new AppStack(name, { host: args.host, scope: { ...args.scope, app: "pecan" }, spec, imageOverrides: args.imageOverrides, secretSeed: args.secretSeed }, { parent: this });
    this.url = pulumi.interpolate`http://${args.host.address}:${args.port ?? 80}/pecan/`;
    this.registerOutputs({ url: this.url });
  }
}
