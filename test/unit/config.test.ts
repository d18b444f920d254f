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
    });
  });

  test("explicit values are kept", () => {
    const cfg = parseConfig("appstacks", { apps: ["biostar"], biostar: { port: 18000 }, imageOverrides: { postgres: "appstacks/postgres:local" } });
    expect(cfg.apps).toEqual(["biostar"]);
    expect(cfg.biostar.port).toBe(18000);
    expect(cfg.imageOverrides).toEqual({ postgres: "appstacks/postgres:local" });
  });

  test.each([
    [{ apps: ["biostar", "nope"] }, 'appstacks:apps[1]: "nope" is not allowed (allowed: one of biostar)'],
    [{ target: "mars" }, 'appstacks:target: "mars" is not allowed (allowed: one of local)'],
    [{ biostar: { port: 70000 } }, "appstacks:biostar.port: 70000 is not allowed (allowed: an integer from 1 to 65535)"],
    [{ biostar: { port: 80.5 } }, "appstacks:biostar.port: 80.5 is not allowed (allowed: an integer from 1 to 65535)"],
    [{ biostar: { port: "80" } }, 'appstacks:biostar.port: "80" is not allowed (allowed: an integer from 1 to 65535)'],
    [{ biostar: { prt: 1 } }, "appstacks:biostar.prt: unknown key (allowed: port, buildContext, siteName, debug, postgresImage, baseImage)"],
    [{ colour: "blue" }, "appstacks:colour: unknown key (allowed: target, apps, keepDataOnDestroy, imageOverrides, biostar)"],
    [{ biostar: { postgresImage: "postgres:latest" } }, 'appstacks:biostar.postgresImage: "postgres:latest" is not allowed (allowed: a pinned image reference: a tag other than latest, or a digest)'],
    [{ biostar: { postgresImage: "postgres" } }, 'appstacks:biostar.postgresImage: "postgres" is not allowed (allowed: a pinned image reference: a tag other than latest, or a digest)'],
    [{ biostar: { postgresImage: "Bad Ref:1" } }, 'appstacks:biostar.postgresImage: "Bad Ref:1" is not allowed (allowed: an image reference such as postgres:16.4 or registry:5000/team/app@sha256:…)'],
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
