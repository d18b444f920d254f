// WattRex battery experiments manager (seed 002): Django web server, MySQL, the master node
// manager (the real one, wattrex-mn-manager from PyPI: apps/wattrex-mn) and a RabbitMQ broker
// with MQTT. The seed's hand-written credential files are rendered
// from one set of values; the web server and node manager start only once MySQL (and the broker)
// are healthy, so the seed's "wait, then docker restart wattrex_web_server" step is gone.
import * as path from "path";
import { z } from "zod";
import { defineApp, SpecContext } from "../config/app-definition";
import { baseImage, dbMemoryMb, imageRef, nonEmpty, port, positiveInt } from "../config/schema";
import { AppSpec } from "../components/app-spec";
import { mqueueAndConnectionsCheck, pythonHttpCheck, tcpCheck } from "../components/healthcheck";
import { resolveImageRef } from "../components/image-ref";
import { configParams, credEnv, credYaml, ENABLED_PLUGINS, logConfig, rabbitmqConf, WattrexCredentials } from "./wattrex-files";

export const wattrexSettings = z
  .object({
    webPort: port.default(8869).describe("host port of the web server (the seed's)"),
    dbPort: port.default(3369).describe("host port of MySQL, for the cyclers of the computational units (the seed's)"),
    mqttPort: port.default(1883).describe("host port of the MQTT listener, for the cyclers"),
    database: nonEmpty.default("wattrex_db").describe("the database name"),
    dbUser: nonEmpty.default("wattrex").describe("the database user"),
    mqttUser: nonEmpty.default("wattrex").describe("the broker user"),
    logLevel: z.enum(["DEBUG", "INFO", "WARNING", "ERROR"], { message: "one of DEBUG, INFO, WARNING, ERROR" }).default("INFO").describe("the node manager's log level"),
    sharedToolParams: z
      .object({
        chanNumMsg: positiveInt.default(350).describe("messages a channel holds (the seed's)"),
        ipcMsgSize: positiveInt.default(350).describe("bytes of one message (the seed's)"),
        chanTimeout: positiveInt.default(1).describe("seconds a channel read waits (the seed's)"),
      })
      .strict()
      .default({})
      .describe("the node manager's message queues (config_params.yaml)"),
    buildContext: nonEmpty.default("apps/wattrex").describe("build context of the web server image (holds db/init.sql)"),
    mnBuildContext: nonEmpty.default("apps/wattrex-mn").describe("build context of the master node manager image: wattrex-mn-manager from PyPI, installed from the wheelhouse setup downloads"),
    mysqlImage: imageRef.default("mysql:8.4").describe("the database image"),
    rabbitmqImage: imageRef.default("rabbitmq:3.13").describe("the broker image"),
    baseImage,
    dbMemoryMb: dbMemoryMb(1024),
  })
  .strict();
export type WattrexSettings = z.output<typeof wattrexSettings>;

/**
 * The node manager's working directory: the package opens ./devops/mn_manager/.cred.yaml and
 * ./devops/mn_manager/log_config.yaml relative to it (the seed's image: WORKDIR /code).
 */
const MN_DIR = "/code/devops";
/** Its two POSIX message queues, created with 350 messages of 350 bytes whatever config_params says. */
export const MN_QUEUES = { names: ["mn_reqs", "mn_data"], messages: 350 } as const;

export function wattrexSpec(s: WattrexSettings, ctx: SpecContext): AppSpec {
  // Inside the stack, services reach each other by name on the stack's network.
  const creds = (v: Readonly<Record<string, string>>): WattrexCredentials => ({
    database: s.database, dbUser: s.dbUser, dbPassword: v["db-password"], dbRootPassword: v["db-root-password"],
    dbHost: "db", dbPort: 3306, mqttUser: s.mqttUser, mqttPassword: v["mqtt-password"], mqttHost: "broker", mqttPort: 1883, djangoSecretKey: v["django-secret-key"],
  });
  const rendered = (render: (c: WattrexCredentials) => string) => ({ fromSecrets: (v: Readonly<Record<string, string>>) => render(creds(v)) });
  const configFile = `${MN_DIR}/config_params.yaml`;
  const credFile = `${MN_DIR}/mn_manager/.cred.yaml`;
  const healthy = (cmd: string) => ({ test: ["CMD-SHELL", cmd] });
  const baseRef = resolveImageRef(s.baseImage, ctx.imageOverrides);
  return {
    networks: { backend: {} },
    volumes: { mysql: { keepOnDestroy: ctx.keepDataOnDestroy }, broker: { keepOnDestroy: ctx.keepDataOnDestroy } },
    secrets: { "db-password": {}, "db-root-password": {}, "mqtt-password": {}, "django-secret-key": { length: 50 } },
    images: {
      wattrex: { build: { context: s.buildContext, args: { BASE_IMAGE: baseRef } } },
      "wattrex-mn": { build: { context: s.mnBuildContext, args: { BASE_IMAGE: baseRef } } },
    },
    services: {
      db: {
        image: { ref: s.mysqlImage },
        env: { MYSQL_DATABASE: s.database, MYSQL_USER: s.dbUser },
        secrets: [{ secret: "db-password", pathEnv: "MYSQL_PASSWORD_FILE" }, { secret: "db-root-password", pathEnv: "MYSQL_ROOT_PASSWORD_FILE" }],
        // The seed's database init script ships with the app's sources.
        files: [{ path: "/docker-entrypoint-initdb.d/init.sql", content: { fromHostFile: path.join(s.buildContext, "db", "init.sql") } }],
        volumes: { mysql: "/var/lib/mysql" },
        networks: ["backend"],
        // The seed publishes MySQL for the cyclers, which run on other machines: declared for the policy pack.
        ports: [{ internal: 3306, external: s.dbPort, setting: "dbPort" }],
        labels: { "appstacks.allow-published-database": "true" },
        healthcheck: { ...healthy("mysqladmin ping -h 127.0.0.1 --silent"), startPeriod: "5s" },
        memoryMb: s.dbMemoryMb,
      },
      broker: {
        image: { ref: s.rabbitmqImage },
        files: [
          { path: "/etc/rabbitmq/conf.d/10-appstacks.conf", content: rendered(rabbitmqConf) },
          { path: "/etc/rabbitmq/enabled_plugins", content: ENABLED_PLUGINS },
        ],
        volumes: { broker: "/var/lib/rabbitmq" },
        networks: ["backend"],
        ports: [{ internal: 1883, external: s.mqttPort, setting: "mqttPort" }],
        healthcheck: { ...tcpCheck(1883), startPeriod: "10s" },
        timeoutSeconds: 240,
        memoryMb: 1024,
      },
      web: {
        image: "wattrex",
        env: { CRED_ENV_PATH: "/run/secrets/cred.env" },
        files: [{ path: "/run/secrets/cred.env", content: rendered(credEnv) }],
        networks: ["backend"],
        ports: [{ internal: 8869, external: s.webPort, setting: "webPort", http: true }],
        healthcheck: pythonHttpCheck(8869),
        dependsOn: ["db"],
        memoryMb: 512,
      },
      "mn-manager": {
        image: "wattrex-mn",
        env: { CONFIG_FILE_PATH: configFile },
        files: [
          { path: credFile, content: rendered(credYaml) },
          { path: `${MN_DIR}/mn_manager/log_config.yaml`, content: logConfig(s.logLevel) },
          { path: configFile, content: configParams(s.sharedToolParams, credFile) },
        ],
        // A container's IPC namespace allows 10 messages a queue (fs.mqueue.msg_max), and the
        // node manager creates its queues with 350: the seed ran it with `ipc: host` and a raised
        // host limit; here the container's own namespace gets the limit it needs.
        sysctls: { "fs.mqueue.msg_max": String(Math.max(MN_QUEUES.messages, s.sharedToolParams.chanNumMsg)) },
        networks: ["backend"],
        // Healthy while its queues exist and it holds its connections to MySQL and the broker:
        // the program serves no port and writes no status file; it exits when either fails.
        healthcheck: { ...mqueueAndConnectionsCheck(MN_QUEUES.names, [3306, 1883]), startPeriod: "5s" },
        dependsOn: ["db", "broker"],
        memoryMb: 512,
      },
    },
  };
}

export const wattrex = defineApp({
  name: "wattrex",
  title: "WattRex",
  type: "appstacks:stacks:Wattrex",
  settings: wattrexSettings,
  spec: wattrexSpec,
  urls: (s) => ({ wattrex: { port: s.webPort } }),
});
