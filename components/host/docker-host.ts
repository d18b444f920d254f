// A Docker host: the engine every resource of a stack is created on. Stacks never create a
// docker.Provider; they receive a DockerHost and hand `provider` and `ready` to their children.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";

export interface DockerHost {
  /** The provider every Docker resource on this host is created with. */
  readonly provider: docker.Provider;
  /**
   * Resources that must be complete before the first Docker object is created (an instance
   * booting, an engine being installed). Empty when the engine is known to answer already.
   */
  readonly ready: pulumi.Resource[];
  /** The address that published ports are reached at, for URLs. */
  readonly address: pulumi.Output<string>;
  /**
   * Set when the engine is a manager of a Docker Swarm: long-running services become swarm
   * services spread over its nodes (runtime/swarm.ts), jobs run as containers on this manager.
   */
  readonly swarm?: SwarmMode;
}

/** How this program uses a swarm: the host's engine is one of its managers. */
export interface SwarmMode {
  /**
   * How a service's tasks are found by name on its networks: "vip", one virtual IP balanced by
   * the kernel's IPVS (Docker's default), or "dnsrr", the tasks' own addresses in DNS round robin
   * (for kernels without IPVS, where virtual IPs refuse connections).
   */
  readonly endpointMode: "vip" | "dnsrr";
  /**
   * How published ports listen: "ingress", the routing mesh (every node answers and balances to
   * any task; needs IPVS and "vip"), or "host", only the nodes that run a task, on their own ports.
   */
  readonly publishMode: "ingress" | "host";
  /**
   * The registry every node pulls the images the apps build from (plain HTTP, reachable under
   * this name by the manager's engine, by every node and by this program), e.g. "10.0.0.5:5000".
   * Without it an app that builds an image is refused: the other nodes could not run it.
   */
  readonly registry?: string;
  /**
   * The node label that marks the node keeping the data: a service with a data volume runs only
   * on a node with `<label>=true`, where its named volume stays between tasks. The program
   * creates (and keeps) the volumes on the manager it talks to, so label that manager.
   */
  readonly dataNodeLabel: string;
}


/** The resource options every Docker object on `host` is created with. */
export function onHost(host: DockerHost, parent: pulumi.Resource, extra: pulumi.CustomResourceOptions = {}): pulumi.CustomResourceOptions {
  const dependsOn = [...host.ready, ...toArray(extra.dependsOn)];
  return { ...extra, parent, provider: host.provider, dependsOn };
}

function toArray(d: pulumi.CustomResourceOptions["dependsOn"]): pulumi.Input<pulumi.Resource>[] {
  if (d === undefined) return [];
  return Array.isArray(d) ? d : [d as pulumi.Input<pulumi.Resource>];
}
