// SwarmDockerHost: a manager of an existing Docker Swarm, reached like any engine (its socket,
// tcp:// or ssh://). Its stacks' services become swarm services spread over the swarm's nodes.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DockerHost, SwarmMode } from "./docker-host";

export interface SwarmDockerHostArgs extends Partial<SwarmMode> {
  /**
   * The manager's engine, e.g. unix:///var/run/docker.sock, tcp://10.0.0.5:2375, ssh://admin@10.0.0.5.
   * @default the docker provider's own default (DOCKER_HOST, else the local socket)
   */
  readonly dockerHost?: pulumi.Input<string>;
  /**
   * The address published ports are reached at (a node's, or a load balancer's in front of them).
   * @default "localhost"
   */
  readonly address?: string;
}

/** The swarm's modes when the host args leave them out: Docker's own defaults. */
export const SWARM_DEFAULTS: SwarmMode = { endpointMode: "vip", publishMode: "ingress", dataNodeLabel: "appstacks.data" };

export class SwarmDockerHost extends pulumi.ComponentResource implements DockerHost {
  static readonly TYPE = "appstacks:host:SwarmDockerHost";
  public readonly provider: docker.Provider;
  public readonly ready: pulumi.Resource[] = [];
  public readonly address: pulumi.Output<string>;
  public readonly swarm: SwarmMode;

  constructor(name: string, args: SwarmDockerHostArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super(SwarmDockerHost.TYPE, name, {}, opts);
    this.provider = new docker.Provider(`${name}-docker`, { host: args.dockerHost }, { parent: this });
    this.address = pulumi.output(args.address ?? "localhost");
    this.swarm = {
      endpointMode: args.endpointMode ?? SWARM_DEFAULTS.endpointMode,
      publishMode: args.publishMode ?? SWARM_DEFAULTS.publishMode,
      registry: args.registry,
      dataNodeLabel: args.dataNodeLabel ?? SWARM_DEFAULTS.dataNodeLabel,
    };
    this.registerOutputs({ address: this.address });
  }
}
