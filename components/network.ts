// AppNetwork: one Docker network of an application. Back-end networks are internal: no route
// out, nothing published, reachable only by the containers attached to them.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DockerHost, onHost } from "./host/docker-host";
import { toLabelList } from "./naming";

export interface AppNetworkArgs {
  readonly host: DockerHost;
  /** The physical network name; derive it from project, stack and app. */
  readonly networkName: string;
  /**
   * Internal networks have no gateway to the outside.
   * @default false
   */
  readonly internal?: boolean;
  /**
   * A swarm's overlay network, spanning its nodes; attachable, so the jobs' containers on the
   * manager join the services on it. @default false: a bridge network of one engine
   */
  readonly overlay?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
}

export class AppNetwork extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:index:AppNetwork";
  public readonly networkName: pulumi.Output<string>;
  /** The engine's id of the network: a swarm service names its networks by id. */
  public readonly networkId: pulumi.Output<string>;

  constructor(name: string, args: AppNetworkArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(AppNetwork.TYPE, name, {}, opts);
    const network = new docker.Network(`${name}-network`, {
      name: args.networkName,
      internal: args.internal ?? false,
      ...(args.overlay ? { driver: "overlay", attachable: true } : {}),
      labels: toLabelList(args.labels),
    }, onHost(args.host, this));
    this.networkName = network.name;
    this.networkId = network.id;
    this.registerOutputs({ networkName: this.networkName });
  }
}
