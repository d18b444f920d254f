// PEcAn (seed 000) as its published images run it (docs/contracts.md, stacks/image-contracts.ts):
// one published port where the app's front proxy (Traefik, as PEcAn's own stack routes) sends
// /pecan/ to the web UI on 8080 and /bety/ and /api/ to BETY and the API on 8000, each rolling
// out with no gap (components/runtime/front-proxy.ts), PostGIS, RabbitMQ, an executor and one runner per model consuming from it, a
// shared runs volume. The database is set up the way BETY's own instructions say, each step a
// one-shot job in order: pecan/db loads the schema as the PostgreSQL superuser (it skips a
// database that exists), BETY's `fix` applies this instance's machine id, BETY's `user` adds each
// first user. PEcAn's images read credentials only from variables: they get them through the
// secret-env wrapper, so no value is in the containers' configuration.
import * as crypto from "crypto";
import { z } from "zod";
import { defineApp, SpecContext } from "../config/app-definition";
import { dbMemoryMb, imageRef, intRange, matching, port } from "../config/schema";
import { AppSpec, FileSpec, SecretUse, ServiceSpec } from "../components/app-spec";
import { curlHttpCheck, tcpConnectedCheck, tcpCheck } from "../components/healthcheck";
import { Scope } from "../components/naming";
import { postgresService } from "../components/postgres";
import { imageRun } from "./image-contracts";

const machineId = intRange(1, 2147483);
const modelName = matching(/^[A-Za-z][A-Za-z0-9]{0,31}$/, "a model name of letters and digits, e.g. SIPNET");
const imageTag = (example: string) => matching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, `an image tag such as ${example}`).refine((t) => t !== "latest", "a pinned image tag, not latest");

export const pecanSettings = z
  .object({
    port: port.default(80).describe("host port of /pecan/, /bety/ and /api/, the only published port (PEcAn's 80)"),
    // BETY allocates each machine its own id range, which is what makes syncing between instances possible.
    machineId: machineId.optional().describe("this instance's BETY machine id (LOCAL_SERVER, applied by BETY's fix); unset: derived from project and stack (100..9999)"),
    syncPeers: z.array(machineId, { message: "a list of BETY machine ids" }).default([])
      .describe("BETY machine ids whose data this instance syncs (REMOTE_SERVERS, for BETY's sync command)"),
    models: z.array(modelName, { message: "a list of model names" }).min(1, "at least one model").default(["SIPNET"])
      .describe("models with a runner each, e.g. [SIPNET, ED2]"),
    firstUsers: z.record(matching(/^[a-z][a-z0-9_]{0,39}$/, "a login of lower-case letters, digits and _"), z.number().int().min(1).max(4), { message: "a map of login → access level 1..4" })
      .default({ carya: 1 }).describe("first users, as login → BETY access level (1 admin … 4 guest), all with the initial password pecanFirstUsersPassword"),
    pecanVersion: imageTag("1.8.0").default("1.8.0")
      .describe("tag of PEcAn's images (pecan/web, pecan/api, pecan/executor, pecan/model-*-git)"),
    betyVersion: imageTag("5.4.1").default("5.4.1").describe("tag of BETY's images (pecan/bety, pecan/db), which BETY releases by its own version"),
    postgisImage: imageRef.default("postgis/postgis:12-3.3").describe("the database image"),
    rabbitmqImage: imageRef.default("rabbitmq:3.13-management").describe("the broker image"),
    dbMemoryMb: dbMemoryMb(512),
  })
  .strict()
  .superRefine((c, ctx) => {
    c.syncPeers.forEach((p, i) => {
      if (p === c.machineId) ctx.addIssue({ code: "custom", path: ["syncPeers", i], message: "a machine id other than this instance's own" });
    });
    const seen = new Set<string>();
    c.models.forEach((m, i) => {
      if (seen.has(m.toLowerCase())) ctx.addIssue({ code: "custom", path: ["models", i], message: "each model once" });
      seen.add(m.toLowerCase());
    });
  });
export type PecanSettings = z.output<typeof pecanSettings>;

// BETY's application role and database, and the superuser pecan/db loads the schema as.
const BETY = { BETYUSER: "bety", BETYDATABASE: "bety" };
const SUPERUSER = "postgres";
const BROKER_USER = "pecan";
const DATA_DIR = "/data";
const RABBITMQ_URI_FILE = "/run/secrets/rabbitmq-uri";

/** A stable id for an instance that was given none: distinct per project/stack in practice. */
export function defaultMachineId(scope: Omit<Scope, "app">): number {
  const h = crypto.createHash("sha256").update(`${scope.project}/${scope.stack}`).digest();
  return 100 + (h.readUInt32BE(0) % 9900);
}

export function pecanSpec(s: PecanSettings, ctx: SpecContext): AppSpec {
  const pecanImage = (name: string) => ({ ref: `pecan/${name}:${s.pecanVersion}` });
  const betyImage = (name: string) => ({ ref: `pecan/${name}:${s.betyVersion}` });
  const keep = ctx.keepDataOnDestroy;
  const localServer = String(s.machineId ?? defaultMachineId(ctx.scope));
  const brokerConf = { fromSecrets: (v: Readonly<Record<string, string>>) => `default_user = ${BROKER_USER}\ndefault_pass = ${v["rabbitmq-password"]}\n` };
  // Every PEcAn image reads the broker's address, password included, from RABBITMQ_URI.
  const brokerUri: FileSpec = {
    path: RABBITMQ_URI_FILE, env: "RABBITMQ_URI",
    content: { fromSecrets: (v) => `amqp://${BROKER_USER}:${v["rabbitmq-password"]}@rabbitmq:5672/%2F` },
  };
  const asEnv = (secret: string, env: string): SecretUse => ({ secret, env });
  const betyPassword = asEnv("db-password", "BETYPASSWORD");
  const superuserPassword = asEnv("postgres-password", "PGPASSWORD");
  const secretKey = asEnv("bety-secret-key", "SECRET_KEY_BASE");
  // The image's own entrypoint and command come from its contract: the wrapper runs them.
  const pecanService = (repository: string, svc: Omit<ServiceSpec, "networks" | "entrypoint">): ServiceSpec => ({
    ...imageRun(repository), networks: ["backend"], memoryMb: 256, ...svc,
  });
  const ready = ["postgres", "rabbitmq", "init-machine"];
  const worker: ServiceSpec["healthcheck"] = tcpConnectedCheck(5672);

  const runners: Record<string, ServiceSpec> = {};
  for (const model of s.models) {
    runners[`runner-${model.toLowerCase()}`] = pecanService("pecan/model-sipnet-git", {
      image: pecanImage(`model-${model.toLowerCase()}-git`),
      files: [brokerUri],
      volumes: { runs: DATA_DIR },
      healthcheck: worker,
      dependsOn: ["rabbitmq"],
    });
  }
  const users: Record<string, ServiceSpec> = {};
  for (const [login, level] of Object.entries(s.firstUsers).sort()) {
    // BETY's `user` takes the password as an argument: bash expands it from the variable the
    // wrapper set, so the command in the container's configuration holds only its name.
    users[`init-user-${login}`] = pecanService("pecan/bety", {
      image: betyImage("bety"),
      command: ["bash", "-c", `exec /home/bety/docker/entrypoint.sh user ${login} "$FIRST_USER_PASSWORD" ${login} ${login}@localhost ${level} ${level}`],
      env: { PGHOST: "postgres", ...BETY },
      secrets: [betyPassword, secretKey, asEnv("first-users-password", "FIRST_USER_PASSWORD")],
      dependsOn: ["init-machine"],
      job: true,
    });
  }
  const userJobs = Object.keys(users);

  return {
    // Only the proxy is on the front end; everything else has no route out and nothing published.
    networks: { backend: { internal: true } },
    volumes: { postgres: { keepOnDestroy: keep }, rabbitmq: { keepOnDestroy: keep }, runs: { keepOnDestroy: keep } },
    secrets: {
      "postgres-password": {}, "db-password": {}, "rabbitmq-password": {}, "bety-secret-key": { length: 64 }, "first-users-password": { length: 16 },
    },
    services: {
      postgres: postgresService({ image: s.postgisImage, user: SUPERUSER, passwordSecret: "postgres-password", volume: "postgres", networks: ["backend"], memoryMb: s.dbMemoryMb }),
      rabbitmq: {
        image: { ref: s.rabbitmqImage },
        files: [{ path: "/etc/rabbitmq/conf.d/10-appstacks.conf", content: brokerConf }],
        volumes: { rabbitmq: "/var/lib/rabbitmq" },
        networks: ["backend"],
        healthcheck: { ...tcpCheck(5672), startPeriod: "10s" },
        timeoutSeconds: 240,
        memoryMb: 512,
      },
      // BETY's set-up, in order; each step leaves a database it finds set up as it is.
      "init-db": pecanService("pecan/db", {
        image: betyImage("db"),
        env: { PGHOST: "postgres", PGUSER: SUPERUSER, PGDATABASE: SUPERUSER, ...BETY },
        secrets: [superuserPassword, betyPassword],
        dependsOn: ["postgres"],
        job: true,
      }),
      "init-machine": pecanService("pecan/bety", {
        image: betyImage("bety"), command: ["fix"],
        env: { PGHOST: "postgres", PGUSER: SUPERUSER, ...BETY, LOCAL_SERVER: localServer },
        secrets: [superuserPassword, betyPassword],
        dependsOn: ["init-db"],
        job: true,
      }),
      ...users,
      bety: pecanService("pecan/bety", {
        image: betyImage("bety"),
        env: { PGHOST: "postgres", ...BETY, LOCAL_SERVER: localServer, REMOTE_SERVERS: s.syncPeers.join(" "), RAILS_RELATIVE_URL_ROOT: "/bety", UNICORN_WORKER_PROCESSES: "1" },
        secrets: [betyPassword, secretKey],
        ports: [{ internal: 8000, external: s.port, setting: "port", http: true, path: "/bety/" }],
        healthcheck: { ...curlHttpCheck(8000, "/bety/"), startPeriod: "10s" },
        dependsOn: userJobs.length ? userJobs : ["init-machine"],
      }),
      web: pecanService("pecan/web", {
        image: pecanImage("web"),
        env: { PGHOST: "postgres", ...BETY, FQDN: "docker", NAME: ctx.scope.stack },
        secrets: [betyPassword, secretKey],
        files: [brokerUri],
        volumes: { runs: DATA_DIR },
        ports: [{ internal: 8080, external: s.port, setting: "port", http: true, path: "/pecan/", redirectRoot: true }],
        healthcheck: curlHttpCheck(8080, "/pecan/"),
        dependsOn: ready,
      }),
      api: pecanService("pecan/api", {
        image: pecanImage("api"),
        // As PEcAn's own compose runs it: PEcAn 1.8.0's API checks passwords against a digest made
        // with the fixed key "notasecret" (apps/api/R/auth.R), while BETY makes users' digests with
        // SECRET_KEY_BASE, a secret here; so no BETY user could log in to it (docs/contracts.md).
        env: { PGHOST: "postgres", PGUSER: BETY.BETYUSER, PGDATABASE: BETY.BETYDATABASE, DATA_DIR: `${DATA_DIR}/`, AUTH_REQ: "FALSE" },
        secrets: [asEnv("db-password", "PGPASSWORD"), secretKey],
        files: [brokerUri],
        volumes: { runs: DATA_DIR },
        ports: [{ internal: 8000, external: s.port, setting: "port", http: true, path: "/api/" }],
        healthcheck: curlHttpCheck(8000, "/api/ping"),
        dependsOn: ready,
      }),
      executor: pecanService("pecan/executor", {
        image: pecanImage("executor"),
        env: { FQDN: "docker" },
        files: [brokerUri],
        volumes: { runs: DATA_DIR },
        healthcheck: worker,
        dependsOn: ["rabbitmq"],
      }),
      ...runners,
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
  configSecrets: [{ key: "pecanFirstUsersPassword", secret: "first-users-password", what: "the first users' initial BETY password" }],
});
