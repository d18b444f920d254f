import { parseConfig } from "../../config/schema";

describe("parseConfig", () => {
  test("defaults: local target, no apps, data kept, Biostar on 8000", () => {
    const cfg = parseConfig("appstacks", {});
    expect(cfg).toEqual({
      target: "local",
      apps: [],
      keepDataOnDestroy: true,
      imageOverrides: {},
      biostar: { port: 8000, buildContext: "apps/biostar", siteName: "Biostar", debug: false, postgresImage: "postgres:16.4", baseImage: "debian:bookworm-slim" },
      wattrex: {
        webPort: 8869, dbPort: 3369, mqttPort: 1883, database: "wattrex_db", dbUser: "wattrex", mqttUser: "wattrex", logLevel: "INFO",
        sharedToolParams: { chanNumMsg: 350, ipcMsgSize: 350, chanTimeout: 1 },
        buildContext: "apps/wattrex", mysqlImage: "mysql:8.4", rabbitmqImage: "rabbitmq:3.13", baseImage: "debian:bookworm-slim",
      },
      // Pinned in full in portal.test.ts.
      portal: expect.objectContaining({ httpPort: 80, mongoImage: "mongo:7.0" }),
      pecan: {
        port: 80, syncPeers: [], models: ["SIPNET"], firstUsers: { carya: 1 }, pecanVersion: "1.8.0",
        postgisImage: "postgis/postgis:12-3.3", rabbitmqImage: "rabbitmq:3.13-management", proxyImage: "nginx:1.27",
      },
      lab: {
        proxyPort: 3456, livePort: 3457, registryPort: 5000, bluePort: 50100, greenPort: 50101, readerPort: 8000, writerPort: 7000, webappPort: 3000, blueRelease: "1", greenRelease: "1",
        live: "blue", writeIntervalSeconds: 120, buildContext: "apps/devops-lab", redisImage: "redis:7.2", registryImage: "registry:2.8", baseImage: "debian:bookworm-slim",
      },
      // Pinned in full in hosts.test.ts.
      ssh: expect.objectContaining({ user: "root", port: 22, insecureIgnoreHostKey: false }),
      ec2: expect.objectContaining({ instanceType: "t3.small", sandbox: false }),
    });
  });

  test("explicit values are kept", () => {
    const cfg = parseConfig("appstacks", { apps: ["biostar"], biostar: { port: 18000 }, imageOverrides: { postgres: "appstacks/postgres:local" } });
    expect(cfg.apps).toEqual(["biostar"]);
    expect(cfg.biostar.port).toBe(18000);
    expect(cfg.imageOverrides).toEqual({ postgres: "appstacks/postgres:local" });
  });

  test("two apps on one host port are refused before anything is created", () => {
    expect(() => parseConfig("appstacks", { apps: ["biostar", "wattrex"], biostar: { port: 8869 } })).toThrow(
      "appstacks:wattrex.webPort: 8869 is already published by appstacks:biostar.port (allowed: a host port no other app uses)",
    );
  });

  test("the lab's seed reader port clashes with Biostar's; a moved reader does not", () => {
    expect(() => parseConfig("appstacks", { apps: ["biostar", "lab"] })).toThrow(
      "appstacks:lab.readerPort: 8000 is already published by appstacks:biostar.port (allowed: a host port no other app uses)",
    );
    expect(parseConfig("appstacks", { apps: ["biostar", "wattrex", "lab"], lab: { readerPort: 8010 } }).lab.readerPort).toBe(8010);
  });

  test.each([
    [{ apps: ["biostar", "nope"] }, 'appstacks:apps[1]: "nope" is not allowed (allowed: one of biostar, wattrex, portal, pecan, lab)'],
    [{ target: "mars" }, 'appstacks:target: "mars" is not allowed (allowed: one of local, ssh, ec2)'],
    [{ biostar: { port: 70000 } }, "appstacks:biostar.port: 70000 is not allowed (allowed: an integer from 1 to 65535)"],
    [{ biostar: { port: 80.5 } }, "appstacks:biostar.port: 80.5 is not allowed (allowed: an integer from 1 to 65535)"],
    [{ biostar: { port: "80" } }, 'appstacks:biostar.port: "80" is not allowed (allowed: an integer from 1 to 65535)'],
    [{ biostar: { prt: 1 } }, "appstacks:biostar.prt: unknown key (allowed: port, buildContext, siteName, debug, postgresImage, baseImage, dbMemoryMb)"],
    [{ colour: "blue" }, "appstacks:colour: unknown key (allowed: target, apps, keepDataOnDestroy, imageOverrides, biostar, wattrex, portal, pecan, lab, ssh, ec2)"],
    [{ lab: { live: "red" } }, 'appstacks:lab.live: "red" is not allowed (allowed: blue or green)'],
    [{ lab: { writeIntervalSeconds: 0 } }, "appstacks:lab.writeIntervalSeconds: 0 is not allowed (allowed: a positive integer)"],
    [{ biostar: { postgresImage: "postgres:latest" } }, 'appstacks:biostar.postgresImage: "postgres:latest" is not allowed (allowed: a pinned image reference: a tag other than latest, or a digest)'],
    [{ biostar: { postgresImage: "postgres" } }, 'appstacks:biostar.postgresImage: "postgres" is not allowed (allowed: a pinned image reference: a tag other than latest, or a digest)'],
    [{ biostar: { postgresImage: "Bad Ref:1" } }, 'appstacks:biostar.postgresImage: "Bad Ref:1" is not allowed (allowed: an image reference such as postgres:16.4 or registry:5000/team/app@sha256:…)'],
    [{ wattrex: { logLevel: "LOUD" } }, 'appstacks:wattrex.logLevel: "LOUD" is not allowed (allowed: one of DEBUG, INFO, WARNING, ERROR)'],
    [{ wattrex: { sharedToolParams: { chanTimeout: -1 } } }, "appstacks:wattrex.sharedToolParams.chanTimeout: -1 is not allowed (allowed: a positive integer)"],
    [{ keepDataOnDestroy: "yes" }, 'appstacks:keepDataOnDestroy: "yes" is not allowed (allowed: true or false)'],
  ])("%j is refused with one line naming key, value and what is allowed", (raw, message) => {
    expect(() => parseConfig("appstacks", raw as never)).toThrow(message);
    try {
      parseConfig("appstacks", raw as never);
    } catch (e) {
      expect((e as Error).message.split("\n")).toHaveLength(1);
    }
  });
});
