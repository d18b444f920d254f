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
import * as pulumi from "@pulumi/pulumi";
import { DockerHost } from "../components/host/docker-host";
import { AppStack, builtImageTag } from "../components/app";
import { ServiceSpec } from "../components/app-spec";
import { ImageBuild } from "../components/image";
import { resolveImageRef } from "../components/image-ref";
import { Scope, labelMap, physicalName } from "../components/naming";

export type Colour = "blue" | "green";

export interface DevopsLabArgs {
  readonly host: DockerHost;
  readonly scope: Omit<Scope, "app">;
  /** Host port of the proxy's round-robin entry point. @default 3456 (the seed's) */
  readonly proxyPort?: number;
  /** Host port of the proxy's blue/green entry point (live colour). @default 3457 */
  readonly livePort?: number;
  /** Host port of the private registry, bound to 127.0.0.1 only. @default 5000 (the seed's) */
  readonly registryPort?: number;
  /** Host port (and build-arg port) of the blue deployment. @default 50100 (the seed's) */
  readonly bluePort?: number;
  /** Host port (and build-arg port) of the green deployment. @default 50101 (the seed's) */
  readonly greenPort?: number;
  /** Host port of the file-IO reader. @default 8000 (the seed's) */
  readonly readerPort?: number;
  /** Port the writer's socat listens on, inside the stack's network. @default 7000 (the seed's) */
  readonly writerPort?: number;
  /** Port the base webapp is built for (build arg start_port); spawned ones take the next. @default 3000 */
  readonly webappPort?: number;
  /** The colour the proxy's live entry point sends traffic to. @default "blue" */
  readonly live?: Colour;
  /**
   * The release of each colour's build (the seed's push to that colour's git remote): a new value
   * rebuilds that colour's image only, and replaces that colour's container only. @default "1"
   */
  readonly blueRelease?: string;
  /** @default "1" */
  readonly greenRelease?: string;
  /** How often the writer appends a line. @default 120 (the seed's two minutes) */
  readonly writeIntervalSeconds?: number;
  /** Directory holding webapp/ and services/. */
  readonly buildContext: string;
  /** @default "redis:7.2" */
  readonly redisImage?: string;
  /** @default "registry:2.8" */
  readonly registryImage?: string;
  /** @default "debian:bookworm-slim" */
  readonly baseImage?: string;
  /** Keep the registry's volume on destroy. @default true */
  readonly keepDataOnDestroy?: boolean;
  readonly imageOverrides?: Readonly<Record<string, string>>;
}

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

export class DevopsLab extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:stacks:DevopsLab";
  /** The proxy's round-robin entry point. */
  public readonly url: pulumi.Output<string>;
  /** The proxy's blue/green entry point: the live colour. */
  public readonly liveUrl: pulumi.Output<string>;
  /** The file-IO reader. */
  public readonly readerUrl: pulumi.Output<string>;
  public readonly app: AppStack;

  constructor(name: string, args: DevopsLabArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(DevopsLab.TYPE, name, {}, opts);
    const scope: Scope = { ...args.scope, app: "lab" };
    this.app = new AppStack(name, {
      host: args.host,
      scope,
      imageOverrides: args.imageOverrides,
      spec: { ...labSpec(scope, args), networks: { backend: {} }, volumes: { registry: { keepOnDestroy: args.keepDataOnDestroy ?? true } } },
    }, { parent: this });
    const at = (port: number) => pulumi.interpolate`http://${args.host.address}:${port}/`;
    this.url = at(args.proxyPort ?? 3456);
    this.liveUrl = at(args.livePort ?? 3457);
    this.readerUrl = at(args.readerPort ?? 8000);
    this.registerOutputs({ url: this.url, liveUrl: this.liveUrl, readerUrl: this.readerUrl });
  }
}

/** The lab's images and services: a pure function of the args, tested directly. */
export function labSpec(scope: Scope, args: DevopsLabArgs): { images: Record<string, { build: ImageBuild }>; services: Record<string, ServiceSpec> } {
  const baseImage = resolveImageRef(args.baseImage ?? "debian:bookworm-slim", args.imageOverrides);
  const webappPort = args.webappPort ?? 3000;
  const registryPort = args.registryPort ?? 5000;
  const colourPort = { blue: args.bluePort ?? 50100, green: args.greenPort ?? 50101 };
  const release = { blue: args.blueRelease ?? "1", green: args.greenRelease ?? "1" };
  const live = args.live ?? "blue";
  const idle: Colour = live === "blue" ? "green" : "blue";
  const writerPort = args.writerPort ?? 7000;
  const ctx = (dir: string) => `${args.buildContext}/${dir}`;
  const node = (...cmd: string[]) => ({ test: ["CMD", "node", "/app/check.js", ...cmd] });
  const webappCheck = { test: ["CMD", "node", "/app/healthcheck.js"] };

  const colour = (c: Colour): ServiceSpec => ({
    image: {
      build: {
        context: ctx("webapp"),
        args: { BASE_IMAGE: baseImage, start_port: String(colourPort[c]), COLOR: c, RELEASE: release[c] },
        // As the seed's post-receive hook: build, tag for the private registry, push, pull.
        push: { registry: `localhost:${registryPort}`, pullRegistry: `127.0.0.1:${registryPort}`, repository: physicalName(scope, "app"), tag: c },
      },
    },
    networks: ["backend"],
    memoryMb: 128,
    ports: [{ internal: colourPort[c], external: colourPort[c] }],
    healthcheck: webappCheck,
    stopGraceSeconds: WEBAPP_GRACE_SECONDS,
    dependsOn: ["registry"],
  });

  return {
    images: {
      webapp: { build: { context: ctx("webapp"), args: { BASE_IMAGE: baseImage, start_port: String(webappPort) } } },
      services: { build: { context: ctx("services"), args: { BASE_IMAGE: baseImage } } },
    },
    services: {
      redis: {
        memoryMb: 128,
        image: { ref: args.redisImage ?? "redis:7.2" },
        networks: ["backend"],
        healthcheck: { test: ["CMD", "redis-cli", "ping"] },
      },
      webapp: {
        memoryMb: 128,
        image: "webapp",
        env: { REDIS_URL },
        networks: ["backend"],
        healthcheck: webappCheck,
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
        healthcheck: node("file", "/tmp/ready"),
        dependsOn: ["redis", "webapp"],
      },
      proxy: {
        memoryMb: 128,
        image: "services",
        command: ["node", "/app/proxy.js"],
        env: { REDIS_URL, PROXY_PORT: String(PROXY_INTERNAL), LIVE_PORT: String(LIVE_INTERNAL) },
        networks: ["backend"],
        ports: [{ internal: PROXY_INTERNAL, external: args.proxyPort ?? 3456 }, { internal: LIVE_INTERNAL, external: args.livePort ?? 3457 }],
        healthcheck: node("http", String(PROXY_INTERNAL), "/__proxy/health"),
        dependsOn: ["redis", "spawner"],
      },
      registry: {
        memoryMb: 128,
        image: { ref: args.registryImage ?? "registry:2.8" },
        volumes: { registry: "/var/lib/registry" },
        networks: ["backend"],
        // Unauthenticated, so reachable from this host only; the engine pushes through it.
        ports: [{ internal: 5000, external: registryPort, ip: "127.0.0.1" }],
        healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:5000/v2/"] },
      },
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
        env: { FILE: "/data/random", PORT: String(writerPort), WRITE_INTERVAL_SECONDS: String(args.writeIntervalSeconds ?? 120) },
        networks: ["backend"],
        healthcheck: node("tcp", String(writerPort)),
      },
      reader: {
        memoryMb: 128,
        image: "services",
        command: ["node", "/app/reader.js"],
        env: { PORT: String(READER_INTERNAL), WRITER_HOST: "writer", WRITER_PORT: String(writerPort) },
        networks: ["backend"],
        ports: [{ internal: READER_INTERNAL, external: args.readerPort ?? 8000 }],
        healthcheck: node("http", String(READER_INTERNAL), "/healthz"),
        dependsOn: ["writer"],
      },
    },
  };
}
