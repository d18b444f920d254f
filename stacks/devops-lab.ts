// DevOps lab "Docker Part Deux" (seed 004): redis, the node webapp and the proxy that round-robins
// over the server list in redis; the spawner that adds and removes webapp containers on request;
// blue and green builds of the app pushed to and pulled from a private registry, with a switch
// that moves the proxy's live traffic; and the socat file-IO pair.
//
// The seed's host-side pieces become services of the stack: infrastructure.js (a setInterval
// polling redis) and spawn_docker.sh are the spawner, which blocks on a redis list and talks to the
// Docker API; the git post-receive hooks are Pulumi builds pushed through the registry; the switch
// is a config value (`live`) applied by a one-shot job that writes redis, so the proxy is never
// replaced and the idle colour keeps running.
import { z } from "zod";
import { defineApp, SpecContext } from "../config/app-definition";
import { baseImage, imageRef, matching, nonEmpty, port, positiveInt } from "../config/schema";
import { builtImageTag } from "../components/app";
import { AppSpec, ServiceSpec } from "../components/app-spec";
import { bashHttpCheck, tcpCheck } from "../components/healthcheck";
import { resolveImageRef } from "../components/image-ref";
import { labelMap, physicalName } from "../components/naming";

const colour = z.enum(["blue", "green"], { message: "blue or green" });
const registryChoice = z.enum(["own", "host"], { message: "own or host" });
export type Colour = z.output<typeof colour>;
const release = matching(/^[A-Za-z0-9_.-]{1,64}$/, "a release label of letters, digits, _ . - (at most 64)");

// Ports default to the seed's; livePort is the proxy's blue/green entry point, which the seed did not have.
export const labSettings = z
  .object({
    proxyPort: port.default(3456).describe("host port of the proxy's round-robin entry point (the seed's)"),
    livePort: port.default(3457).describe("host port of the proxy's blue/green entry point (the live colour)"),
    registry: registryChoice.default("own").describe("where blue and green are pushed and pulled from: own (the lab's private registry, the seed's) or host (the registry the host's built images go through: on a swarm appstacks:swarm.registry, which every node pulls from; on one engine none, the images stay local). A swarm cannot keep own's 127.0.0.1 port"),
    registryPort: port.default(5000).describe("host port of the private registry (registry: own), bound to 127.0.0.1 only (the seed's)"),
    bluePort: port.default(50100).describe("host port (and build-arg port) of the blue deployment (the seed's)"),
    greenPort: port.default(50101).describe("host port (and build-arg port) of the green deployment (the seed's)"),
    readerPort: port.default(8000).describe("host port of the file-IO reader (the seed's)"),
    writerPort: port.default(7000).describe("port the writer's socat listens on, inside the stack's network (the seed's)"),
    webappPort: port.default(3000).describe("port the base webapp is built for (build arg start_port); spawned ones take the next"),
    live: colour.default("blue").describe("the colour the proxy's live entry point sends traffic to"),
    blueRelease: release.default("1").describe("the release of blue's build (the seed's push to its git remote): a new value rebuilds and replaces blue only"),
    greenRelease: release.default("1").describe("the release of green's build: a new value rebuilds and replaces green only"),
    writeIntervalSeconds: positiveInt.default(120).describe("how often the writer appends a line (the seed's two minutes)"),
    buildContext: nonEmpty.default("apps/devops-lab").describe("directory holding webapp/ and services/"),
    redisImage: imageRef.default("redis:7.2").describe("the redis image"),
    registryImage: imageRef.default("registry:2.8").describe("the registry image"),
    baseImage,
  })
  .strict();
export type LabSettings = z.output<typeof labSettings>;

const PROXY_INTERNAL = 3456;
const LIVE_INTERNAL = 3457;
const READER_INTERNAL = 8000;
const REDIS_URL = "redis://redis:6379";
/** The spawner removes its containers on SIGTERM; this is how long Pulumi lets it. */
const SPAWNER_GRACE_SECONDS = 30;
/**
 * A webapp being replaced (a new image of a colour) drains on SIGTERM: it answers what it has
 * accepted; the proxy retries what it could not deliver on the other colour or server.
 */
const WEBAPP_GRACE_SECONDS = 10;

/** The lab's images and services: a pure function of the settings, tested directly. */
export function labSpec(s: LabSettings, ctx: SpecContext): AppSpec {
  const scope = ctx.scope;
  const baseImage = resolveImageRef(s.baseImage, ctx.imageOverrides);
  const webappPort = s.webappPort;
  const registryPort = s.registryPort;
  const colourPort = { blue: s.bluePort, green: s.greenPort };
  const release = { blue: s.blueRelease, green: s.greenRelease };
  const live = s.live;
  const idle: Colour = live === "blue" ? "green" : "blue";
  const writerPort = s.writerPort;
  const dir = (d: string) => `${s.buildContext}/${d}`;
  // Checks in bash, which every Debian base these images build on has: a check that starts
  // Node.js cost each container about 0.1 s of CPU at every interval, bash about 0.015 s.

  const ownRegistry = s.registry === "own";
  const colour = (c: Colour): ServiceSpec => ({
    image: {
      build: {
        context: dir("webapp"),
        args: { BASE_IMAGE: baseImage, start_port: String(colourPort[c]), COLOR: c, RELEASE: release[c] },
        // As the seed's post-receive hook: build, tag for the private registry, push, pull. With
        // the host's registry, a build like the others (AppStack pushes it where the host needs).
        ...(ownRegistry ? { push: { registry: `localhost:${registryPort}`, pullRegistry: `127.0.0.1:${registryPort}`, repository: physicalName(scope, "app"), tag: c } } : {}),
      },
    },
    networks: ["backend"],
    memoryMb: 128,
    // HTTP, but replaced with a gap: the lab's own blue/green is how a colour changes with no
    // failed request (its proxy moves traffic to the other colour first, see switch).
    ports: [{ internal: colourPort[c], external: colourPort[c], setting: `${c}Port`, http: true }],
    rollout: false,
    healthcheck: bashHttpCheck(colourPort[c]),
    stopGraceSeconds: WEBAPP_GRACE_SECONDS,
    ...(ownRegistry ? { dependsOn: ["registry"] } : {}),
  });

  const registry: ServiceSpec = {
    memoryMb: 128,
    image: { ref: s.registryImage },
    volumes: { registry: "/var/lib/registry" },
    networks: ["backend"],
    // Unauthenticated, so reachable from this host only; the engine pushes through it.
    // HTTP, but replaced with a gap: it owns the registry's data, and the engine pushes to it
    // only during a deploy.
    ports: [{ internal: 5000, external: registryPort, ip: "127.0.0.1", setting: "registryPort", http: true }],
    rollout: false,
    healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:5000/v2/"] },
    leftOutBy: "registry: host",
  };

  return {
    networks: { backend: {} },
    ...(ownRegistry ? { volumes: { registry: { keepOnDestroy: ctx.keepDataOnDestroy } } } : {}),
    images: {
      webapp: { build: { context: dir("webapp"), args: { BASE_IMAGE: baseImage, start_port: String(webappPort) } } },
      services: { build: { context: dir("services"), args: { BASE_IMAGE: baseImage } } },
    },
    services: {
      redis: {
        memoryMb: 128,
        image: { ref: s.redisImage },
        networks: ["backend"],
        healthcheck: { test: ["CMD", "redis-cli", "ping"] },
      },
      webapp: {
        memoryMb: 128,
        image: "webapp",
        env: { REDIS_URL },
        networks: ["backend"],
        healthcheck: bashHttpCheck(webappPort),
        stopGraceSeconds: WEBAPP_GRACE_SECONDS,
        dependsOn: ["redis"],
      },
      spawner: {
        memoryMb: 128,
        image: "services",
        command: ["node", "/app/spawner.js"],
        env: {
          REDIS_URL,
          BASE_URL: `http://webapp:${webappPort}`,
          // The tag the webapp's image is built under: spawned copies run what the base runs.
          WEBAPP_IMAGE: builtImageTag(scope, "webapp"),
          NETWORK: physicalName(scope, "backend"),
          NAME_PREFIX: physicalName(scope, "webapp"),
          STACK_LABELS: JSON.stringify(labelMap(scope)),
          SPAWN_ENV: JSON.stringify({ REDIS_URL }),
        },
        networks: ["backend"],
        dockerSocket: true,
        stopGraceSeconds: SPAWNER_GRACE_SECONDS,
        healthcheck: { test: ["CMD", "test", "-f", "/tmp/ready"] },
        dependsOn: ["redis", "webapp"],
      },
      proxy: {
        memoryMb: 128,
        image: "services",
        command: ["node", "/app/proxy.js"],
        env: { REDIS_URL, PROXY_PORT: String(PROXY_INTERNAL), LIVE_PORT: String(LIVE_INTERNAL) },
        networks: ["backend"],
        // Rolls out behind the app's Traefik like every web entry point; the switch between
        // colours stays the lab's own (redis), so a new proxy release serves the same colour.
        ports: [{ internal: PROXY_INTERNAL, external: s.proxyPort, setting: "proxyPort", http: true }, { internal: LIVE_INTERNAL, external: s.livePort, setting: "livePort", http: true }],
        healthcheck: bashHttpCheck(PROXY_INTERNAL, "/__proxy/health"),
        dependsOn: ["redis", "spawner"],
      },
      ...(ownRegistry ? { registry } : {}),
      blue: colour("blue"),
      green: colour("green"),
      // Re-created (and run) exactly when the live colour or a port changes; the proxy is not.
      switch: {
        memoryMb: 64,
        image: "services",
        command: ["node", "/app/switch.js"],
        env: { REDIS_URL, LIVE_URL: `http://${live}:${colourPort[live]}`, IDLE_URL: `http://${idle}:${colourPort[idle]}` },
        networks: ["backend"],
        job: true,
        dependsOn: ["redis", "blue", "green"],
      },
      writer: {
        memoryMb: 64,
        image: "services",
        command: ["node", "/app/writer.js"],
        env: { FILE: "/data/random", PORT: String(writerPort), WRITE_INTERVAL_SECONDS: String(s.writeIntervalSeconds) },
        networks: ["backend"],
        healthcheck: tcpCheck(writerPort),
      },
      reader: {
        memoryMb: 128,
        image: "services",
        command: ["node", "/app/reader.js"],
        env: { PORT: String(READER_INTERNAL), WRITER_HOST: "writer", WRITER_PORT: String(writerPort) },
        networks: ["backend"],
        ports: [{ internal: READER_INTERNAL, external: s.readerPort, setting: "readerPort", http: true }],
        healthcheck: bashHttpCheck(READER_INTERNAL),
        dependsOn: ["writer"],
      },
    },
  };
}

export const lab = defineApp({
  name: "lab",
  title: "DevOps lab",
  type: "appstacks:stacks:DevopsLab",
  settings: labSettings,
  spec: labSpec,
  urls: (s) => ({ lab: { port: s.proxyPort }, "lab-live": { port: s.livePort }, "lab-reader": { port: s.readerPort } }),
});
