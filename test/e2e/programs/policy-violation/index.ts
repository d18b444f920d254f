// Breaks the policy pack on purpose: a privileged container on the host network, from a bare
// `latest` image, with no health check, no memory limit and a password in its environment.
import * as docker from "@pulumi/docker";

const config = new (require("@pulumi/pulumi").Config)();
const runId: string = config.require("runId");

new docker.Container("bad", {
  name: `appstacks-policy-violation-${runId}`,
  image: "busybox:latest",
  privileged: true,
  networkMode: "host",
  envs: ["DB_PASSWORD=hunter2"],
  labels: [{ label: "appstacks.test", value: runId }],
});
