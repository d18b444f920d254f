// DataVolume: stateful data. It survives container replacement (it is its own resource) and,
// unless the stack says data may be dropped, `pulumi destroy` too: the volume leaves Pulumi's
// state but stays on the host, so the next `up` of the same stack finds its data again.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DockerHost, onHost } from "./host/docker-host";
import { toLabelList } from "./naming";

export interface DataVolumeArgs {
  readonly host: DockerHost;
  /** The physical volume name; derive it from project, stack and app. */
  readonly volumeName: string;
  /**
   * Keep the volume (and its data) on the host when the stack is destroyed.
   * @default true
   */
  readonly keepOnDestroy?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
}

export class DataVolume extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:index:DataVolume";
  public readonly volumeName: pulumi.Output<string>;

  constructor(name: string, args: DataVolumeArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(DataVolume.TYPE, name, {}, opts);
    const volume = new docker.Volume(`${name}-volume`, {
      name: args.volumeName,
      labels: toLabelList(args.labels),
    }, onHost(args.host, this, { retainOnDelete: args.keepOnDestroy ?? true }));
    this.volumeName = volume.name;
    this.registerOutputs({ volumeName: this.volumeName });
  }
}
