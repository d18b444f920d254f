// SwarmJoin: a step in the graph that makes one node a member of a Docker Swarm over SSH, as
// EngineReady makes sure its engine answers. The first manager initialises the swarm and carries
// the data node label; every other node joins it. The join token is a credential (it admits a
// machine to the swarm) and is never an input or output of any resource, so never in state: the
// join fetches it from the first manager over SSH inside create, hands it to the node's shell on
// stdin (not on a command line) and forgets it. The commands are pure functions (swarmCreateSteps,
// swarmDeleteSteps), run by runSwarmSteps with an ssh client passed in, so tests assert them.
import * as pulumi from "@pulumi/pulumi";

/** The first manager initialises the swarm; the others join it as managers or workers. */
export type SwarmRole = "first-manager" | "manager" | "worker";

/** How the program reaches a machine: the ssh client's destination, port and options. */
export interface SshEndpoint {
  readonly destination: string;
  readonly port: number;
  readonly sshOptions: string[];
}

export interface SwarmJoinInputs {
  readonly role: SwarmRole;
  /** The node, over SSH. */
  readonly node: pulumi.Input<SshEndpoint>;
  /** The node's address inside the network, which the other members reach it at. */
  readonly advertiseAddr: pulumi.Input<string>;
  /** The first manager, over SSH (where a joining node's token comes from); unset for the first manager itself. */
  readonly manager?: pulumi.Input<SshEndpoint>;
  /** The first manager's address inside the network (the joining node dials <managerAddr>:2377). */
  readonly managerAddr?: pulumi.Input<string>;
  /** The label marking the node that keeps the data, set on the first manager (the one the program talks to). */
  readonly dataNodeLabel?: pulumi.Input<string>;
  /** Changes (a replaced instance's ID) that mean a new machine: join again. */
  readonly trigger?: pulumi.Input<string>;
}

interface Inputs {
  role: SwarmRole;
  node: SshEndpoint;
  advertiseAddr: string;
  manager?: SshEndpoint;
  managerAddr?: string;
  dataNodeLabel?: string;
  trigger?: string;
}

/** One command of a join or leave, on the node or on the first manager. */
export interface SwarmStep {
  readonly on: "node" | "manager";
  readonly command: string;
  /** The command reads the join token from its standard input. */
  readonly tokenOnStdin?: boolean;
  /** What the command prints: the join token (kept in memory only) or the node's swarm ID. */
  readonly yields?: "token" | "nodeId";
  /** A failure is ignored (leaving a swarm that is already gone). */
  readonly bestEffort?: boolean;
}

const NODE_ID = "docker info --format '{{.Swarm.NodeID}}'";
const STATE = "docker info --format '{{.Swarm.LocalNodeState}}'";
const NODE_ADDR = "docker info --format '{{.Swarm.NodeAddr}}'";
/** Addresses and labels are written into shell commands: only characters that need no quoting. */
const SHELL_SAFE = /^[A-Za-z0-9._:-]+$/;

function safe(what: string, value: string | undefined): string {
  if (value === undefined || !SHELL_SAFE.test(value)) throw new Error(`${what}: ${JSON.stringify(value)} is not allowed (allowed: letters, digits and . _ : -)`);
  return value;
}

/** The commands that make a node a member, in order. Pure. */
export function swarmCreateSteps(p: { role: SwarmRole; advertiseAddr: string; managerAddr?: string; dataNodeLabel?: string }): SwarmStep[] {
  const addr = safe("advertiseAddr", p.advertiseAddr);
  if (p.role === "first-manager") {
    const label = safe("dataNodeLabel", p.dataNodeLabel);
    return [{
      on: "node",
      // Idempotent: a node already in a swarm whose managers answer, at this address, is left as
      // it is; one that brings an old swarm's state on a kept data volume (a replaced instance, a
      // new stack on a kept volume), whose address changed or whose other managers are gone,
      // becomes the only manager of that swarm (its services, secrets and configs kept; the other
      // nodes join it again, as their manager address changed).
      command: [
        "set -e",
        `case "$(${STATE})" in`,
        `  inactive) docker swarm init --advertise-addr ${addr} ;;`,
        `  *) { [ "$(${NODE_ADDR})" = ${addr} ] && docker node ls >/dev/null 2>&1; } || docker swarm init --force-new-cluster --advertise-addr ${addr} ;;`,
        "esac",
        `docker node update --label-add ${label}=true "$(${NODE_ID})" >/dev/null`,
        NODE_ID,
      ].join("\n"),
      yields: "nodeId",
    }];
  }
  const manager = safe("managerAddr", p.managerAddr);
  return [
    { on: "manager", command: `docker swarm join-token -q ${p.role}`, yields: "token" },
    {
      on: "node",
      // A node that is already a member (its instance replaced, its data volume and so its swarm
      // identity kept) rejoins by itself.
      command: [
        "set -e",
        "read -r t",
        `[ "$(${STATE})" = active ] || docker swarm join --token "$t" --advertise-addr ${addr} ${manager}:2377 >/dev/null`,
        NODE_ID,
      ].join("\n"),
      tokenOnStdin: true,
      yields: "nodeId",
    },
  ];
}

/**
 * The commands that take a node out, best effort: a manager is demoted first (the others keep
 * their majority), the node leaves only if it is still the member that joined (a replacement at
 * the same address is not), and the first manager forgets it. Nothing for the first manager: the
 * swarm goes with the stack, its state stays on the kept data volume.
 */
export function swarmDeleteSteps(role: SwarmRole, nodeId: string): SwarmStep[] {
  if (role === "first-manager" || nodeId === "") return [];
  const id = safe("nodeId", nodeId);
  return [
    ...(role === "manager" ? [{ on: "manager" as const, command: `docker node demote ${id}`, bestEffort: true }] : []),
    { on: "node", command: `[ "$(${NODE_ID})" != ${id} ] || docker swarm leave --force`, bestEffort: true },
    { on: "manager", command: `docker node rm --force ${id}`, bestEffort: true },
  ];
}

/** Runs a command on a machine over ssh, with optional standard input; returns what it prints. */
export type SshRun = (target: SshEndpoint, command: string, stdin?: string) => string;

/**
 * Runs the steps; the token lives in this function's variable between the two commands that need
 * it, and a failure's message has it removed. Returns the node's swarm ID.
 */
export function runSwarmSteps(steps: SwarmStep[], node: SshEndpoint, manager: SshEndpoint | undefined, ssh: SshRun): string {
  let token: string | undefined;
  let nodeId = "";
  for (const step of steps) {
    const target = step.on === "node" ? node : manager;
    if (target === undefined) throw new Error(`a swarm step runs on the first manager, which this node was not given`);
    let out: string;
    try {
      out = ssh(target, step.command, step.tokenOnStdin ? `${token}\n` : undefined).trim();
    } catch (e: any) {
      if (step.bestEffort) continue;
      const said = String(e.stderr || e.message).trim().split("\n").slice(-2).join(" ");
      throw new Error(`swarm ${step.on === "node" ? "node" : "manager"} ${target.destination}: ${token ? said.split(token).join("<join token>") : said}`);
    }
    if (step.yields === "token") token = out;
    if (step.yields === "nodeId") nodeId = out.split("\n").pop() ?? "";
  }
  return nodeId;
}

// Runs inside the dynamic provider's process: what it needs from Node is required inside.
function sshClient(): SshRun {
  const { execFileSync } = require("child_process");
  return (t, command, stdin) =>
    execFileSync("ssh", [...t.sshOptions, "-p", String(t.port), t.destination, command], { encoding: "utf8", input: stdin ?? "", stdio: ["pipe", "pipe", "pipe"], timeout: 120_000 });
}

const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Inputs) {
    const nodeId = runSwarmSteps(swarmCreateSteps(inputs), inputs.node, inputs.manager, sshClient());
    return { id: nodeId, outs: { ...inputs, nodeId } };
  },
  async diff(_id: string, olds: Inputs, news: Inputs) {
    // A new machine, role or address is a new member; new ssh options only change how it is reached.
    const keys = ["role", "advertiseAddr", "managerAddr", "dataNodeLabel", "trigger"] as const;
    const replaces = keys.filter((k) => olds[k] !== news[k]);
    const changed = replaces.length > 0 || JSON.stringify([olds.node, olds.manager]) !== JSON.stringify([news.node, news.manager]);
    return { changes: changed, replaces, deleteBeforeReplace: true };
  },
  async update(_id: string, olds: Inputs & { nodeId: string }, news: Inputs) {
    return { outs: { ...news, nodeId: olds.nodeId } };
  },
  async delete(_id: string, olds: Inputs & { nodeId: string }) {
    runSwarmSteps(swarmDeleteSteps(olds.role, olds.nodeId), olds.node, olds.manager, sshClient());
  },
};

export class SwarmJoin extends pulumi.dynamic.Resource {
  /** The node's ID in the swarm. */
  public readonly nodeId!: pulumi.Output<string>;
  constructor(name: string, args: SwarmJoinInputs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { nodeId: undefined, ...args }, opts);
  }
}

/**
 * What a swarm's number of managers may be. The managers keep the swarm's state by majority vote
 * (Raft): 3 survive the loss of one, 5 of two; an even number adds a machine that can fail and no
 * tolerance (2 survive nothing, like 1; 4 survive one, like 3). Docker advises at most 7.
 */
export const MANAGER_COUNT_RULE = "an odd number from 1 to 7 (the managers need a majority up: an even number tolerates no more failures than one fewer)";
export function isManagerCount(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= 7 && n % 2 === 1;
}
