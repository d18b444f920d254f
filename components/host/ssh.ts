// SshDockerHost: the Docker engine of a server reached over SSH, like Kamal. The docker provider
// talks to it through the system ssh client; images a stack builds are built by that daemon (the
// context goes up the same connection), and secret files reach containers through the provider's
// uploads, copied into the container over the API, never written to the server's disk outside it.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { DockerHost } from "./docker-host";
import { EngineReady } from "./engine-ready";
import { HostKeyCheck, SshTarget, dockerSshHost, knownHostsLine, sshOptions, sshStateDir } from "./ssh-options";

export interface SshDockerHostArgs {
  readonly address: pulumi.Input<string>;
  /** @default "root" */
  readonly user?: string;
  /** @default 22 */
  readonly port?: number;
  /** The private key (a secret). Absent: ssh's own agent and default keys. */
  readonly privateKey?: pulumi.Input<string>;
  readonly hostKeyCheck: HostKeyCheck;
  /** Install Docker first on a bare Debian/Ubuntu server (idempotent). @default false */
  readonly installDocker?: boolean;
  /** How long the engine may take to answer (boot, cloud-init). @default 300 */
  readonly readyTimeoutSeconds?: number;
  /** Where the key and known_hosts files live; see sshStateDir. */
  readonly scope: { project: string; stack: string };
  /** Resources the server needs first (an instance, its address). */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
  /** Changes that mean "a new server": wait for its engine again. */
  readonly trigger?: pulumi.Input<string>;
  /** Base directory of the per-stack ssh files. @default ~/.cache/appstacks/ssh */
  readonly sshDir?: string;
  /** The address published ports are reached at. @default address */
  readonly publicAddress?: pulumi.Input<string>;
}

export class SshDockerHost extends pulumi.ComponentResource implements DockerHost {
  static readonly TYPE = "appstacks:host:SshDockerHost";
  public readonly provider: docker.Provider;
  public readonly ready: pulumi.Resource[];
  public readonly address: pulumi.Output<string>;
  /** ssh://user@address:port */
  public readonly dockerHost: pulumi.Output<string>;
  /** user@address and the port, as the ssh client takes them (with sshOpts). */
  public readonly destination: pulumi.Output<string>;
  public readonly port: number;
  public readonly sshOpts: pulumi.Output<string[]>;

  constructor(name: string, args: SshDockerHostArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(SshDockerHost.TYPE, name, {}, opts);
    const user = args.user ?? "root";
    const port = args.port ?? 22;
    const target = pulumi.output(args.address).apply((address): SshTarget => ({ address, user, port }));
    const withKey = args.privateKey !== undefined;
    // The files the ssh client reads, written while the program runs (never into state: only
    // their paths are provider config).
    const files = pulumi.all([target, pulumi.output(args.privateKey ?? "")]).apply(([t, key]) => {
      const dir = sshStateDir(args.scope, t, args.sshDir);
      writeSshFiles(dir, t, args.hostKeyCheck, withKey ? key : undefined);
      return dir;
    });
    // The options name files, not their content: not a secret, though computed after the key.
    this.sshOpts = pulumi.unsecret(files.apply((dir) => sshOptions(dir, args.hostKeyCheck, withKey)));
    this.dockerHost = target.apply(dockerSshHost);
    this.destination = target.apply((t) => `${t.user}@${t.address}`);
    this.port = port;
    const gate = new EngineReady(`${name}-engine-ready`, {
      destination: this.destination,
      port,
      sshOptions: this.sshOpts,
      installDocker: args.installDocker ?? false,
      timeoutSeconds: args.readyTimeoutSeconds ?? 300,
      trigger: args.trigger,
    }, { parent: this, dependsOn: args.dependsOn });
    this.ready = [gate];
    this.provider = new docker.Provider(`${name}-docker`, { host: this.dockerHost, sshOpts: this.sshOpts }, { parent: this, dependsOn: [gate] });
    this.address = pulumi.output(args.publicAddress ?? args.address);
    this.registerOutputs({ address: this.address, dockerHost: this.dockerHost });
  }
}

/** The key (0600) and the known_hosts file, in a 0700 directory of their own. */
function writeSshFiles(dir: string, t: SshTarget, check: HostKeyCheck, key: string | undefined): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (key !== undefined) fs.writeFileSync(path.join(dir, "id"), key.endsWith("\n") ? key : `${key}\n`, { mode: 0o600 });
  if ("hostKey" in check) fs.writeFileSync(path.join(dir, "known_hosts"), knownHostsLine(t, check.hostKey), { mode: 0o600 });
}
