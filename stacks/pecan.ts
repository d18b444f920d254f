// PEcAn (seed 000): the seed's split (PEcAn core, web, BETY, PostgreSQL) and what PEcAn's docker
// stack runs today: a reverse proxy as the only published entry point (/pecan/, /bety/, /api/),
// PostGIS, RabbitMQ, an executor and one runner per model consuming from it, a shared runs
// volume. The seed's manual steps become the graph: the schema load and the first users are
// one-shot jobs in order, each recording itself in the database so it never runs twice; web,
// API, executor and runners start only once PostGIS and RabbitMQ are healthy and the database is
// initialised. The seed's "unique machine id" and "sync between instances" are typed config.
import * as crypto from "crypto";
import { z } from "zod";
import { defineApp, SpecContext } from "../config/app-definition";
import { dbMemoryMb, imageRef, intRange, matching, port } from "../config/schema";
import { AppSpec, HealthCheck, ServiceSpec } from "../components/app-spec";
import { bashHttpCheck, heartbeatCheck, pythonHttpCheck, tcpCheck } from "../components/healthcheck";
import { Scope } from "../components/naming";
import { postgresService } from "../components/postgres";
import { pecanProxySite } from "./pecan-proxy";

const machineId = intRange(1, 2147483);
const modelName = matching(/^[A-Za-z][A-Za-z0-9]{0,31}$/, "a model name of letters and digits, e.g. SIPNET");
const httpUrl = matching(/^https?:\/\/[^\s/]+(\/\S*)?$/, "an http(s) URL such as https://pecan.example.org/bety/");

export const pecanSettings = z
  .object({
    port: port.default(80).describe("host port of the reverse proxy, the only published port (PEcAn's 80)"),
    // BETY allocates each machine its own id range, which is what makes syncing between instances possible.
    machineId: machineId.optional().describe("this instance's BETY machine id; unset: derived from project and stack (100..9999)"),
    syncPeers: z.array(z.object({ machineId, url: httpUrl }).strict(), { message: "a list of { machineId, url }" }).default([])
      .describe("instances whose BETY databases this one syncs with: [{machineId, url}]"),
    models: z.array(modelName, { message: "a list of model names" }).min(1, "at least one model").default(["SIPNET"])
      .describe("models with a runner each, e.g. [SIPNET, ED2]"),
    firstUsers: z.record(matching(/^[a-z][a-z0-9_]{0,39}$/, "a login of lower-case letters, digits and _"), z.number().int().min(1).max(4), { message: "a map of login → access level 1..4" })
      .default({ carya: 1 }).describe("first users, as login → BETY access level (1 admin … 4 guest)"),
    pecanVersion: matching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "an image tag such as 1.8.0").refine((t) => t !== "latest", "a pinned image tag, not latest").default("1.8.0")
      .describe("tag of PEcAn's images (pecan/web, pecan/api, pecan/bety, pecan/executor, pecan/model-*-git)"),
    postgisImage: imageRef.default("postgis/postgis:12-3.3").describe("the database image"),
    rabbitmqImage: imageRef.default("rabbitmq:3.13-management").describe("the broker image"),
    proxyImage: imageRef.default("nginx:1.27").describe("the reverse proxy image"),
    dbMemoryMb: dbMemoryMb(512),
  })
  .strict()
  .superRefine((c, ctx) => {
    c.syncPeers.forEach((p, i) => {
      if (p.machineId === c.machineId) ctx.addIssue({ code: "custom", path: ["syncPeers", i, "machineId"], message: "a machine id other than this instance's own" });
    });
    const seen = new Set<string>();
    c.models.forEach((m, i) => {
      if (seen.has(m.toLowerCase())) ctx.addIssue({ code: "custom", path: ["models", i], message: "each model once" });
      seen.add(m.toLowerCase());
    });
  });
export type PecanSettings = z.output<typeof pecanSettings>;

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

export function pecanSpec(s: PecanSettings, ctx: SpecContext): AppSpec {
  const pecanImage = (name: string) => ({ ref: `pecan/${name}:${s.pecanVersion}` });
  const keep = ctx.keepDataOnDestroy;
  const users = Object.entries(s.firstUsers).map(([login, level]) => `${login}:${level}`).join(",");
  const brokerUri = { fromSecrets: (v: Readonly<Record<string, string>>) => `amqp://${BROKER_USER}:${v["rabbitmq-password"]}@rabbitmq:5672/%2F` };
  const brokerConf = { fromSecrets: (v: Readonly<Record<string, string>>) => `default_user = ${BROKER_USER}\ndefault_pass = ${v["rabbitmq-password"]}\n` };
  // What every PEcAn container is told: where the database and broker are, and who it is.
  const pecanEnv = { PGHOST: "postgres", PGDATABASE: DB.name, PGUSER: DB.user, PECAN_MACHINE_ID: String(s.machineId ?? defaultMachineId(ctx.scope)), PECAN_DATA_DIR: DATA_DIR, RABBITMQ_URI_FILE: `${SECRETS}/rabbitmq-uri` };
  const peers = { path: PEERS_FILE, content: JSON.stringify(s.syncPeers, null, 2) + "\n" };
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
  for (const model of s.models) {
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
    secrets: { "db-password": {}, "rabbitmq-password": {} },
    services: {
      postgres: postgresService({ image: s.postgisImage, user: DB.user, database: DB.name, passwordSecret: "db-password", volume: "postgres", networks: ["backend"], memoryMb: s.dbMemoryMb }),
      rabbitmq: {
        image: { ref: s.rabbitmqImage },
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
        image: { ref: s.proxyImage },
        files: [{ path: "/etc/nginx/conf.d/default.conf", content: pecanProxySite([
          { path: "/pecan/", upstream: "web:8000" }, { path: "/bety/", upstream: "bety:8000" }, { path: "/api/", upstream: "api:8000" },
        ]) }],
        networks: ["frontend", "backend"],
        ports: [{ internal: 80, external: s.port, setting: "port" }],
        healthcheck: proxyAnswering,
        dependsOn: ["web", "bety", "api"],
        memoryMb: 64,
      },
    },
  };
}

export const pecan = defineApp({
  name: "pecan",
  title: "PEcAn",
  type: "appstacks:stacks:Pecan",
  settings: pecanSettings,
  spec: pecanSpec,
  urls: (s) => ({ pecan: { port: s.port, path: "/pecan/" } }),
});
