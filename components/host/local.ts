// LocalDockerHost: the Docker engine of the machine running Pulumi.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DockerHost } from "./docker-host";

export interface LocalDockerHostArgs {
  /**
   * The engine's address, e.g. unix:///var/run/docker.sock.
   * @default the docker provider's own default (DOCKER_HOST, else the local socket)
   */
  readonly dockerHost?: pulumi.Input<string>;
  /**
   * The address published ports are reached at.
   * @default "localhost"
   */
  readonly address?: string;
}

export class LocalDockerHost extends pulumi.ComponentResource implements DockerHost {
  static readonly TYPE = "appstacks:host:LocalDockerHost";
  public readonly provider: docker.Provider;
  public readonly ready: pulumi.Resource[] = [];
  public readonly address: pulumi.Output<string>;

  constructor(name: string, args: LocalDockerHostArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    super(LocalDockerHost.TYPE, name, {}, opts);
    this.provider = new docker.Provider(`${name}-docker`, { host: args.dockerHost }, { parent: this });
    this.address = pulumi.output(args.address ?? "localhost");
    this.registerOutputs({ address: this.address });
  }
}
