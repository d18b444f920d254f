// One web service on the generic AppStack, behind its front proxy: nginx answering "release N"
// on / and its health check on /healthz. Each release is a new image and a new config file, so a
// new container; `rollback` (written by npm run rollback) brings a previous release back.
import * as pulumi from "@pulumi/pulumi";
import { releaseSite } from "../../../../support/release-site";
import { AppStack } from "../../../../components/app";
import { LocalDockerHost } from "../../../../components/host/local";
import { bashHttpCheck } from "../../../../components/healthcheck";
import { resolveImageRef } from "../../../../components/image-ref";
import { ReleaseRecord } from "../../../../components/runtime/release";

const config = new pulumi.Config();
const runId = config.require("runId");
const release = config.require("release");
const healthy = config.getBoolean("healthy") ?? true;
const imageOverrides = config.requireObject<Record<string, string>>("imageOverrides");
const rollback = config.getObject<Record<string, Record<string, ReleaseRecord>>>("rollback") ?? {};

const site = releaseSite(release, healthy);

const host = new LocalDockerHost("host");
const app = new AppStack("site", {
  host,
  scope: { project: "appstacks-rollout", stack: runId, app: "site" },
  imageOverrides,
  frontProxyImage: "traefik:v3.6",
  rollback: rollback.site,
  spec: {
    networks: { web: {} },
    services: {
      web: {
        image: { build: { context: `${__dirname}/site`, args: { BASE: resolveImageRef("nginx:1.27", imageOverrides), RELEASE: release } } },
        files: [{ path: "/etc/nginx/conf.d/default.conf", content: site }],
        networks: ["web"],
        ports: [{ internal: 80, external: config.requireNumber("port"), http: true }],
        healthcheck: bashHttpCheck(80),
        timeoutSeconds: 15,
      },
    },
  },
});

export const webName = app.services.web.containerName;
export const webId = app.services.web.container.id;
