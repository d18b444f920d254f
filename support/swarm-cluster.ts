// A real multi-node Docker Swarm for the e2e tests: one manager and N workers (default 2), each a
// Docker-in-Docker container of the outer engine (appstacks/dind:local, images/dind: Debian's
// docker.io 20.10), on one user-defined bridge network with a registry (appstacks/registry:local)
// the nodes pull from. The manager's API is published on 127.0.0.1 (`dockerHost`, for DOCKER_HOST
// or the Pulumi docker provider); local images reach the nodes through `pushImages`.
//
// Every object (network, containers, volumes) is labelled appstacks.test=<name>, so `stop()` (and
// a leak hunt, `docker ps -a --filter label=appstacks.test`) finds them by label alone; stop() is
// idempotent and safe after a partial start.
//
// Nodes are named <name>-manager, <name>-worker-1…; the swarm node of each carries the label
// `appstacks.node=<index>` (0 the manager, 1…N the workers) for placement constraints.
//
// Not --privileged: on this host CAP_SYS_RESOURCE is missing from the engine's bounding set, so
// runc refuses a privileged container ("unable to apply caps"). The nodes run with the official
// docker:dind image's documented flags for running without --privileged (its "Docker-in-Kata"
// recipe: every capability the host has, seccomp/AppArmor/system paths unconfined, every device,
// DOCKER_REMOUNT_SYS_RW=1 so the entrypoint makes /sys and the cgroup hierarchies writable).
//
// The nodes' dockerd get `--tls=false`: dockerd 20.10 listening on TCP without it waits 15 s on
// purpose at every start (its deprecation warning), most of a node's start.
//
// This kernel has VXLAN but no IPVS: the routing mesh and VIP endpoints do not work, so services
// must use `--endpoint-mode dnsrr` and host-mode published ports (`mode=host`), reached at a node's
// address on the bridge network (`nodes[i].ip`).
import { execFile } from "child_process";
import { promisify } from "util";
import { eventually } from "./eventually";

const run = promisify(execFile);

export const SWARM_LABEL = "appstacks.test";
export const DIND_IMAGE = process.env.APPSTACKS_DIND_IMAGE ?? "appstacks/dind:local";
export const REGISTRY_IMAGE = process.env.APPSTACKS_REGISTRY_IMAGE ?? "appstacks/registry:local";

export interface SwarmNode {
  /** 0 for the manager, 1…N for the workers: the swarm node's `appstacks.node` label. */
  index: number;
  role: "manager" | "worker";
  /** The dind container (also the node's hostname). */
  container: string;
  /** The swarm node id. */
  nodeId: string;
  /** The container's address on the cluster's bridge network (reachable from the outer host). */
  ip: string;
}

export interface SwarmCluster {
  name: string;
  /** The manager's engine: "tcp://127.0.0.1:PORT". */
  dockerHost: string;
  /** The registry as the nodes name it: "<name>-registry:5000". */
  registry: string;
  /** The registry by its address on the bridge network, "172.18.0.2:5000": the nodes and programs on the outer host reach it so. */
  registryAddress: string;
  /** The registry as the outer host's engine pushes to it: "127.0.0.1:PORT". */
  registryFromHost: string;
  /** The bridge network the nodes and the registry share. */
  network: string;
  /** The manager first, then the workers. */
  nodes: SwarmNode[];
  /**
   * The program's `appstacks:swarm` settings for this cluster: its manager and registry, and
   * this kernel's modes (no IPVS: DNS round robin and host-mode ports instead of the mesh).
   */
  programSettings: { dockerHost: string; address: string; endpointMode: "dnsrr"; publishMode: "host"; registry: string };
  /** Times of the start, in ms: engines answering, swarm formed (all nodes Ready), total. */
  timings: { enginesMs: number; swarmMs: number; totalMs: number };
  /**
   * Pushes local images of the outer engine through the registry: each ref is tagged
   * 127.0.0.1:<registry port>/<path>:<tag> and pushed (the tag is removed again); returns
   * ref → "<registryAddress>/<path>:<tag>", the name the nodes pull (an image override map).
   */
  pushImages(refs: string[]): Promise<Record<string, string>>;
  /**
   * Pulls a pushed image on the manager and tags it under its usual name, for builds there that
   * name it in FROM: Docker 20.10's BuildKit asks a registry in the FROM line over HTTPS whatever
   * the engine's insecure-registries say (ours is plain HTTP), while a local image needs none.
   */
  baseOnManager(ref: string, pushed: Record<string, string>): Promise<void>;
  /** `docker <args>` against the manager's engine; stdout, trimmed. */
  docker(args: string[], opts?: { timeoutMs?: number }): Promise<string>;
  /** `docker <args>` run inside a node's engine (docker exec <node> docker …); stdout, trimmed. */
  dockerOn(node: SwarmNode | string, args: string[], opts?: { timeoutMs?: number }): Promise<string>;
  /** The tasks of a swarm service meant to run: each one's node (container name) and current state ("Running 5 seconds ago"). */
  runningTasks(service: string): Promise<{ node: string; state: string }[]>;
  /** The names of the manager's objects of a kind (service, secret, config, network, volume) labelled label=value. */
  labelled(kind: string, label: string, value: string): Promise<string[]>;
  /** Removes every container (with its volumes), volume and network labelled with the name. */
  stop(): Promise<void>;
}

async function docker(args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await run("docker", args, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`docker ${args.join(" ")}: ${(err.stderr ?? "").trim() || err.message}`);
  }
}

function lines(out: string): string[] {
  return out === "" ? [] : out.split("\n");
}

/** The host port a container's port is published on (published as 127.0.0.1::port). */
async function publishedPort(container: string, port: string): Promise<number> {
  const out = lines(await docker(["port", container, port]));
  const m = out.map((l) => l.match(/^127\.0\.0\.1:(\d+)$/)).find((x) => x);
  if (!m) throw new Error(`${container} ${port} is not published on 127.0.0.1 (docker port: ${out.join(", ")})`);
  return Number(m[1]);
}

async function ipOn(container: string, network: string): Promise<string> {
  const ip = await docker(["inspect", "-f", `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container]);
  if (ip === "" || ip === "<no value>") throw new Error(`${container} has no address on ${network}`);
  return ip;
}

/**
 * A reference without its registry: "127.0.0.1:5000/a/b:t" → "a/b:t", "appstacks/nginx:local" as
 * it is; the tag defaults to latest. A digest reference is refused (a push re-tags).
 */
export function repoPath(ref: string): { path: string; tag: string } {
  if (ref.includes("@")) throw new Error(`${ref}: push by digest is not supported, give a tag`);
  const parts = ref.split("/");
  if (parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost")) parts.shift();
  const rest = parts.join("/");
  const colon = rest.lastIndexOf(":");
  return colon > rest.lastIndexOf("/") ? { path: rest.slice(0, colon), tag: rest.slice(colon + 1) } : { path: rest, tag: "latest" };
}

/** Removes everything labelled appstacks.test=<name>; never throws. */
export async function removeSwarmCluster(name: string): Promise<void> {
  const filter = `label=${SWARM_LABEL}=${name}`;
  const quiet = async (args: string[]) => docker(args).catch(() => "");
  const containers = lines(await quiet(["ps", "-aq", "--filter", filter]));
  if (containers.length > 0) await quiet(["rm", "-f", "-v", ...containers]);
  const volumes = lines(await quiet(["volume", "ls", "-q", "--filter", filter]));
  if (volumes.length > 0) await quiet(["volume", "rm", "-f", ...volumes]);
  for (const n of lines(await quiet(["network", "ls", "-q", "--filter", filter]))) await quiet(["network", "rm", n]);
}

/**
 * Forms the swarm from the nodes' engines (the manager first), instead of the harness's own
 * `docker swarm init` and `join`: for a test of what the program itself runs to form one.
 */
export type FormSwarm = (engines: { container: string; ip: string }[]) => Promise<void>;

/** The flags a node runs with instead of --privileged (see the header). */
const NODE_SECURITY = [
  "--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
  "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
  "--security-opt", "systempaths=unconfined", "--device-cgroup-rule", "a *:* rwm",
  "-e", "DOCKER_REMOUNT_SYS_RW=1",
];

/**
 * Starts the cluster; on any failure removes what it made and rethrows. `name` prefixes every
 * object and is the value of their appstacks.test label (make it unique per run).
 */
export async function startSwarmCluster(name: string, opts: { workers?: number; timeoutMs?: number; form?: FormSwarm } = {}): Promise<SwarmCluster> {
  const workers = opts.workers ?? 2;
  const timeoutMs = opts.timeoutMs ?? 180_000;
  const label = ["--label", `${SWARM_LABEL}=${name}`];
  const network = `${name}-net`;
  const registryName = `${name}-registry`;
  const started = Date.now();
  const containers = [`${name}-manager`, ...Array.from({ length: workers }, (_, i) => `${name}-worker-${i + 1}`)];
  try {
    await docker(["network", "create", ...label, network]);
    await docker(["run", "-d", "--name", registryName, "--hostname", registryName, ...label, "--network", network,
      "-p", "127.0.0.1::5000", REGISTRY_IMAGE]);
    // By address as well as by name: a program on the outer host (the docker provider checking
    // a push) reaches the registry at its address on the bridge network, not by its name.
    const registryIp = await ipOn(registryName, network);
    for (const [i, c] of containers.entries()) {
      const volume = `${c}-docker`;
      await docker(["volume", "create", ...label, volume]);
      await docker(["run", "-d", "--name", c, "--hostname", c, ...label, "--label", `appstacks.node=${i}`,
        "--network", network, ...NODE_SECURITY, "-e", "DOCKER_TLS_CERTDIR=",
        "-v", `${volume}:/var/lib/docker`, ...(i === 0 ? ["-p", "127.0.0.1::2375"] : []),
        DIND_IMAGE, "--tls=false", "--insecure-registry", `${registryName}:5000`, "--insecure-registry", `${registryIp}:5000`]);
    }
    const managerPort = await publishedPort(containers[0], "2375/tcp");
    const registryPort = await publishedPort(registryName, "5000/tcp");
    const dockerHost = `tcp://127.0.0.1:${managerPort}`;
    const ips = await Promise.all(containers.map((c) => ipOn(c, network)));
    const inNode = (c: string, args: string[], t?: number) => docker(["exec", c, "docker", ...args], t);

    await Promise.all(containers.map((c) => eventually(`engine in ${c}`, () => inNode(c, ["info", "--format", "{{.ServerVersion}}"], 10_000), timeoutMs, 500)));
    await eventually("manager API on " + dockerHost, () => docker(["-H", dockerHost, "version", "--format", "{{.Server.Version}}"], 10_000), timeoutMs, 500);
    const enginesMs = Date.now() - started;

    if (opts.form) await opts.form(containers.map((c, i) => ({ container: c, ip: ips[i] })));
    else {
      await inNode(containers[0], ["swarm", "init", "--advertise-addr", ips[0], "--listen-addr", `${ips[0]}:2377`]);
      const token = await inNode(containers[0], ["swarm", "join-token", "-q", "worker"]);
      await Promise.all(containers.slice(1).map((c, i) =>
        inNode(c, ["swarm", "join", "--token", token, "--advertise-addr", ips[i + 1], "--listen-addr", `${ips[i + 1]}:2377`, `${ips[0]}:2377`])));
    }
    const nodeIds = await Promise.all(containers.map((c) => inNode(c, ["info", "--format", "{{.Swarm.NodeID}}"])));
    await eventually(`${containers.length} Ready nodes`, async () => {
      const ready = lines(await inNode(containers[0], ["node", "ls", "--format", "{{.ID}} {{.Status}}"])).filter((l) => l.endsWith(" Ready"));
      if (ready.length !== containers.length) throw new Error(`${ready.length} Ready: ${ready.join(", ")}`);
    }, timeoutMs, 500);
    const swarmMs = Date.now() - started;
    for (const [i, id] of nodeIds.entries()) await inNode(containers[0], ["node", "update", "--label-add", `appstacks.node=${i}`, id]);

    const nodes: SwarmNode[] = containers.map((c, i) => ({ index: i, role: i === 0 ? "manager" : "worker", container: c, nodeId: nodeIds[i], ip: ips[i] }));
    const registryFromHost = `127.0.0.1:${registryPort}`;
    const registry = `${registryName}:5000`;
    const registryAddress = `${registryIp}:5000`;
    return {
      name, dockerHost, registry, registryAddress, registryFromHost, network, nodes,
      programSettings: { dockerHost, address: nodes[0].ip, endpointMode: "dnsrr", publishMode: "host", registry: registryAddress },
      timings: { enginesMs, swarmMs, totalMs: Date.now() - started },
      async pushImages(refs) {
        const out: Record<string, string> = {};
        for (const ref of refs) {
          const { path, tag } = repoPath(ref);
          const local = `${registryFromHost}/${path}:${tag}`;
          await docker(["tag", ref, local]);
          try {
            await docker(["push", "-q", local], 600_000);
          } finally {
            await docker(["rmi", local]).catch(() => "");
          }
          // By address: BuildKit on a node resolves FROM through the outer host's DNS, which knows no container names.
          out[ref] = `${registryAddress}/${path}:${tag}`;
        }
        return out;
      },
      async baseOnManager(ref, pushed) {
        await docker(["-H", dockerHost, "pull", "-q", pushed[ref]]);
        await docker(["-H", dockerHost, "tag", pushed[ref], ref]);
      },
      docker: (args, o) => docker(["-H", dockerHost, ...args], o?.timeoutMs),
      dockerOn: (node, args, o) => inNode(typeof node === "string" ? node : node.container, args, o?.timeoutMs),
      async runningTasks(service) {
        const out = await docker(["-H", dockerHost, "service", "ps", service, "--filter", "desired-state=running", "--format", "{{.Node}} {{.CurrentState}}"]);
        return lines(out).map((l) => ({ node: l.split(" ")[0], state: l.split(" ").slice(1).join(" ") }));
      },
      labelled: async (kind, l, value) => lines(await docker(["-H", dockerHost, kind, "ls", "--filter", `label=${l}=${value}`, "--format", "{{.Name}}"])),
      stop: () => removeSwarmCluster(name),
    };
  } catch (e) {
    await removeSwarmCluster(name);
    throw e;
  }
}
