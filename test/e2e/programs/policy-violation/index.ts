// Breaks the policy pack on purpose: a privileged container on the host network, from a bare
// `latest` image, with no health check, no memory limit, a password in its environment, the
// Docker socket mounted and PostgreSQL's port published (only previewed, never deployed).
import * as docker from "@pulumi/docker";

const config = new (require("@pulumi/pulumi").Config)();
const runId: string = config.require("runId");

new docker.Container("bad", {
  name: `appstacks-policy-violation-${runId}`,
  image: "busybox:latest",
  privileged: true,
  networkMode: "host",
  envs: ["DB_PASSWORD=hunter2"],
  volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }],
  ports: [{ internal: 5432, external: 15432 }],
  labels: [{ label: "appstacks.test", value: runId }],
});
