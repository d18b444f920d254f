// The credential and config files of the WattRex seed, rendered from typed values. Pure, so a
// unit test pins their exact text; the seed asked users to keep four hand-written files in sync,
// here one set of values feeds them all and they agree by construction.
// js-yaml rather than the `yaml` package the tools use: the Pulumi SDK has already loaded js-yaml
// when the program starts (it reads the project's package.json and Pulumi.yaml with it), where
// loading `yaml` cost 40 ms of every run (of every app's, as the registry loads every stack). It
// also quotes what YAML 1.1 reads as something else ("on", "yes", "12:30"), and the PyYAML that
// reads these files is YAML 1.1. For the values written here the text is the same with either.
import { dump } from "js-yaml";
import type { WattrexSettings } from "./wattrex";

export interface WattrexCredentials {
  readonly database: string;
  readonly dbUser: string;
  readonly dbPassword: string;
  readonly dbRootPassword: string;
  /** Where services reach the database: the service name and the container port. */
  readonly dbHost: string;
  readonly dbPort: number;
  readonly mqttUser: string;
  readonly mqttPassword: string;
  readonly mqttHost: string;
  readonly mqttPort: number;
  readonly djangoSecretKey: string;
}

/** devops/master_db/.cred.env: what the web server reads. */
export function credEnv(c: WattrexCredentials): string {
  return [
    `MYSQL_DATABASE=${c.database}`,
    `MYSQL_USER=${c.dbUser}`,
    `DJANGO_DB1_database=${c.database}`,
    `DJANGO_DB1_user=${c.dbUser}`,
    `DJANGO_DB1_password=${c.dbPassword}`,
    "DJANGO_DB1_default-character-set=utf8",
    `DJANGO_DB1_host=${c.dbHost}`,
    `DJANGO_DB1_port=${c.dbPort}`,
    `SECRET_KEY=${c.djangoSecretKey}`,
    "",
  ].join("\n");
}

/**
 * devops/mn_manager/.cred.yaml: what the master node manager reads, section master_db through
 * wattrex-driver-db (user, password, host, port, database: a mysql+mysqlconnector URL built
 * without escaping, so the generated passwords are alphanumeric) and section mqtt through
 * wattrex-driver-mqtt (user, password, host, port). `engine` is the seed example's; nothing reads it.
 */
export function credYaml(c: WattrexCredentials): string {
  return "---\n" + dump({
    master_db: { user: c.dbUser, password: c.dbPassword, host: c.dbHost, port: c.dbPort, database: c.database, engine: "mysql" },
    mqtt: { user: c.mqttUser, password: c.mqttPassword, host: c.mqttHost, port: c.mqttPort },
  });
}

/** The broker's default user, in the config file format both RabbitMQ images read from conf.d. */
export function rabbitmqConf(c: Pick<WattrexCredentials, "mqttUser" | "mqttPassword">): string {
  return [`default_user = ${c.mqttUser}`, `default_pass = ${c.mqttPassword}`, "mqtt.allow_anonymous = false", ""].join("\n");
}

/**
 * devops/mn_manager/log_config.yaml, as system-logger-tool reads it: one level per top-level
 * package whose modules log (a package missing here logs a warning at import), and
 * file_handlers (none: the log goes to stdout). The modules the node manager imports, as in the
 * seed's example.
 */
export function logConfig(level: WattrexSettings["logLevel"]): string {
  const modules = ["__main__", "wattrex_mn_manager", "wattrex_driver_mqtt", "wattrex_driver_db"];
  const levels: Record<string, unknown> = Object.fromEntries(modules.map((m) => [m, level]));
  for (const quiet of ["system_config_tool", "system_logger_tool", "system_shared_tool"]) levels[quiet] = "ERROR";
  levels.file_handlers = {};
  return "---\n" + dump(levels);
}

/**
 * devops/config_params.yaml, found through CONFIG_FILE_PATH (mandatory: system-config-tool opens
 * it when system_shared_tool and wattrex_driver_db are imported). One section per package: the
 * defaults of system-shared-tool's channels, and wattrex-driver-db's default credential file.
 */
export function configParams(p: WattrexSettings["sharedToolParams"], credPath: string): string {
  return "---\n" + dump({
    system_shared_tool: { DEFAULT_CHAN_NUM_MSG: p.chanNumMsg, DEFAULT_IPC_MSG_SIZE: p.ipcMsgSize, DEFAULT_CHAN_TIMEOUT: p.chanTimeout },
    wattrex_driver_db: { DEFAULT_CRED_FILEPATH: credPath },
  });
}

/**
 * /etc/rabbitmq/enabled_plugins: the official rabbitmq image enables only rabbitmq_prometheus
 * (docs/contracts.md), and a file here replaces that list, so it names both: MQTT for the cyclers
 * and the node manager, Prometheus as the image had it. The seed's compose handed over the same file.
 */
export const ENABLED_PLUGINS = "[rabbitmq_prometheus,rabbitmq_mqtt].\n";
