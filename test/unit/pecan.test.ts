import * as pulumi from "@pulumi/pulumi";
import { installMocks, reset, ofType, byName, options, dependsOnNames, uploads as uploadsOf, deployForTest } from "./mocks";
import { pecan, defaultMachineId } from "../../stacks/pecan";
import { pecanProxySite } from "../../stacks/pecan-proxy";

installMocks();
const CONTAINER = "docker:index/container:Container";

async function deploy(extra: Record<string, unknown> & { keepDataOnDestroy?: boolean } = {}, stack = "dev") {
  reset();
  const { keepDataOnDestroy, ...settings } = extra;
  return deployForTest(pecan, { settings, stack, keepDataOnDestroy });
}

const short = (name: string) => name.replace(/^appstacks-\w+-pecan-/, "");
const envOf = (svc: string) => Object.fromEntries((byName(`pecan-${svc}-container`).inputs.envs as string[]).map((e) => e.split(/=(.*)/s).slice(0, 2)));
const uploads = (svc: string) => uploadsOf(`pecan-${svc}-container`);
const dependsOn = (svc: string) => dependsOnNames(`pecan-${svc}-container`, "pecan");

describe("PEcAn stack", () => {
  test("services, one runner per model, and only the proxy published (PEcAn's port 80 by default)", async () => {
    await deploy({ models: ["SIPNET", "ED2"] });
    const ports = Object.fromEntries(ofType(CONTAINER).map((c) => [short(c.inputs.name), (c.inputs.ports ?? []).map((p: { internal: number; external: number }) => `${p.external}->${p.internal}`)]));
    expect(ports).toEqual({
      postgres: [], rabbitmq: [], "init-schema": [], "init-users": [], bety: [], web: [], api: [], executor: [],
      "runner-sipnet": [], "runner-ed2": [], proxy: ["80->80"],
    });
    expect(byName("pecan-runner-ed2-image").inputs.name).toBe("pecan/model-ed2-git:1.8.0");
    expect(envOf("runner-ed2").PECAN_MODEL).toBe("ED2");
  });

  test("the back end is internal; the proxy alone bridges it to the front end", async () => {
    await deploy();
    expect(byName("pecan-backend-network").inputs.internal).toBe(true);
    expect(byName("pecan-frontend-network").inputs.internal).toBeFalsy();
    const nets = Object.fromEntries(ofType(CONTAINER).map((c) => [short(c.inputs.name), c.inputs.networksAdvanced.map((n: { name: string }) => short(n.name))]));
    for (const [svc, list] of Object.entries(nets)) expect(list).toEqual(svc === "proxy" ? ["frontend", "backend"] : ["backend"]);
    const site = uploads("proxy")["/etc/nginx/conf.d/default.conf"];
    expect(site).toContain("location /pecan/ {\n        set $upstream http://web:8000;");
    expect(site).toContain("set $upstream http://bety:8000;");
    expect(site).toContain("set $upstream http://api:8000;");
  });

  test("health-gated order: init jobs in order after PostGIS; everything else after healthy PostGIS, RabbitMQ and the init", async () => {
    await deploy();
    expect(await dependsOn("init-schema")).toEqual(["postgres"]);
    expect(await dependsOn("init-users")).toEqual(["init-schema"]);
    expect(await dependsOn("bety")).toEqual(["init-users"]);
    for (const svc of ["web", "api", "executor", "runner-sipnet"]) expect(await dependsOn(svc)).toEqual(["init-users", "postgres", "rabbitmq"]);
    expect(await dependsOn("proxy")).toEqual(["api", "bety", "web"]);
    for (const svc of ["postgres", "rabbitmq", "bety", "web", "api", "executor", "runner-sipnet", "proxy"]) expect(byName(`pecan-${svc}-container`).inputs.wait).toBe(true);
    for (const job of ["init-schema", "init-users"]) {
      expect(byName(`pecan-${job}-container`).inputs).toMatchObject({ attach: true, restart: "no" });
    }
    expect(byName("pecan-init-schema-container").inputs.command).toEqual(["initialize"]);
  });

  test("credentials are files: the database password and the broker URI agree with the broker's config", async () => {
    await deploy();
    const brokerConf = uploads("rabbitmq")["/etc/rabbitmq/conf.d/10-appstacks.conf"];
    const brokerPassword = /default_pass = (\S+)/.exec(brokerConf)![1];
    for (const svc of ["web", "api", "executor", "runner-sipnet", "init-users"]) {
      expect(uploads(svc)["/run/secrets/rabbitmq-uri"]).toBe(`amqp://pecan:${brokerPassword}@rabbitmq:5672/%2F`);
      expect(envOf(svc)).toMatchObject({ PGPASSWORD_FILE: "/run/secrets/db-password", RABBITMQ_URI_FILE: "/run/secrets/rabbitmq-uri", PGHOST: "postgres" });
      expect(byName(`pecan-${svc}-container`).inputs.uploads[pulumi.runtime.specialSigKey]).toBe(pulumi.runtime.specialSecretSig);
      expect(JSON.stringify(byName(`pecan-${svc}-container`).inputs.envs)).not.toContain(brokerPassword);
    }
    expect(uploads("postgres")["/run/secrets/db-password"]).toBe(uploads("web")["/run/secrets/db-password"]);
    expect(envOf("postgres")).toEqual({ POSTGRES_DB: "bety", POSTGRES_PASSWORD_FILE: "/run/secrets/db-password", POSTGRES_USER: "bety" });
  });

  test("machine id and sync peers reach the containers that need them", async () => {
    await deploy({ machineId: 42, syncPeers: [{ machineId: 7, url: "https://peer.example.org/bety/" }] });
    for (const svc of ["init-schema", "bety", "web", "runner-sipnet"]) expect(envOf(svc).PECAN_MACHINE_ID).toBe("42");
    expect(envOf("bety").PECAN_SYNC_PEERS_FILE).toBe("/etc/pecan/sync-peers.json");
    expect(JSON.parse(uploads("bety")["/etc/pecan/sync-peers.json"])).toEqual([{ machineId: 7, url: "https://peer.example.org/bety/" }]);
  });

  test("without a machine id each instance gets its own, stable one", () => {
    const dev = defaultMachineId({ project: "appstacks", stack: "dev" });
    expect(defaultMachineId({ project: "appstacks", stack: "dev" })).toBe(dev);
    expect(defaultMachineId({ project: "appstacks", stack: "prod" })).not.toBe(dev);
    expect(dev).toBeGreaterThanOrEqual(100);
    expect(dev).toBeLessThan(10000);
  });

  test("database, broker and runs volumes are kept on destroy by default, and only then", async () => {
    await deploy();
    for (const v of ["postgres", "rabbitmq", "runs"]) expect(options.get(`pecan-${v}-volume`)?.retainOnDelete).toBe(true);
    for (const svc of ["web", "api", "executor", "runner-sipnet"]) expect(byName(`pecan-${svc}-container`).inputs.volumes).toEqual([expect.objectContaining({ containerPath: "/data" })]);
    await deploy({ keepDataOnDestroy: false });
    for (const v of ["postgres", "rabbitmq", "runs"]) expect(options.get(`pecan-${v}-volume`)?.retainOnDelete).toBe(false);
  });

  test("the proxy site renders exactly", () => {
    expect(pecanProxySite([{ path: "/pecan/", upstream: "web:8000" }, { path: "/api/", upstream: "api:8000" }])).toMatchSnapshot();
  });
});

