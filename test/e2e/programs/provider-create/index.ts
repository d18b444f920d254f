// A service container with every argument our Service component sets (components/service.ts)
// and a job beside it, on two networks: the program the provider's compose-like create and the
// upstream create (APPSTACKS_UPSTREAM_CREATE=1) must turn into the same containers and state.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";

const config = new pulumi.Config();
const runId = config.require("runId");
const image = config.require("image");
const port = config.requireNumber("port");
const labels = [{ label: "appstacks.test", value: runId }, { label: "appstacks.role", value: "provider-create" }];

const front = new docker.Network("front", { name: `appstacks-create-front-${runId}`, labels });
const back = new docker.Network("back", { name: `appstacks-create-back-${runId}`, labels });
const data = new docker.Volume("data", { name: `appstacks-create-data-${runId}`, labels });

const web = new docker.Container("web", {
  name: `appstacks-create-web-${runId}`,
  image,
  entrypoints: ["/usr/bin/env"],
  command: ["bash", "-c", "trap 'exit 0' TERM; sleep infinity & wait"],
  envs: ["GREETING=hello", "TOKEN_FILE=/run/secrets/token"],
  uploads: [
    { file: "/run/secrets/token", content: pulumi.secret("not-a-real-token"), permissions: "0444" },
    { file: "/app/run.sh", content: "#!/bin/sh\necho ready\n", executable: true },
  ],
  volumes: [
    { volumeName: data.name, containerPath: "/data", readOnly: false },
    { hostPath: "/etc/os-release", containerPath: "/host/os-release", readOnly: true },
  ],
  networksAdvanced: [
    { name: front.name, aliases: ["web", "www"] },
    { name: back.name, aliases: ["web-internal"] },
  ],
  ports: [{ internal: 8080, external: port, ip: "127.0.0.1" }],
  healthcheck: { tests: ["CMD", "test", "-x", "/app/run.sh"], interval: "30s", timeout: "5s", retries: 3, startPeriod: "0s" },
  restart: "unless-stopped",
  memory: 64,
  cpus: "0.5",
  sysctls: { "net.core.somaxconn": "1024" },
  ipcMode: "private",
  init: true,
  labels,
  destroyGraceSeconds: 5,
  mustRun: true,
  logs: false,
  wait: true,
  waitTimeout: 60,
});

const job = new docker.Container("job", {
  name: `appstacks-create-job-${runId}`,
  image,
  command: ["bash", "-c", "test \"$(cat /etc/job.conf)\" = ok"],
  uploads: [{ file: "/etc/job.conf", content: "ok" }],
  networksAdvanced: [{ name: back.name }],
  restart: "no",
  labels,
  attach: true,
  mustRun: false,
  logs: false,
}, { dependsOn: [web] });

export const webName = web.name;
export const webId = web.id;
export const jobName = job.name;
export const jobId = job.id;
export const jobExit = job.exitCode;
