// WattRex battery experiments manager (seed 002): Django web server, MySQL, the master node
// manager and a RabbitMQ broker with MQTT. The seed's hand-written credential files are rendered
// from one set of values; the web server and node manager start only once MySQL (and the broker)
// are healthy, so the seed's "wait, then docker restart wattrex_web_server" step is gone.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "../components/host/docker-host";
import { AppStack } from "../components/app";
import { heartbeatCheck, pythonHttpCheck, tcpCheck } from "../components/healthcheck";
import { AppSecret } from "../components/secret";
import { resolveImageRef } from "../components/image-ref";
import { Scope } from "../components/naming";
import { configParams, credEnv, credYaml, logConfig, LogLevel, rabbitmqConf, SharedToolParams, WattrexCredentials } from "./wattrex-files";

export interface WattrexArgs {
  readonly host: DockerHost;
  readonly scope: Omit<Scope, "app">;
  /** Host port of the web server. @default 8869 (the seed's) */
  readonly webPort?: number;
  /** Host port of MySQL, for the cyclers of the computational units. @default 3369 (the seed's) */
  readonly dbPort?: number;
  /** Host port of the MQTT listener, for the cyclers. @default 1883 */
  readonly mqttPort?: number;
  /** @default "wattrex_db" */
  readonly database?: string;
  /** @default "wattrex" */
  readonly dbUser?: string;
  /** @default "wattrex" */
  readonly mqttUser?: string;
  /** @default "INFO" */
  readonly logLevel?: LogLevel;
  /** @default { chanNumMsg: 350, ipcMsgSize: 350, chanTimeout: 1 } (the seed's) */
  readonly sharedToolParams?: SharedToolParams;
  /** Build context of the web server and node manager image. */
  readonly buildContext: string;
  /** @default "mysql:8.4" */
  readonly mysqlImage?: string;
  /** @default "rabbitmq:3.13" */
  readonly rabbitmqImage?: string;
  /** @default "debian:bookworm-slim" */
  readonly baseImage?: string;
  /** Memory limit of the MySQL container in MiB. @default none */
  readonly dbMemoryMb?: number;
  /** @default true */
  readonly keepDataOnDestroy?: boolean;
  /** The stack's secret seed: credentials are derived from it, so kept data stays readable. */
  readonly secretSeed?: pulumi.Input<string>;
  readonly imageOverrides?: Readonly<Record<string, string>>;
}

const APP_DIR = "/app/devops";

export class Wattrex extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:stacks:Wattrex";
  public readonly url: pulumi.Output<string>;
  public readonly app: AppStack;

  constructor(name: string, args: WattrexArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Wattrex.TYPE, name, {}, opts);
    const overrides = args.imageOverrides ?? {};
    const secret = (key: string, length = 32) => new AppSecret(`${name}-${key}`, { length, seed: args.secretSeed }, { parent: this }).value;
    const pw = { db: secret("db-password"), root: secret("db-root-password"), mqtt: secret("mqtt-password"), django: secret("django-secret-key", 50) };
    // Inside the stack, services reach each other by name on the stack's network.
    const creds: pulumi.Output<WattrexCredentials> = pulumi.all([pw.db, pw.root, pw.mqtt, pw.django]).apply(([db, root, mqtt, django]) => ({
      database: args.database ?? "wattrex_db", dbUser: args.dbUser ?? "wattrex", dbPassword: db, dbRootPassword: root,
      dbHost: "db", dbPort: 3306, mqttUser: args.mqttUser ?? "wattrex", mqttPassword: mqtt, mqttHost: "broker", mqttPort: 1883, djangoSecretKey: django,
    }));
    const secretText = (render: (c: WattrexCredentials) => string) => pulumi.secret(creds.apply(render));
    const configFile = `${APP_DIR}/config_params.yaml`;
    const healthy = (cmd: string) => ({ test: ["CMD-SHELL", cmd] });

    this.app = new AppStack(name, {
      host: args.host,
      scope: { ...args.scope, app: "wattrex" },
      imageOverrides: overrides,
      secretSeed: args.secretSeed,
      spec: {
        networks: { backend: {} },
        volumes: { mysql: { keepOnDestroy: args.keepDataOnDestroy ?? true }, broker: { keepOnDestroy: args.keepDataOnDestroy ?? true } },
        secrets: { "db-password": { value: pw.db }, "db-root-password": { value: pw.root } },
        images: { wattrex: { build: { context: args.buildContext, args: { BASE_IMAGE: resolveImageRef(args.baseImage ?? "debian:bookworm-slim", overrides) } } } },
        services: {
          db: {
            image: { ref: args.mysqlImage ?? "mysql:8.4" },
            env: { MYSQL_DATABASE: args.database ?? "wattrex_db", MYSQL_USER: args.dbUser ?? "wattrex" },
            secrets: [{ secret: "db-password", pathEnv: "MYSQL_PASSWORD_FILE" }, { secret: "db-root-password", pathEnv: "MYSQL_ROOT_PASSWORD_FILE" }],
            files: [{ path: "/docker-entrypoint-initdb.d/init.sql", content: readInitSql(args.buildContext) }],
            volumes: { mysql: "/var/lib/mysql" },
            networks: ["backend"],
            // The seed publishes MySQL for the cyclers, which run on other machines: declared for the policy pack.
            ports: [{ internal: 3306, external: args.dbPort ?? 3369 }],
            labels: { "appstacks.allow-published-database": "true" },
            healthcheck: { ...healthy("mysqladmin ping -h 127.0.0.1 --silent"), startPeriod: "5s" },
            memoryMb: args.dbMemoryMb ?? 1024,
          },
          broker: {
            image: { ref: args.rabbitmqImage ?? "rabbitmq:3.13" },
            files: [{ path: "/etc/rabbitmq/conf.d/10-appstacks.conf", content: secretText(rabbitmqConf) }],
            volumes: { broker: "/var/lib/rabbitmq" },
            networks: ["backend"],
            ports: [{ internal: 1883, external: args.mqttPort ?? 1883 }],
            healthcheck: { ...tcpCheck(1883), interval: "3s", startPeriod: "10s" },
            timeoutSeconds: 240,
            memoryMb: 1024,
          },
          web: {
            image: "wattrex",
            env: { CRED_ENV_PATH: "/run/secrets/cred.env" },
            files: [{ path: "/run/secrets/cred.env", content: secretText(credEnv) }],
            networks: ["backend"],
            ports: [{ internal: 8869, external: args.webPort ?? 8869 }],
            healthcheck: pythonHttpCheck(8869),
            dependsOn: ["db"],
            memoryMb: 512,
          },
          "mn-manager": {
            image: "wattrex",
            command: ["python3", "-m", "mn_manager.main"],
            env: { CONFIG_FILE_PATH: configFile, MN_CONFIG_DIR: `${APP_DIR}/mn_manager` },
            files: [
              { path: `${APP_DIR}/mn_manager/.cred.yaml`, content: secretText(credYaml) },
              { path: `${APP_DIR}/mn_manager/log_config.yaml`, content: logConfig(args.logLevel ?? "INFO") },
              { path: configFile, content: configParams(args.sharedToolParams ?? { chanNumMsg: 350, ipcMsgSize: 350, chanTimeout: 1 }) },
            ],
            networks: ["backend"],
            healthcheck: heartbeatCheck("/tmp/healthy"),
            dependsOn: ["db", "broker"],
            memoryMb: 512,
          },
        },
      },
    }, { parent: this });
    this.url = pulumi.interpolate`http://${args.host.address}:${args.webPort ?? 8869}/`;
    this.registerOutputs({ url: this.url });
  }
}

/** The seed's database init script ships with the app's sources (db/init.sql in the context). */
function readInitSql(context: string): string {
  return fs.readFileSync(path.join(context, "db", "init.sql"), "utf8");
}
