// What our docker provider does instead of the upstream's fixed waits (toolchain/provider-docker/
// shim): an internal, labelled network and a volume, a health-gated container on them, and with
// `crash` set a container that exits at once although it is waited for.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";

const config = new pulumi.Config();
const runId = config.require("runId");
const image = config.require("image");
const labels = [{ label: "appstacks.test", value: runId }, { label: "appstacks.role", value: "provider-waits" }];

const network = new docker.Network("net", { name: `appstacks-waits-${runId}`, internal: true, labels });
const volume = new docker.Volume("data", { name: `appstacks-waits-${runId}`, labels });

// Healthy only after its marker file exists, ~2 s after start: `wait` must hold `after` back.
// The engine's interval is 5 minutes, so only the provider's own probing can see it pass in time.
const slow = new docker.Container("slow", {
  name: `appstacks-waits-slow-${runId}`,
  image,
  command: ["bash", "-c", "sleep 2; touch /tmp/ready; exec sleep infinity"],
  labels,
  networksAdvanced: [{ name: network.name }],
  volumes: [{ volumeName: volume.name, containerPath: "/data" }],
  healthcheck: { tests: ["CMD", "test", "-f", "/tmp/ready"], interval: config.get("slowInterval") ?? "5m0s", timeout: "2s", retries: 3 }, // as the engine reports it back: no diff on refresh
  wait: true,
  waitTimeout: 60,
  restart: "unless-stopped",
});

const after = new docker.Container("after", {
  name: `appstacks-waits-after-${runId}`,
  image,
  command: ["sleep", "infinity"],
  labels,
  networksAdvanced: [{ name: network.name }],
}, { dependsOn: [slow] });

if (config.getBoolean("crash")) {
  new docker.Container("crash", {
    name: `appstacks-waits-crash-${runId}`,
    image,
    command: ["bash", "-c", "exit 3"],
    labels,
    healthcheck: { tests: ["CMD", "true"], interval: "1s", retries: 3 },
    restart: "no",
    mustRun: false,
    wait: true,
    // Far longer than the test waits: only the early failure can end it in time.
    waitTimeout: 600,
  });
}

// A built image under one fixed tag, rebuilt when `rev` changes, and a container running it: the
// replaced image must be removed although its tag now names the new build, which is in use.
const rev = config.get("rev") ?? "1";
const built = new docker.RemoteImage("built", {
  name: `appstacks-waits-built-${runId}:built`,
  build: { context: "build", buildArgs: { BASE: image, REV: rev }, label: { "appstacks.test": runId } },
  triggers: { rev },
});
const user = new docker.Container("user", {
  name: `appstacks-waits-user-${runId}`,
  image: built.imageId,
  command: ["sleep", "infinity"],
  labels,
});

export const networkName = network.name;
export const builtImageId = built.imageId;
export const userName = user.name;
export const volumeName = volume.name;
export const slowName = slow.name;
export const afterName = after.name;
