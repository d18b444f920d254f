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
