// The swarm target below AppStack: the same specs become swarm services, secrets and configs
// (runtime/swarm.ts); what a swarm cannot give is refused in one line. Pulumi mocks.
import * as pulumi from "@pulumi/pulumi";
import { installMocks, reset, valueOf, ofType, byName, dependsOnNames, deployForTest, PROXY_IMAGE } from "./mocks";
import { APPS } from "../../stacks/registry";
import { biostarSettings, biostarSpec } from "../../stacks/biostar";
import { SwarmDockerHost } from "../../components/host/swarm";
import { swarmNameProblems, swarmSpecProblems } from "../../components/app";
import { contentName, restartCondition, updateOrder } from "../../components/runtime/swarm";
import { SwarmMode } from "../../components/host/docker-host";
import { rules, ResourceValidationArgs } from "../../policy/rules";

installMocks();

const SERVICE = "docker:index/service:Service";
const CONTAINER = "docker:index/container:Container";
const app = (name: string) => APPS.find((a) => a.name === name)!;
const OVERRIDES = { postgres: "reg:5000/appstacks/postgres:local", debian: "reg:5000/appstacks/base:bookworm" };
const DNSRR: SwarmMode = { endpointMode: "dnsrr", publishMode: "host", registry: "reg:5000", dataNodeLabel: "appstacks.data" };

async function deployBiostar(replicas: Record<string, number> = {}, mode: Partial<SwarmMode> = {}) {
  reset();
  const host = new SwarmDockerHost("host", { ...DNSRR, ...mode, dockerHost: "tcp://127.0.0.1:2375" });
  return deployForTest(app("biostar"), { host, imageOverrides: OVERRIDES, frontProxyImage: PROXY_IMAGE, secretSeed: pulumi.secret("a-seed-for-the-swarm-tests"), replicas });
}

/** A recorded input as its plain value (secret outputs arrive wrapped). */
function plain<T>(v: unknown): T {
  const o = v as { [k: string]: unknown };
  return (o && o[pulumi.runtime.specialSigKey] ? o.value : v) as T;
}

describe("Biostar on a swarm", () => {
  test("long-running services are swarm services, jobs containers on the manager, networks attachable overlays", async () => {
    await deployBiostar({ "biostar.web": 3 });
    expect(ofType(SERVICE).map((s) => s.inputs.name).sort()).toEqual(["appstacks-dev-biostar-db", "appstacks-dev-biostar-front-proxy", "appstacks-dev-biostar-web"]);
    expect(ofType(CONTAINER).map((c) => c.inputs.name).sort()).toEqual(["appstacks-dev-biostar-init", "appstacks-dev-biostar-migrate"]);
    for (const n of ofType("docker:index/network:Network")) expect([n.inputs.driver, n.inputs.attachable]).toEqual(["overlay", true]);
    const web = byName("biostar-web-service").inputs;
    expect(web.mode).toEqual({ replicated: { replicas: 3 } });
    expect(web.taskSpec.placement.constraints).toEqual([]);
    expect(web.taskSpec.restartPolicy.condition).toBe("any");
    expect(web.convergeConfig.timeout).toMatch(/^\d+s$/);
  });

  test("the web app rolls out behind the app's Traefik, which reads the swarm from a manager and alone publishes the port", async () => {
    await deployBiostar({ "biostar.web": 3 });
    const web = byName("biostar-web-service").inputs;
    expect(web.endpointSpec).toEqual({ mode: "dnsrr", ports: [] });
    // No port on the node: the new task starts beside the old one, gated on its check.
    expect(web.updateConfig).toMatchObject({ order: "start-first", failureAction: "rollback", parallelism: 1 });
    expect(web.taskSpec.containerSpec.healthcheck.tests).toEqual(expect.arrayContaining(["CMD"]));
    const labels = Object.fromEntries((web.labels as { label: string; value: string }[]).map((l) => [l.label, l.value]));
    expect(labels).toMatchObject({ "traefik.enable": "true", "traefik.swarm.network": "appstacks-dev-biostar-edge", "appstacks.front-proxy": "appstacks-dev-biostar-front-proxy" });
    expect(Object.keys(labels).filter((k) => k.startsWith("traefik.docker.") || k === "appstacks.ready-check")).toEqual([]);
    const proxy = byName("biostar-front-proxy-service").inputs;
    expect(proxy.endpointSpec).toEqual({ mode: "dnsrr", ports: [{ targetPort: 80, publishedPort: 8000, publishMode: "host", protocol: "tcp" }] });
    expect(proxy.taskSpec.placement.constraints).toEqual(["node.role==manager"]);
    expect(proxy.taskSpec.containerSpec.mounts).toEqual([{ type: "bind", source: "/var/run/docker.sock", target: "/var/run/docker.sock", readOnly: false }]);
    expect(proxy.taskSpec.containerSpec.args).toEqual(expect.arrayContaining(["--providers.swarm=true", "--providers.swarm.network=appstacks-dev-biostar-edge", "--providers.swarm.refreshseconds=1s"]));
    expect((proxy.taskSpec.containerSpec.args as string[]).filter((a) => a.startsWith("--providers.docker"))).toEqual([]);
  });

  test("the web image is built on the manager, pushed to the swarm's registry and run by digest on every node, as the database's pulled image", async () => {
    await deployBiostar();
    const push = ofType("docker:index/registryImage:RegistryImage");
    expect(push.map((p) => p.inputs.name)).toEqual(["reg:5000/appstacks-dev-biostar-web:built"]);
    expect(byName("biostar-web-service").inputs.taskSpec.containerSpec.image).toBe("reg:5000/appstacks-dev-biostar-web@sha256:digest-of-biostar-web-push");
    expect(byName("biostar-db-service").inputs.taskSpec.containerSpec.image).toBe("reg:5000/appstacks/postgres:local@sha256:digest-of-biostar-db-image");
  });

  test("the database runs on the data node with its volume, stops first and gets its grace period", async () => {
    await deployBiostar();
    const db = byName("biostar-db-service").inputs;
    expect(db.taskSpec.placement.constraints).toEqual(["node.labels.appstacks.data==true"]);
    expect(db.taskSpec.containerSpec.mounts).toEqual([{ type: "volume", source: "appstacks-dev-biostar-pgdata", target: "/var/lib/postgresql/data", readOnly: false }]);
    expect(db.updateConfig.order).toBe("stop-first");
    expect(db.taskSpec.containerSpec.stopGracePeriod).toBe("30s");
  });

  test("secrets are swarm secrets named by a hash of their value, which appears nowhere in the service", async () => {
    await deployBiostar();
    const secrets = ofType("docker:index/secret:Secret");
    expect(secrets.length).toBeGreaterThan(0);
    const db = byName("biostar-db-service").inputs;
    const refs = db.taskSpec.containerSpec.secrets as { fileName: string; secretName: string }[];
    for (const r of refs) expect(r.fileName).toMatch(/^\/run\/secrets\//);
    for (const s of secrets) {
      const value = Buffer.from(plain<string>(s.inputs.data), "base64").toString();
      const name = plain<string>(s.inputs.name);
      expect(name).toMatch(/-[0-9a-f]{12}$/);
      expect(JSON.stringify(ofType(SERVICE).map((x) => x.inputs))).not.toContain(value);
    }
    expect(db.taskSpec.containerSpec.env.POSTGRES_PASSWORD_FILE).toBe("/run/secrets/db-password");
  });

  test("a job waits for the database service to converge, and web for the jobs", async () => {
    await deployBiostar();
    expect(await dependsOnNames("biostar-migrate-container")).toEqual(["biostar-db-service"]);
    expect(await dependsOnNames("biostar-web-service")).toEqual(["biostar-init-container"]);
  });
});

describe("what a swarm cannot give, refused in one line", () => {
  test("PEcAn's routes by path go through the front proxy, as on one engine", async () => {
    reset();
    const host = new SwarmDockerHost("host", { ...DNSRR, dockerHost: "tcp://127.0.0.1:2375" });
    await deployForTest(app("pecan"), { host, imageOverrides: OVERRIDES, frontProxyImage: PROXY_IMAGE, secretSeed: pulumi.secret("a-seed-for-the-swarm-tests") });
    const proxy = byName("pecan-front-proxy-service").inputs;
    expect(proxy.endpointSpec.ports.map((p: { publishedPort: number }) => p.publishedPort)).toEqual([80]);
    const routed = ofType(SERVICE).filter((s) => (s.inputs.labels as { label: string }[]).some((l) => l.label.match(/^traefik\.http\.routers\..*\.rule$/)));
    expect(routed.length).toBeGreaterThan(1);
    for (const s of routed) expect(s.inputs.endpointSpec.ports).toEqual([]);
  });

  test("without the front proxy's image, routes by path are refused in one line", async () => {
    reset();
    const host = new SwarmDockerHost("host", { ...DNSRR, dockerHost: "tcp://127.0.0.1:2375" });
    await expect(deployForTest(app("pecan"), { host, imageOverrides: OVERRIDES })).rejects.toThrow(/pecan.services.\w+.ports.path: routing by path needs the app's front proxy/);
  });

  test("a built image without a registry, replicas of a database, of a job and of nothing", () => {
    const spec = biostarSpec(biostarSettings.parse({}), { scope: { project: "p", stack: "s", app: "biostar" }, keepDataOnDestroy: true, imageOverrides: {} });
    expect(swarmSpecProblems("biostar", spec, { ...DNSRR, registry: undefined }, { db: 2, migrate: 2, wbe: 2 })).toEqual([
      "biostar.images.web: an image built on a swarm manager must be pushed so every node can pull it (allowed: set the swarm's registry, appstacks:swarm.registry)",
      "biostar.replicas.db: 2, but db owns a data volume, which one task at a time may write (allowed: 1)",
      "biostar.replicas.migrate: 2, but migrate is a job, which runs once (allowed: 1)",
      "biostar.replicas.wbe: not a service of biostar (allowed: db, web)",
    ]);
  });

  test("a service or network name longer than a swarm takes", () => {
    const spec = biostarSpec(biostarSettings.parse({}), { scope: { project: "p", stack: "s", app: "biostar" }, keepDataOnDestroy: true, imageOverrides: {} });
    const scope = { project: "a-project-with-a-rather-long-name", stack: "staging-eu-west", app: "biostar" };
    expect(swarmNameProblems(scope, spec)).toContain(
      "biostar.networks.backend: its swarm name \"a-project-with-a-rather-long-name-staging-eu-west-biostar-backend\" has 65 characters (allowed: at most 63; a shorter project, stack or app name)");
    expect(swarmNameProblems({ ...scope, stack: "staging" }, spec)).toEqual([]);
  });

  test("a port bound to one address, with the setting that leaves its service out", async () => {
    reset();
    const host = new SwarmDockerHost("host", DNSRR);
    await expect(deployForTest(app("lab"), { host, imageOverrides: OVERRIDES })).rejects.toThrow(
      'lab.services.registry.ports.ip: "127.0.0.1" cannot be kept on a swarm, whose published ports listen on every address of a node (allowed: 0.0.0.0, or lab.registry: host (no registry), or target local, ssh or ec2)');
  });
});

describe("the lab on a swarm (registry: host)", () => {
  async function deployLab() {
    reset();
    const host = new SwarmDockerHost("host", { ...DNSRR, dockerHost: "tcp://127.0.0.1:2375" });
    return deployForTest(app("lab"), { host, imageOverrides: OVERRIDES, frontProxyImage: PROXY_IMAGE, settings: { registry: "host" } });
  }

  test("no registry of its own: blue and green go through the swarm's registry like every build", async () => {
    await deployLab();
    expect(ofType(SERVICE).map((s) => s.inputs.name)).not.toContain("appstacks-dev-lab-registry");
    expect(ofType("docker:index/volume:Volume")).toEqual([]);
    const pushed = ofType("docker:index/registryImage:RegistryImage").map((r) => r.inputs.name).sort();
    expect(pushed).toEqual(["blue", "green", "services", "webapp"].map((k) => `reg:5000/appstacks-dev-lab-${k}:built`));
    expect(await dependsOnNames("lab-blue-service", "lab")).toEqual([]);
  });

  test("what the app built keeps its local tag on the manager: the spawner starts webapps from it", async () => {
    await deployLab();
    const tags = ofType("docker:index/tag:Tag").map((t) => t.inputs.targetImage).sort();
    expect(tags).toEqual(["blue", "green", "services", "webapp"].map((k) => `appstacks-dev-lab-${k}:built`));
    const spawner = byName("lab-spawner-service").inputs;
    expect(spawner.taskSpec.containerSpec.env.WEBAPP_IMAGE).toBe("appstacks-dev-lab-webapp:built");
    expect(spawner.taskSpec.placement.constraints).toEqual(["node.role==manager"]);
  });
});

describe("swarm helpers (pure)", () => {
  test("content names change with the content only", () => {
    expect(contentName("a", "x")).toBe(contentName("a", "x"));
    expect(contentName("a", "x")).not.toBe(contentName("a", "y"));
    expect(contentName("a", "x")).toMatch(/^a-[0-9a-f]{12}$/);
    const long = contentName(`appstacks-swarm-19794-mx5pb0is-biostar-web-django-secret-key`, "x");
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^appstacks-swarm-19794-mx5pb0is-biostar-web-django-s-[0-9a-f]{12}$/);
  });
  test("restart conditions and update order", () => {
    expect([restartCondition("no"), restartCondition("on-failure"), restartCondition("unless-stopped"), restartCondition(undefined)]).toEqual(["none", "on-failure", "any", "any"]);
    const ingress: SwarmMode = { ...DNSRR, endpointMode: "vip", publishMode: "ingress" };
    const port = [{ internal: 80, external: 80 }];
    expect(updateOrder({ ports: port }, ingress)).toBe("start-first");
    expect(updateOrder({ ports: port }, DNSRR)).toBe("stop-first");
    expect(updateOrder({ ports: [], volumes: [{ volumeName: "v", path: "/d" }] }, ingress)).toBe("stop-first");
  });
});

test("the swarm host keeps Docker's defaults when the config leaves them out", async () => {
  const host = new SwarmDockerHost("h");
  expect(host.swarm).toEqual({ endpointMode: "vip", publishMode: "ingress", registry: undefined, dataNodeLabel: "appstacks.data" });
  expect(await valueOf(host.address)).toBe("localhost");
});

describe("the policy pack judges swarm services as it judges containers", () => {
  const args = (props: Record<string, unknown>) => ({ type: SERVICE, props, urn: "urn:pulumi:dev::appstacks::x$docker:index/service:Service::s", name: "s" }) as unknown as ResourceValidationArgs;
  const violations = (props: Record<string, unknown>) => {
    const out: string[] = [];
    for (const r of rules()) r.validateResource(args(props), (m: string) => { out.push(`${r.name}: ${m}`); });
    return out;
  };

  test("Biostar's swarm services as the program registers them pass every rule", async () => {
    await deployBiostar({ "biostar.web": 3 });
    for (const s of ofType(SERVICE)) expect({ service: s.name, violations: violations(s.inputs) }).toEqual({ service: s.name, violations: [] });
  });

  test("a service without a memory limit, health check or restart, with a latest image, a literal password, a published database", async () => {
    await deployBiostar();
    const db = byName("biostar-db-service").inputs;
    const bad = {
      ...db,
      endpointSpec: { mode: "vip", ports: [{ targetPort: 5432, publishedPort: 5432 }] },
      taskSpec: { ...db.taskSpec, resources: undefined, restartPolicy: { condition: "none" },
        containerSpec: { ...db.taskSpec.containerSpec, image: "postgres:latest", healthcheck: undefined, env: { POSTGRES_PASSWORD: "hunter22" } } },
    };
    expect(violations(bad).map((v) => v.split(":")[0]).sort()).toEqual([
      "databases-not-published", "health-checks", "memory-limits", "pinned-images", "restart-policies", "secrets-as-files",
    ]);
  });
});
