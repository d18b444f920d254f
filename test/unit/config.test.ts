import { loadConfig } from "../../stacks/registry";

describe("loadConfig", () => {
  test("defaults: local target, no apps, data kept, Biostar on 8000", () => {
    const cfg = loadConfig("appstacks", {});
    expect(cfg).toEqual({
      target: "local",
      apps: [],
      keepDataOnDestroy: true,
      imageOverrides: {},
      proxyImage: "traefik:v3.6",
      rollback: {},
      noRollout: [],
      biostar: {
        port: 8000, profile: "dev", buildContext: "apps/biostar", siteName: "Biostar", debug: false, postgresImage: "postgres:16.4", nginxImage: "nginx:1.27", redisImage: "redis:7.2",
        baseImage: "debian:bookworm-slim", dbMemoryMb: 1024,
      },
      wattrex: {
        webPort: 8869, dbPort: 3369, mqttPort: 1883, database: "wattrex_db", dbUser: "wattrex", mqttUser: "wattrex", logLevel: "INFO",
        sharedToolParams: { chanNumMsg: 350, ipcMsgSize: 350, chanTimeout: 1 },
        buildContext: "apps/wattrex", mnBuildContext: "apps/wattrex-mn", mysqlImage: "mysql:8.4", rabbitmqImage: "rabbitmq:3.13", baseImage: "debian:bookworm-slim", dbMemoryMb: 1024,
      },
      // Pinned in full in portal.test.ts.
      portal: expect.objectContaining({ httpPort: 80, mongoImage: "mongo:7.0" }),
      pecan: {
        port: 80, fqdn: "docker", rstudio: false, rstudioUser: "carya", syncPeers: [], models: ["SIPNET"], firstUsers: { carya: 1 }, pecanVersion: "1.8.0", betyVersion: "5.4.1",
        postgisImage: "postgis/postgis:12-3.3", rabbitmqImage: "rabbitmq:3.13-management", dbMemoryMb: 512,
      },
      lab: {
        proxyPort: 3456, livePort: 3457, registry: "own", registryPort: 5000, bluePort: 50100, greenPort: 50101, readerPort: 8000, writerPort: 7000, webappPort: 3000, blueRelease: "1", greenRelease: "1",
        live: "blue", writeIntervalSeconds: 120, buildContext: "apps/devops-lab", redisImage: "redis:7.2", registryImage: "registry:2.8", baseImage: "debian:bookworm-slim",
      },
      // Pinned in full in hosts.test.ts.
      ssh: expect.objectContaining({ user: "root", port: 22, insecureIgnoreHostKey: false }),
      ec2: expect.objectContaining({ instanceType: "t3.small", sandbox: false }),
      // Docker's own swarm modes; which node keeps the data; one task per service.
      swarm: { address: "localhost", endpointMode: "vip", publishMode: "ingress", dataNodeLabel: "appstacks.data", replicas: {} },
      // Target ec2-swarm: one manager, two workers.
      ec2Swarm: { managers: 1, workers: 2 },
    });
  });

  test("explicit values are kept", () => {
    const cfg = loadConfig("appstacks", { apps: ["biostar"], biostar: { port: 18000 }, imageOverrides: { postgres: "appstacks/postgres:local" } });
    expect(cfg.apps).toEqual(["biostar"]);
    expect(cfg.biostar.port).toBe(18000);
    expect(cfg.imageOverrides).toEqual({ postgres: "appstacks/postgres:local" });
  });

  // The clash of the seeds' reader and Biostar ports is a row of test/bad-configs.ts, like every
  // refused configuration (run by bad-config.test.ts); here, that moving the reader resolves it.
  test("a lab whose reader moved off 8000 runs beside Biostar", () => {
    expect(loadConfig("appstacks", { apps: ["biostar", "wattrex", "lab"], lab: { readerPort: 8010 } }).lab.readerPort).toBe(8010);
  });
});
