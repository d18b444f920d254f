import * as pulumi from "@pulumi/pulumi";
import { installMocks, reset, ofType, byName, options, dependsOnNames, uploads, deployForTest } from "./mocks";
import { wattrex, wattrexSettings, wattrexSpec } from "../../stacks/wattrex";
import { specProblems } from "../../components/app-spec";
import { credEnv, credYaml, logConfig, configParams, rabbitmqConf } from "../../stacks/wattrex-files";

installMocks();
const CONTAINER = "docker:index/container:Container";

async function deploy(stack = "dev", ports: { webPort?: number; dbPort?: number; mqttPort?: number } = {}) {
  reset();
  return deployForTest(wattrex, { stack, settings: ports });
}

describe("WattRex stack", () => {
  test("four services; published ports follow the seed: web 8869, database 3369, MQTT 1883", async () => {
    await deploy();
    const ports = Object.fromEntries(ofType(CONTAINER).map((c) => [c.inputs.name, (c.inputs.ports ?? []).map((p: { internal: number; external: number }) => `${p.external}->${p.internal}`)]));
    expect(ports).toEqual({
      "appstacks-dev-wattrex-db": ["3369->3306"],
      "appstacks-dev-wattrex-broker": ["1883->1883"],
      "appstacks-dev-wattrex-web": ["8869->8869"],
      "appstacks-dev-wattrex-mn-manager": [],
    });
  });

  test("a prod instance beside dev on one daemon: other names, other ports", async () => {
    await deploy("prod", { webPort: 9869, dbPort: 4369, mqttPort: 2883 });
    const names = ofType(CONTAINER).map((c) => c.inputs.name);
    expect(names.every((n: string) => n.startsWith("appstacks-prod-wattrex-"))).toBe(true);
    expect(byName("wattrex-backend-network").inputs.name).toBe("appstacks-prod-wattrex-backend");
    expect(byName("wattrex-mysql-volume").inputs.name).toBe("appstacks-prod-wattrex-mysql");
  });

  test("web and node manager start only after MySQL (and the broker) are healthy", async () => {
    await deploy();
    const deps = (svc: string) => dependsOnNames(`wattrex-${svc}-container`);
    expect(await deps("web")).toEqual(["wattrex-db-container"]);
    expect(await deps("mn-manager")).toEqual(["wattrex-broker-container", "wattrex-db-container"]);
    for (const svc of ["db", "broker", "web", "mn-manager"]) expect(byName(`wattrex-${svc}-container`).inputs.wait).toBe(true);
  });

  test("credential files agree by construction and are delivered where the services expect them", async () => {
    await deploy();
    const web = uploads("wattrex-web-container")["/run/secrets/cred.env"];
    const mn = uploads("wattrex-mn-manager-container");
    const broker = uploads("wattrex-broker-container")["/etc/rabbitmq/conf.d/10-appstacks.conf"];
    const dbPassword = /DJANGO_DB1_password=(\S+)/.exec(web)![1];
    // The real node manager opens ./devops/mn_manager/{.cred.yaml,log_config.yaml} from its
    // working directory (/code, the image's WORKDIR) and CONFIG_FILE_PATH.
    expect(mn["/code/devops/mn_manager/.cred.yaml"]).toContain(`password: ${dbPassword}`);
    const mqttPassword = /default_pass = (\S+)/.exec(broker)![1];
    expect(mn["/code/devops/mn_manager/.cred.yaml"]).toContain(`password: ${mqttPassword}`);
    expect(web).toContain("DJANGO_DB1_host=db\n");
    expect(byName("wattrex-mn-manager-container").inputs.envs).toContain("CONFIG_FILE_PATH=/code/devops/config_params.yaml");
    expect(Object.keys(mn).sort()).toEqual(["/code/devops/config_params.yaml", "/code/devops/mn_manager/.cred.yaml", "/code/devops/mn_manager/log_config.yaml"]);
    expect(mn["/code/devops/config_params.yaml"]).toContain("DEFAULT_CRED_FILEPATH: /code/devops/mn_manager/.cred.yaml");
    // Files holding credentials travel as secrets; no credential is an environment value.
    for (const c of ["wattrex-web-container", "wattrex-mn-manager-container", "wattrex-broker-container"]) {
      expect(byName(c).inputs.uploads[pulumi.runtime.specialSigKey]).toBe(pulumi.runtime.specialSecretSig);
      expect(JSON.stringify(byName(c).inputs.envs)).not.toContain(dbPassword);
    }
    expect(byName("wattrex-db-container").inputs.envs).toEqual([
      "MYSQL_DATABASE=wattrex_db", "MYSQL_PASSWORD_FILE=/run/secrets/db-password", "MYSQL_ROOT_PASSWORD_FILE=/run/secrets/db-root-password", "MYSQL_USER=wattrex",
    ]);
  });

  test("the broker enables MQTT itself, keeping the official image's own plugin (the image enables no MQTT)", async () => {
    await deploy();
    expect(uploads("wattrex-broker-container")["/etc/rabbitmq/enabled_plugins"]).toBe("[rabbitmq_prometheus,rabbitmq_mqtt].\n");
  });

  test("the node manager runs its own image (the PyPI package) with the message queue limit its queues need", async () => {
    await deploy();
    const mn = byName("wattrex-mn-manager-container").inputs;
    expect(byName("wattrex-wattrex-mn-image").inputs.build).toMatchObject({ context: "apps/wattrex-mn", buildArgs: { BASE_IMAGE: "debian:bookworm-slim" } });
    expect(byName("wattrex-wattrex-image").inputs.build.context).toBe("apps/wattrex");
    expect(mn.command).toBeUndefined();
    // 350-message queues; a container's IPC namespace allows 10 unless told otherwise.
    expect(mn.sysctls).toEqual({ "fs.mqueue.msg_max": "350" });
    expect(mn.ipcMode).toBeUndefined();
    const test = mn.healthcheck.tests.join(" ");
    expect(test).toContain("test -e /dev/mqueue/mn_reqs && test -e /dev/mqueue/mn_data");
    expect(test).toContain("[0-9A-F]+:0CEA 01 "); // MySQL, 3306, ESTABLISHED
    expect(test).toContain("[0-9A-F]+:075B 01 "); // MQTT, 1883
  });

  test("a larger channel setting raises the queue limit with it", async () => {
    reset();
    await deployForTest(wattrex, { stack: "dev", settings: { sharedToolParams: { chanNumMsg: 1000 } } });
    expect(byName("wattrex-mn-manager-container").inputs.sysctls).toEqual({ "fs.mqueue.msg_max": "1000" });
  });

  test("a channel size beyond what Linux allows a queue is one line before any container starts", () => {
    const ctx = { scope: { project: "appstacks", stack: "dev", app: "wattrex" }, keepDataOnDestroy: true, imageOverrides: {} };
    const spec = wattrexSpec(wattrexSettings.parse({ sharedToolParams: { chanNumMsg: 70000 } }), ctx);
    expect(specProblems("wattrex", spec)).toEqual([
      "wattrex.services.mn-manager.sysctls: fs.mqueue.msg_max=70000 is out of range (allowed: an integer from 1 to 65536)",
    ]);
  });

  test("MySQL and broker data are volumes kept on destroy", async () => {
    await deploy();
    expect(options.get("wattrex-mysql-volume")?.retainOnDelete).toBe(true);
    expect(options.get("wattrex-broker-volume")?.retainOnDelete).toBe(true);
  });
});

describe("WattRex files", () => {
  const c = {
    database: "wattrex_db", dbUser: "u", dbPassword: "dbpw", dbRootPassword: "root", dbHost: "db", dbPort: 3306,
    mqttUser: "m", mqttPassword: "mqpw", mqttHost: "broker", mqttPort: 1883, djangoSecretKey: "key",
  };
  test("render exactly", () => {
    expect(credEnv(c)).toMatchSnapshot();
    expect(credYaml(c)).toMatchSnapshot();
    expect(rabbitmqConf(c)).toMatchSnapshot();
    expect(logConfig("INFO")).toMatchSnapshot();
    expect(configParams({ chanNumMsg: 350, ipcMsgSize: 350, chanTimeout: 1 }, "/code/devops/mn_manager/.cred.yaml")).toMatchSnapshot();
  });
});
