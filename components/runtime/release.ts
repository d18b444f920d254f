// Release: the record of what a rolling service runs, so its previous release can come back
// (`npm run rollback -- APP SERVICE`, docs/rollouts.md). The docker provider keeps it (release.go
// in toolchain/provider-docker): each change of `current` moves the one before to `previous`.
// Only services that roll out have one: they come back with no gap, and none of them owns data
// whose format an older release might not read.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";

/** What makes a release of a service: its image and settings, secrets aside (they stay current). */
export interface ReleaseRecord {
  /** The image's ID (sha256:…), kept on the host by the service's `:rollback` tag. */
  readonly image: string;
  /** KEY=value lines, as the container gets them. */
  readonly env: readonly string[];
  readonly command?: readonly string[];
  readonly entrypoint?: readonly string[];
  /** Files rendered from plain settings; files holding secrets are rendered from the current ones. */
  readonly files: readonly { readonly path: string; readonly content: string; readonly executable: boolean }[];
}

export interface ReleaseArgs {
  readonly app: string;
  readonly service: string;
  readonly current: pulumi.Input<ReleaseRecord>;
}

export class Release extends pulumi.CustomResource {
  static readonly TYPE = "docker:appstacks/release:Release";
  public readonly app!: pulumi.Output<string>;
  public readonly service!: pulumi.Output<string>;
  public readonly current!: pulumi.Output<ReleaseRecord>;
  /** When `current` was first deployed (RFC 3339, UTC). */
  public readonly currentSince!: pulumi.Output<string>;
  /** The release before `current`, none before the second release. */
  public readonly previous!: pulumi.Output<ReleaseRecord | undefined>;
  public readonly previousSince!: pulumi.Output<string | undefined>;
  /** The image the service's `:rollback` tag keeps: the previous release's, else the current one's. */
  public readonly rollbackImage!: pulumi.Output<string>;

  constructor(name: string, args: ReleaseArgs, opts: pulumi.CustomResourceOptions = {}) {
    super(Release.TYPE, name, { ...args, currentSince: undefined, previous: undefined, previousSince: undefined, rollbackImage: undefined }, opts);
  }
}

/**
 * The tag that keeps the previous release's image on the host while the record names it (the
 * provider removes a replaced build otherwise); until there is a previous release it names the
 * current image. The provider lets go of an image when the tag moves on (shim/tag_delete.go).
 */
export function keepPreviousImage(name: string, release: Release, containerName: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): docker.Tag {
  return new docker.Tag(name, {
    sourceImage: release.rollbackImage,
    targetImage: pulumi.interpolate`${containerName}:rollback`,
  }, opts);
}
