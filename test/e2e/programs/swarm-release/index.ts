// One web service on the generic AppStack, on a swarm, behind the app's front proxy (Traefik's
// swarm provider) as the program puts every HTTP service: nginx answering "release N" on / and
// its health check on /healthz, from a config file (a swarm config named by its content). Each
// release is a new config, so a rolling update of every task.
import * as pulumi from "@pulumi/pulumi";
import { releaseSite } from "../../../../support/release-site";
import { AppStack } from "../../../../components/app";
import { SwarmDockerHost } from "../../../../components/host/swarm";
import { bashHttpCheck } from "../../../../components/healthcheck";
import { SwarmService } from "../../../../components/runtime/swarm";

const config = new pulumi.Config();
const release = config.require("release");
const healthy = config.getBoolean("healthy") ?? true;

const site = releaseSite(release, healthy);

const host = new SwarmDockerHost("host", {
  dockerHost: config.require("dockerHost"), endpointMode: "dnsrr", publishMode: "host",
});
const app = new AppStack("site", {
  host,
  scope: { project: "swarm-release", stack: config.require("runId"), app: "site" },
  replicas: { web: 2 },
  frontProxyImage: config.require("proxyImage"),
  spec: {
    networks: { web: {} },
    services: {
      web: {
        image: { ref: config.require("image") },
        files: [{ path: "/etc/nginx/conf.d/default.conf", content: site }],
        networks: ["web"],
        ports: [{ internal: 80, external: config.requireNumber("port"), http: true }],
        healthcheck: bashHttpCheck(80),
        memoryMb: 64,
        timeoutSeconds: 60,
      },
    },
  },
});

export const serviceName = (app.services.web as SwarmService).serviceName;
