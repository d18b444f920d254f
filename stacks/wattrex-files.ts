// The credential and config files of the WattRex seed, rendered from typed values. Pure, so a
// unit test pins their exact text; the seed asked users to keep four hand-written files in sync,
// here one set of values feeds them all and they agree by construction.
import { stringify } from "yaml";
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

/** devops/mn_manager/.cred.yaml: what the master node manager reads. */
export function credYaml(c: WattrexCredentials): string {
  return "---\n" + stringify({
    master_db: { user: c.dbUser, password: c.dbPassword, host: c.dbHost, port: c.dbPort, database: c.database, engine: "mysql" },
    mqtt: { user: c.mqttUser, password: c.mqttPassword, host: c.mqttHost, port: c.mqttPort },
  });
}

/** The broker's default user, in the config file format both RabbitMQ images read from conf.d. */
export function rabbitmqConf(c: Pick<WattrexCredentials, "mqttUser" | "mqttPassword">): string {
  return [`default_user = ${c.mqttUser}`, `default_pass = ${c.mqttPassword}`, "mqtt.allow_anonymous = false", ""].join("\n");
}

/** devops/mn_manager/log_config.yaml, with the seed's module list. */
export function logConfig(level: WattrexSettings["logLevel"]): string {
  const modules = ["__main__", "wattrex_mn_manager", "wattrex_driver_mqtt", "wattrex_driver_db", "can_sniffer", "scpi_sniffer", "drv_flow"];
  const levels: Record<string, unknown> = Object.fromEntries(modules.map((m) => [m, level]));
  for (const quiet of ["sys_abs.sys_conf", "system_logger_tool", "system_shared_tool"]) levels[quiet] = "ERROR";
  levels.file_handlers = {};
  return "---\n" + stringify(levels);
}

/** devops/config_params.yaml, found through CONFIG_FILE_PATH. */
export function configParams(p: WattrexSettings["sharedToolParams"]): string {
  return "---\n" + stringify({
    system_shared_tool: { DEFAULT_CHAN_NUM_MSG: p.chanNumMsg, DEFAULT_IPC_MSG_SIZE: p.ipcMsgSize, DEFAULT_CHAN_TIMEOUT: p.chanTimeout },
  });
}

/**
 * /etc/rabbitmq/enabled_plugins: the official rabbitmq image enables only rabbitmq_prometheus
 * (docs/contracts.md), and a file here replaces that list, so it names both: MQTT for the cyclers
 * and the node manager, Prometheus as the image had it. The seed's compose handed over the same file.
 */
export const ENABLED_PLUGINS = "[rabbitmq_prometheus,rabbitmq_mqtt].\n";
