// PEcAn (seed 000) as its published images and its own docker-compose.yml run it (docs/contracts.md,
// stacks/image-contracts.ts): one published port (and optionally HTTPS) where the app's front
// proxy (Traefik, reading container labels, as PEcAn's stack routes) sends / to the home page and
// docs, /pecan/ to the web UI, /bety/ and /api/ to BETY and the API, /monitor/ to the model
// monitor, /dbsync/ to the sync app and, when asked, /rstudio/ to RStudio, by host name too when
// one is set, each rolling out with no gap (components/runtime/front-proxy.ts); PostGIS,
// RabbitMQ, an executor and one runner per model consuming from it, a shared runs volume that
// PEcAn's data loader fills once before the web tier starts. The database is set up the way BETY's own instructions say, each step a
// one-shot job in order: pecan/db loads the schema as the PostgreSQL superuser (it skips a
// database that exists), BETY's `fix` applies this instance's machine id, BETY's `user` adds each
// first user. PEcAn's images read credentials only from variables: they get them through the
// secret-env wrapper, so no value is in the containers' configuration.
import * as crypto from "crypto";
import { z } from "zod";
import { defineApp, SpecContext } from "../config/app-definition";
import { dbMemoryMb, imageRef, intRange, matching, port } from "../config/schema";
import { AppSpec, DNS_NAME, FileSpec, PublishedPort, SecretUse, ServiceSpec } from "../components/app-spec";
import { bashHttpCheck, curlHttpCheck, tcpConnectedCheck, tcpCheck } from "../components/healthcheck";
import { Scope } from "../components/naming";
import { postgresService } from "../components/postgres";
import { imageRun } from "./image-contracts";

const machineId = intRange(1, 2147483);
const modelName = matching(/^[A-Za-z][A-Za-z0-9]{0,31}$/, "a model name of letters and digits, e.g. SIPNET");
const imageTag = (example: string) => matching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, `an image tag such as ${example}`).refine((t) => t !== "latest", "a pinned image tag, not latest");

export const pecanSettings = z
  .object({
    port: port.default(80).describe("host port of every route (/, /pecan/, /bety/, /api/, /monitor/, /dbsync/, /rstudio/), the only published HTTP port (PEcAn's 80)"),
    tlsPort: port.optional().describe("host port of the same routes over HTTPS, TLS ended by the front proxy with its default (self-signed) certificate, as PEcAn's docker-compose.https.yml adds 443; unset: no HTTPS"),
    host: matching(DNS_NAME, "a DNS name such as pecan.example.org").optional()
      .describe("host name the front proxy routes by, with the path (PEcAn's TRAEFIK_HOST); unset: every host name"),
    fqdn: matching(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/, "a host name such as docker or pecan.example.org").default("docker")
      .describe("the name this instance's files and models are registered under in BETY's machines (PEcAn's PECAN_FQDN)"),
    name: matching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/, "a short name of letters, digits, spaces, . _ -").optional()
      .describe("the instance's name the web UI shows (PEcAn's PECAN_NAME); unset: the stack's name"),
    rstudio: z.boolean().default(false).describe("serve RStudio at /rstudio/ (pecan/base), signed in as rstudioUser with the secret pecanRstudioPassword"),
    rstudioUser: matching(/^[a-z][a-z0-9_]{0,31}$/, "a login of lower-case letters, digits and _").refine((u) => u !== "root", "a login other than root")
      .default("carya").describe("RStudio's account (PEcAn's PECAN_RSTUDIO_USER)"),
    // BETY allocates each machine its own id range, which is what makes syncing between instances possible.
    machineId: machineId.optional().describe("this instance's BETY machine id (LOCAL_SERVER, applied by BETY's fix); unset: derived from project and stack (100..9999)"),
    syncPeers: z.array(machineId, { message: "a list of BETY machine ids" }).default([])
      .describe("BETY machine ids whose data this instance syncs (REMOTE_SERVERS, for BETY's sync command)"),
    models: z.array(modelName, { message: "a list of model names" }).min(1, "at least one model").default(["SIPNET"])
      .describe("models with a runner each, e.g. [SIPNET, ED2]"),
    firstUsers: z.record(matching(/^[a-z][a-z0-9_]{0,39}$/, "a login of lower-case letters, digits and _"), z.number().int().min(1).max(4), { message: "a map of login → access level 1..4" })
      .default({ carya: 1 }).describe("first users, as login → BETY access level (1 admin … 4 guest), all with the initial password pecanFirstUsersPassword"),
    pecanVersion: imageTag("1.8.0").default("1.8.0")
      .describe("tag of PEcAn's images (pecan/web, pecan/api, pecan/executor, pecan/model-*-git, pecan/docs, pecan/monitor, pecan/shiny-dbsync, pecan/base, pecan/data)"),
    betyVersion: imageTag("5.4.1").default("5.4.1").describe("tag of BETY's images (pecan/bety, pecan/db), which BETY releases by its own version"),
    postgisImage: imageRef.default("postgis/postgis:12-3.3").describe("the database image"),
    rabbitmqImage: imageRef.default("rabbitmq:3.13-management").describe("the broker image"),
    dbMemoryMb: dbMemoryMb(512),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.tlsPort !== undefined && c.tlsPort === c.port) ctx.addIssue({ code: "custom", path: ["tlsPort"], message: "a host port other than port's" });
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
  // The image's own entrypoint and command come from its contract: the wrapper runs them. A
  // shell-form CMD (pecan/monitor's, shiny-dbsync's) leaves /bin/sh as PID 1, which ignores
  // SIGTERM: Docker's init passes the stop on, so a stop takes no full grace period.
  const pecanService = (repository: string, svc: Omit<ServiceSpec, "networks" | "entrypoint">): ServiceSpec => {
    const run = imageRun(repository);
    const command = svc.command ?? run.command;
    return { ...run, networks: ["backend"], memoryMb: 256, ...(command[0] === "/bin/sh" && command[1] === "-c" && !svc.job ? { init: true } : {}), ...svc };
  };
  const name = s.name ?? ctx.scope.stack;
  // Every route of PEcAn's proxy, on the HTTP port and, with tlsPort, the HTTPS one; by host name
  // and path when a host is set, as PEcAn's labels route by TRAEFIK_HOST.
  const routed = (internal: number, path: string, extra: Partial<PublishedPort> = {}): PublishedPort[] => {
    const route = { internal, http: true, path, ...(s.host === undefined ? {} : { host: s.host }), ...extra };
    return [
      { ...route, external: s.port, setting: "port" },
      ...(s.tlsPort === undefined ? [] : [{ ...route, external: s.tlsPort, setting: "tlsPort", tls: true }]),
    ];
  };
  // The web tier starts once the data loader has run (after the first users).
  const ready = ["postgres", "rabbitmq", "load-data"];
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
  const rstudio: Record<string, ServiceSpec> = !s.rstudio ? {} : {
    // PEcAn's compose runs RStudio from pecan/base with /work/rstudio.sh; the proxy strips
    // /rstudio and tells RStudio where it lives.
    rstudio: pecanService("pecan/base", {
      image: pecanImage("base"),
      command: ["/work/rstudio.sh"],
      env: { KEEP_ENV: "RABBITMQ_URI FQDN NAME", FQDN: s.fqdn, NAME: name, USER: s.rstudioUser },
      secrets: [asEnv("rstudio-password", "PASSWORD")],
      files: [brokerUri],
      volumes: { runs: DATA_DIR, rstudio: "/home" },
      ports: routed(8787, "/rstudio/", { stripPrefix: true, requestHeaders: { "X-RStudio-Root-Path": "/rstudio" } }),
      healthcheck: curlHttpCheck(8787, "/"),
      dependsOn: ["rabbitmq", "load-data"],
      memoryMb: 512,
    }),
  };

  return {
    // Only the proxy is on the front end; everything else has no route out and nothing published.
    networks: { backend: { internal: true } },
    volumes: { postgres: { keepOnDestroy: keep }, rabbitmq: { keepOnDestroy: keep }, runs: { keepOnDestroy: keep }, ...(s.rstudio ? { rstudio: { keepOnDestroy: keep } } : {}) },
    secrets: {
      "postgres-password": {}, "db-password": {}, "rabbitmq-password": {}, "bety-secret-key": { length: 64 }, "first-users-password": { length: 16 },
      ...(s.rstudio ? { "rstudio-password": { length: 16 } } : {}),
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
      // PEcAn's data loader (pecan/data), once the users exist and before the web tier: unpacks
      // its files into the runs volume and registers them in BETY for this host; each step is
      // skipped when done, so a database gets its data once.
      "load-data": pecanService("pecan/data", {
        image: pecanImage("data"),
        env: { FQDN: s.fqdn, PSQL: `psql -U ${BETY.BETYUSER} -h postgres -d ${BETY.BETYDATABASE} -q -t -c` },
        secrets: [asEnv("db-password", "PGPASSWORD")],
        volumes: { runs: DATA_DIR },
        dependsOn: userJobs.length ? userJobs : ["init-machine"],
        job: true,
      }),
      // PEcAn's home page and documentation, at / (every path no other route takes).
      docs: pecanService("pecan/docs", {
        image: pecanImage("docs"),
        ports: routed(80, "/"),
        healthcheck: bashHttpCheck(80, "/"),
        memoryMb: 64,
      }),
      bety: pecanService("pecan/bety", {
        image: betyImage("bety"),
        env: { PGHOST: "postgres", ...BETY, LOCAL_SERVER: localServer, REMOTE_SERVERS: s.syncPeers.join(" "), RAILS_RELATIVE_URL_ROOT: "/bety", UNICORN_WORKER_PROCESSES: "1" },
        secrets: [betyPassword, secretKey],
        ports: routed(8000, "/bety/"),
        healthcheck: { ...curlHttpCheck(8000, "/bety/"), startPeriod: "10s" },
        dependsOn: userJobs.length ? userJobs : ["init-machine"],
      }),
      web: pecanService("pecan/web", {
        image: pecanImage("web"),
        env: { PGHOST: "postgres", ...BETY, FQDN: s.fqdn, NAME: name },
        secrets: [betyPassword, secretKey],
        files: [brokerUri],
        volumes: { runs: DATA_DIR },
        ports: routed(8080, "/pecan/"),
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
        ports: routed(8000, "/api/"),
        healthcheck: curlHttpCheck(8000, "/api/ping"),
        dependsOn: ready,
      }),
      executor: pecanService("pecan/executor", {
        image: pecanImage("executor"),
        env: { FQDN: s.fqdn },
        files: [brokerUri],
        volumes: { runs: DATA_DIR },
        healthcheck: worker,
        dependsOn: ["rabbitmq"],
      }),
      // PEcAn's model monitor: registers the models the runners announce; served under /monitor/.
      monitor: pecanService("pecan/monitor", {
        image: pecanImage("monitor"),
        // The broker's management API at its root path (PEcAn's image assumes /rabbitmq/).
        env: { PGHOST: "postgres", ...BETY, FQDN: s.fqdn, RABBITMQ_MGMT_PATH: "/" },
        secrets: [betyPassword],
        files: [brokerUri],
        volumes: { runs: DATA_DIR },
        ports: routed(9999, "/monitor/", { stripPrefix: true }),
        healthcheck: curlHttpCheck(9999, "/"),
        dependsOn: ["rabbitmq", "load-data"],
      }),
      // BETY's database sync app (Shiny), under /dbsync/. PEcAn 1.8.0's compose strips /monitor
      // from it (a copy-paste slip): stripped here of its own prefix.
      dbsync: pecanService("pecan/shiny-dbsync", {
        image: pecanImage("shiny-dbsync"),
        env: { PGHOST: "postgres", PGUSER: BETY.BETYUSER, PGDATABASE: BETY.BETYDATABASE },
        secrets: [asEnv("db-password", "PGPASSWORD")],
        ports: routed(3838, "/dbsync/", { stripPrefix: true }),
        healthcheck: bashHttpCheck(3838, "/"),
        dependsOn: ["load-data"],
      }),
      ...rstudio,
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
  urls: (s) => ({
    pecan: { port: s.port, path: "/pecan/", host: s.host },
    ...(s.tlsPort === undefined ? {} : { "pecan-https": { port: s.tlsPort, path: "/pecan/", host: s.host, https: true } }),
  }),
  configSecrets: [
    { key: "pecanFirstUsersPassword", secret: "first-users-password", what: "the first users' initial BETY password" },
    { key: "pecanRstudioPassword", secret: "rstudio-password", what: "RStudio's password", requiredWhen: { setting: "rstudio", test: (s) => s.rstudio } },
  ],
});
