// ServiceImage: an image on the host, either built from a context in this repo (on the host's
// daemon, and pushed to a registry when asked) or a pinned reference, rewritten through the
// override map.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DockerHost, onHost } from "./host/docker-host";
import { contextHash } from "./context-hash";
import { isPinned, resolveImageRef } from "./image-ref";

export interface ImageBuild {
  /** Directory of the build context. Relative paths are relative to the program's directory. */
  readonly context: string;
  /** @default "Dockerfile" in the context */
  readonly dockerfile?: string;
  /** Build arguments: never secrets (they are visible in the image's history). */
  readonly args?: Readonly<Record<string, string>>;
  readonly target?: string;
  /** Push the built image to a registry and run what is pulled back from it. @default not pushed */
  readonly push?: RegistryPush;
}

/**
 * Build → push → pull by digest: the image a service runs is the one the registry serves, as in
 * a deployment through a private registry. The registry must answer plain HTTP at `registry`
 * from both the host's engine and this program (the engine trusts 127.0.0.0/8 without TLS).
 */
export interface RegistryPush {
  /** The registry as the engine reaches it, e.g. "localhost:5000". */
  readonly registry: string;
  /** Repository in the registry, e.g. "appstacks-dev-lab-app". */
  readonly repository: string;
  readonly tag: string;
  /**
   * Another name of the same registry to pull from, e.g. "127.0.0.1:5000": the pushed tag is
   * already local under `registry`, so pulling through a second name makes the engine fetch the
   * manifest from the registry rather than find it locally. @default registry
   */
  readonly pullRegistry?: string;
}

/** Exactly one of `ref` (a pinned reference to pull) or `build`. */
export type ImageSource = { readonly ref: string; readonly build?: undefined } | { readonly build: ImageBuild; readonly ref?: undefined };

export interface ServiceImageArgs {
  readonly host: DockerHost;
  readonly source: ImageSource;
  /**
   * The local tag a built image gets on the engine that builds it, a pushed one too (the
   * registry's name is another): a service of the app that starts containers itself on that
   * engine (the lab's spawner) names what the app built by it, wherever the image is pushed.
   * Derive it from project, stack and app.
   */
  readonly tag: string;
  /** Override map for pulled references (exact reference or repository → replacement). */
  readonly overrides?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  /** Resources that must exist first (the registry a pushed image goes to). */
  readonly dependsOn?: pulumi.Resource[];
  /**
   * Pushes to finish before this one starts: images of the same repository share their base
   * layers, and a push after another only mounts the layers already uploaded (measured: a 320 MB
   * image pushed in 7.7 s, the same layers under another tag in 0.06 s), while two pushes at once
   * each upload and compress them.
   */
  readonly pushAfter?: pulumi.Resource[];
}

export class ServiceImage extends pulumi.ComponentResource {
  static readonly TYPE = "appstacks:index:ServiceImage";
  /** The image's ID: containers use it, so they are replaced exactly when the image changes. */
  public readonly imageId: pulumi.Output<string>;
  /** The reference the image was pulled or tagged as. */
  public readonly ref: pulumi.Output<string>;
  /**
   * The reference with the registry's digest (repo:tag@sha256:…), where the image came from a
   * registry, else `ref`: what a swarm's nodes pull, exactly these bytes, and what the swarm
   * itself records for a service (so the next preview finds no change).
   */
  public readonly pinnedRef: pulumi.Output<string>;
  /** The push to the registry, for an image that is pushed. */
  public readonly push?: docker.RegistryImage;

  constructor(name: string, args: ServiceImageArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(ServiceImage.TYPE, name, {}, opts);
    let image: docker.RemoteImage;
    if (args.source.build !== undefined) {
      const b = args.source.build;
      const context = path.resolve(b.context);
      const push = b.push;
      image = new docker.RemoteImage(`${name}-image`, {
        name: push ? `${push.registry}/${push.repository}:${push.tag}` : args.tag,
        build: {
          // Relative to the program directory, so state does not depend on where the repo lives.
          context: path.relative(process.cwd(), context) || ".",
          dockerfile: b.dockerfile,
          buildArgs: b.args ? { ...b.args } : undefined,
          target: b.target,
          label: args.labels ? { ...args.labels } : undefined,
          // On a swarm manager reached over tcp://, a BuildKit build left no image under the
          // registry's name to push (measured on Docker 20.10); the engine's own builder does.
          ...(args.host.swarm !== undefined ? { useLegacyBuilder: true } : {}),
        },
        // The provider does not look inside the context; the hash makes any change rebuild.
        triggers: { context: contextHash(context) },
      }, onHost(args.host, this));
      if (push) {
        new docker.Tag(`${name}-local`, { sourceImage: image.imageId, targetImage: args.tag }, onHost(args.host, this));
        const pushed = pushTo(name, push, image, args, this);
        this.push = pushed;
        image = pullBack(name, push, pushed, args, this);
      }
    } else {
      const ref = resolveImageRef(args.source.ref, args.overrides);
      if (!isPinned(ref)) {
        throw new pulumi.ResourceError(`image "${ref}" is not pinned: use a tag other than latest, or a digest`, this);
      }
      // keepLocally: an image pulled for one stack may serve others on the same host.
      image = new docker.RemoteImage(`${name}-image`, { name: ref, keepLocally: true }, onHost(args.host, this));
    }
    this.imageId = image.imageId;
    this.ref = image.name;
    this.pinnedRef = pulumi.all([image.name, image.repoDigest]).apply(([name, digest]) => (name.includes("@") || !digest ? name : `${name}@${digest.split("@")[1]}`));
    this.registerOutputs({ imageId: this.imageId, ref: this.ref });
  }
}

/** Pushes `built` to the registry, after the pushes it must follow. */
function pushTo(name: string, push: RegistryPush, built: docker.RemoteImage, args: ServiceImageArgs, parent: pulumi.Resource): docker.RegistryImage {
  return new docker.RegistryImage(`${name}-push`, {
    name: built.name,
    authConfig: { address: `http://${push.registry}` },
    // The registry is part of the stack and goes with it; its volume keeps the layers when kept.
    keepRemotely: true,
    triggers: { imageId: built.imageId },
  }, onHost(args.host, parent, { dependsOn: [...(args.dependsOn ?? []), ...(args.pushAfter ?? [])] }));
}

/** Pulls the pushed image back by the digest the registry reports. */
function pullBack(name: string, push: RegistryPush, pushed: docker.RegistryImage, args: ServiceImageArgs, parent: pulumi.Resource): docker.RemoteImage {
  return new docker.RemoteImage(`${name}-pull`, {
    name: pulumi.interpolate`${push.pullRegistry ?? push.registry}/${push.repository}@${pushed.sha256Digest}`,
  }, onHost(args.host, parent));
}
