// The smallest program that touches every piece of the toolchain: the Node.js language host,
// the docker provider (network, container with a health check and wait) and the random provider.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import * as random from "@pulumi/random";

const config = new pulumi.Config();
const runId = config.require("runId");
const image = config.require("image");
const labels = [{ label: "appstacks.test", value: runId }];

const network = new docker.Network("net", { name: `appstacks-smoke-${runId}`, labels });
const password = new random.RandomPassword("password", { length: 24, special: false });

const box = new docker.Container("box", {
  name: `appstacks-smoke-${runId}`,
  image,
  command: ["sleep", "infinity"],
  labels,
  networksAdvanced: [{ name: network.name, aliases: ["box"] }],
  // The secret reaches the container as a file, never as an environment variable.
  uploads: [{ file: "/run/secrets/password", content: password.result }],
  // Healthy only once the secret file is in place and non-empty.
  healthcheck: { tests: ["CMD", "test", "-s", "/run/secrets/password"], interval: "1s", timeout: "2s", retries: 30 },
  wait: true,
  waitTimeout: 60,
});

export const containerName = box.name;
export const networkName = network.name;
export const passwordLength = password.result.apply((p) => p.length);
