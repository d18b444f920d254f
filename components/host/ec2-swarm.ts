// Ec2SwarmCluster: a Docker Swarm this program creates on EC2 and deploys to. N managers and M
// workers, each an Ec2DockerHost (pinned AMI, IMDSv2, Docker's data on its own encrypted EBS
// volume, the engine waited for over SSH), all in one members security group: the swarm's ports
// open only between members (the group itself as the source), the apps' published ports to the
// world (with the routing mesh every node answers them), SSH only from the given CIDRs. The swarm
// is formed in the graph (SwarmJoin, swarm-join.ts): the first manager initialises it and carries
// the data node label, the other managers join one at a time, then the workers; join tokens are
// never in state. The docker provider talks to the first manager, as SwarmDockerHost does to the
// manager it is given; the runtime then deploys swarm services (runtime/swarm.ts).
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import * as docker from "@pulumi/docker";
import { DockerHost, SwarmMode } from "./docker-host";
import { Ec2DockerHost, Ec2DockerHostArgs, HOST_EGRESS, ec2Network, hostIngress } from "./ec2";
import { SWARM_DEFAULTS } from "./swarm";
import { MANAGER_COUNT_RULE, SshEndpoint, SwarmJoin, SwarmRole, isManagerCount } from "./swarm-join";

/** Every node's instance settings, as one EC2 host takes them. */
export type Ec2SwarmNodeArgs = Omit<Ec2DockerHostArgs, "securityGroupId" | "awsProvider" | "checkNewerAmi" | "tags">;

export interface Ec2SwarmClusterArgs extends Partial<SwarmMode> {
  /** An odd number from 1 to 7 (see MANAGER_COUNT_RULE). @default 1 */
  readonly managers?: number;
  /** @default 2 */
  readonly workers?: number;
  /**
   * The instance settings of every node. Only the first manager keeps data (the services with a
   * data volume run there): `dataVolumeId` and `keepDataOnDestroy` are its; the other nodes' data
   * volumes hold images and swarm state a new node rebuilds, and go with the stack.
   */
  readonly node: Ec2SwarmNodeArgs;
}

/** The ports swarm members talk to each other on (Docker's documented list; no ESP: overlays are not encrypted). */
export const SWARM_PORTS = [
  { protocol: "tcp", port: 2377, what: "cluster management" },
  { protocol: "tcp", port: 7946, what: "node discovery" },
  { protocol: "udp", port: 7946, what: "node discovery" },
  { protocol: "udp", port: 4789, what: "overlay networks (VXLAN)" },
] as const;

/** The members group's ingress: the swarm's ports from members only, then what one host opens. Pure. */
export function clusterIngress(publishedPorts: readonly number[], sshCidrs: readonly string[]): aws.types.input.ec2.SecurityGroupIngress[] {
  return [
    ...SWARM_PORTS.map((p) => ({ protocol: p.protocol, fromPort: p.port, toPort: p.port, self: true, description: `swarm ${p.what}, from members only` })),
    ...hostIngress(publishedPorts, sshCidrs),
  ];
}

/** The nodes in the order they become members: managers first. Pure. */
export function clusterNodes(managers: number, workers: number): { name: string; role: SwarmRole }[] {
  if (!isManagerCount(managers)) throw new Error(`managers: ${JSON.stringify(managers)} is not allowed (allowed: ${MANAGER_COUNT_RULE})`);
  if (!Number.isInteger(workers) || workers < 0 || workers > 100) throw new Error(`workers: ${JSON.stringify(workers)} is not allowed (allowed: an integer from 0 to 100)`);
  return [
    ...Array.from({ length: managers }, (_, i) => ({ name: `manager-${i + 1}`, role: (i === 0 ? "first-manager" : "manager") as SwarmRole })),
    ...Array.from({ length: workers }, (_, i) => ({ name: `worker-${i + 1}`, role: "worker" as SwarmRole })),
  ];
}

export class Ec2SwarmCluster extends pulumi.ComponentResource implements DockerHost {
  static readonly TYPE = "appstacks:host:Ec2SwarmCluster";
  public readonly provider: docker.Provider;
  public readonly ready: pulumi.Resource[];
  /** The first manager's public DNS name (with the routing mesh any node's answers too). */
  public readonly address: pulumi.Output<string>;
  public readonly swarm: SwarmMode;
  public readonly publicIp: pulumi.Output<string>;
  public readonly sshCommand: pulumi.Output<string>;
  public readonly securityGroup: aws.ec2.SecurityGroup;
  /** Managers first; nodes[0] is the first manager. */
  public readonly nodes: Ec2DockerHost[] = [];
  public readonly joins: SwarmJoin[] = [];
  /** Each node's name, role and addresses. */
  public readonly members: pulumi.Output<{ name: string; role: SwarmRole; publicIp: string; privateIp: string }[]>;

  constructor(name: string, args: Ec2SwarmClusterArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(Ec2SwarmCluster.TYPE, name, {}, opts);
    let plan: { name: string; role: SwarmRole }[];
    try {
      plan = clusterNodes(args.managers ?? 1, args.workers ?? 2);
    } catch (e) {
      throw new pulumi.ResourceError((e as Error).message, this);
    }
    this.swarm = {
      endpointMode: args.endpointMode ?? SWARM_DEFAULTS.endpointMode,
      publishMode: args.publishMode ?? SWARM_DEFAULTS.publishMode,
      registry: args.registry,
      dataNodeLabel: args.dataNodeLabel ?? SWARM_DEFAULTS.dataNodeLabel,
    };
    const n = args.node;
    const awsProvider = new aws.Provider(`${name}-aws`, { region: n.region as aws.Region }, { parent: this });
    const o = { parent: this, provider: awsProvider };
    // One subnet for all: the nodes' data volumes and instances must share its availability zone.
    const { vpcId, subnetId } = ec2Network(n.vpcId, n.subnetId, o);
    const cluster = `${n.scope.project}-${n.scope.stack}-${name}`;
    this.securityGroup = new aws.ec2.SecurityGroup(`${name}-members`, {
      vpcId,
      description: "appstacks swarm: swarm ports between members only, published ports, SSH from the configured CIDRs",
      ingress: clusterIngress(n.publishedPorts, n.sshCidrs),
      egress: HOST_EGRESS,
      tags: { Name: cluster, "appstacks.swarm": cluster },
    }, o);

    const managerJoins: SwarmJoin[] = [];
    let first: { host: Ec2DockerHost; endpoint: pulumi.Output<SshEndpoint> } | undefined;
    for (const node of plan) {
      const isFirst = node.role === "first-manager";
      const host = new Ec2DockerHost(`${name}-${node.name}`, {
        ...n, vpcId, subnetId, securityGroupId: this.securityGroup.id, awsProvider, checkNewerAmi: isFirst,
        dataVolumeId: isFirst ? n.dataVolumeId : undefined,
        keepDataOnDestroy: isFirst ? n.keepDataOnDestroy : false,
        tags: { Name: `${cluster}-${node.name}`, "appstacks.swarm": cluster, "appstacks.swarm-role": node.role === "worker" ? "worker" : "manager" },
      }, { parent: this });
      const endpoint = pulumi.all([host.ssh.destination, host.ssh.sshOpts]).apply(([destination, sshOptions]): SshEndpoint => ({ destination, port: host.ssh.port, sshOptions }));
      // Managers one at a time (each after the one before, so after the first), workers once every
      // manager is in: a joining node is admitted by a majority that already exists.
      const after = node.role === "worker" ? managerJoins : managerJoins.slice(-1);
      const join = new SwarmJoin(`${name}-${node.name}-join`, {
        role: node.role,
        node: endpoint,
        advertiseAddr: host.privateIp,
        manager: first?.endpoint,
        managerAddr: first?.host.privateIp,
        dataNodeLabel: isFirst ? this.swarm.dataNodeLabel : undefined,
        trigger: host.instance.id,
      }, {
        parent: this,
        dependsOn: [...host.ready, ...(first === undefined ? [] : [...new Set([managerJoins[0], ...after])])],
        // Leave before a replacement joins: the replacement may have kept the data volume, and so
        // the swarm identity, of the member that leaves.
        deleteBeforeReplace: true,
      });
      if (node.role !== "worker") managerJoins.push(join);
      if (isFirst) first = { host, endpoint };
      this.nodes.push(host);
      this.joins.push(join);
    }
    const manager = this.nodes[0];
    this.provider = manager.provider;
    // Nothing is deployed before every node is a member: services spread over the whole swarm.
    this.ready = [...this.joins];
    this.address = manager.address;
    this.publicIp = manager.publicIp;
    this.sshCommand = manager.sshCommand;
    this.members = pulumi.all(this.nodes.map((h, i) => pulumi.all([h.publicIp, h.privateIp]).apply(([publicIp, privateIp]) => ({ name: plan[i].name, role: plan[i].role, publicIp, privateIp }))));
    this.registerOutputs({ address: this.address, publicIp: this.publicIp, sshCommand: this.sshCommand, members: this.members });
  }
}
