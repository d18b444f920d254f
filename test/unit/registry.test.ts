// The app registry and the config schema are the one source of every app's keys, defaults,
// published ports, config secrets and URLs: Pulumi.yaml and docs/configuration.md are generated
// from them, and a sixth app is one entry.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { installMocks, ofType, reset, valueOf } from "./mocks";
import { defineApp } from "../../config/app-definition";
import { parseConfig, port, programSchema } from "../../config/schema";
import { APPS } from "../../stacks/registry";
import { deployApp } from "../../stacks/deploy";
import { LocalDockerHost } from "../../components/host/local";
import { fields, pulumiYaml, PULUMI_YAML, referenceMarkdown, REFERENCE_MD } from "../../scripts/config-reference";

installMocks();

test("Pulumi.yaml declares exactly the schema's keys, types and defaults (npm run config:reference)", () => {
  const committed = fs.readFileSync(PULUMI_YAML, "utf8");
  expect(committed).toBe(pulumiYaml(committed));
});

test("docs/configuration.md is the schema's reference (npm run config:reference)", () => {
  expect(fs.readFileSync(REFERENCE_MD, "utf8")).toBe(referenceMarkdown());
});

test("a disagreement between Pulumi.yaml and the schema is caught", () => {
  const committed = fs.readFileSync(PULUMI_YAML, "utf8");
  expect(pulumiYaml(committed.replace("default: local", "default: ssh"))).not.toBe(committed.replace("default: local", "default: ssh"));
});

// A sixth app, as a new stack file would define it.
const echoSettings = z.object({ port: port.default(9000).describe("host port of the echo server") }).strict();
const echo = defineApp({
  name: "echo",
  title: "Echo",
  type: "appstacks:stacks:Echo",
  settings: echoSettings,
  spec: (s, ctx) => ({
    networks: { front: {} },
    secrets: { token: {} },
    services: { server: { image: { ref: "echo:1.0" }, networks: ["front"], secrets: [{ secret: "token" }], ports: [{ internal: 80, external: s.port, setting: "port" }], labels: { app: ctx.scope.app } } },
  }),
  urls: (s) => ({ echo: { port: s.port } }),
  configSecrets: [{ key: "echoToken", secret: "token", what: "the echo token" }],
});
const SIX = [...APPS, echo] as const;

describe("a sixth app is one registry entry", () => {
  test("it becomes an allowed app and a settings key with its defaults", () => {
    const cfg = parseConfig("appstacks", { apps: ["biostar", "echo"] }, SIX);
    expect(cfg.apps).toEqual(["biostar", "echo"]);
    expect(cfg.echo).toEqual({ port: 9000 });
    expect(() => parseConfig("appstacks", { apps: ["echo"] }, APPS)).toThrow('appstacks:apps[0]: "echo" is not allowed (allowed: one of biostar, wattrex, portal, pecan, lab)');
    expect(() => parseConfig("appstacks", { echo: { prot: 1 } }, SIX)).toThrow("appstacks:echo.prot: unknown key (allowed: port)");
  });

  test("its published port, read off its spec, is checked against the other apps'", () => {
    expect(() => parseConfig("appstacks", { apps: ["biostar", "echo"], echo: { port: 8000 } }, SIX)).toThrow(
      "appstacks:echo.port: 8000 is already published by appstacks:biostar.port (allowed: a host port no other app uses)",
    );
  });

  test("its keys are declared and documented", () => {
    expect(fields(programSchema(SIX)).find((f) => f.key === "echo")?.fields.map((f) => [f.key, f.default, f.description])).toEqual([["port", 9000, "host port of the echo server"]]);
  });

  test("it deploys through the same path as the five, with its config secret and URL", async () => {
    reset();
    const host = new LocalDockerHost("host");
    const app = deployApp(echo, { port: 9001 }, {
      host, scope: { project: "appstacks", stack: "dev" }, keepDataOnDestroy: true, imageOverrides: {}, namespace: "appstacks",
      readSecret: (key) => (key === "echoToken" ? pulumi.secret("from-config") : undefined),
    });
    expect(await valueOf(app.urls.echo)).toBe("http://localhost:9001/");
    await valueOf(app.stack.services.server.ready.id);
    const [container] = ofType("docker:index/container:Container");
    expect(container.inputs.name).toBe("appstacks-dev-echo-server");
    expect(container.inputs.ports).toEqual([{ internal: 80, external: 9001, ip: "0.0.0.0" }]);
    expect(JSON.stringify(container.inputs.uploads)).toContain("from-config");
  });
});

test("every app's settings have a default and a description for every key but the optional ones", () => {
  for (const app of APPS) {
    for (const f of fields(app.settings)) {
      expect([app.name, f.key, f.description.length > 0]).toEqual([app.name, f.key, true]);
    }
  }
});
