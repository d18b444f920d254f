// EngineReady: a step in the graph that completes only when the Docker engine on a server
// answers over SSH (optionally installing Docker first on a bare Debian/Ubuntu server). Every
// Docker resource of the host depends on it, so nothing races a booting machine: the problem
// pulumi-docker#139 describes, solved in the graph rather than with a sleep.
import * as pulumi from "@pulumi/pulumi";

export interface EngineReadyInputs {
  /** ssh destination and options, exactly as the docker provider uses them. */
  readonly destination: pulumi.Input<string>;
  readonly port: pulumi.Input<number>;
  readonly sshOptions: pulumi.Input<string[]>;
  readonly installDocker: pulumi.Input<boolean>;
  /** How long to keep trying, in seconds (a new instance boots and runs cloud-init). */
  readonly timeoutSeconds: pulumi.Input<number>;
  /** Changes (e.g. a replaced instance's ID) that must be waited for again. */
  readonly trigger?: pulumi.Input<string>;
}

interface Inputs {
  destination: string;
  port: number;
  sshOptions: string[];
  installDocker: boolean;
  timeoutSeconds: number;
  trigger?: string;
}

// Runs inside the dynamic provider's process: everything it needs is required inside.
const provider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: Inputs) {
    const { execFileSync } = require("child_process");
    const ssh = (cmd: string) =>
      execFileSync("ssh", [...inputs.sshOptions, "-p", String(inputs.port), inputs.destination, cmd], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 }).trim();
    const install =
      "command -v docker >/dev/null 2>&1 || { sudo -n true 2>/dev/null && S=sudo; $S apt-get update -qq && DEBIAN_FRONTEND=noninteractive $S apt-get install -y -qq docker.io && $S systemctl enable --now docker; }";
    const deadline = Date.now() + inputs.timeoutSeconds * 1000;
    let last = "";
    for (let attempt = 1; ; attempt++) {
      try {
        if (inputs.installDocker) ssh(install);
        const version = ssh("docker version --format '{{.Server.Version}}'");
        return { id: `${inputs.destination}:${inputs.port}`, outs: { ...inputs, serverVersion: version, attempts: attempt } };
      } catch (e: any) {
        last = String(e.stderr || e.message).trim().split("\n").slice(-2).join(" ");
        // A refused host key never fixes itself: stop at once.
        if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/.test(last)) {
          throw new Error(`ssh ${inputs.destination}:${inputs.port}: host key verification failed: the server's key is not the configured appstacks:ssh.hostKey`);
        }
        if (Date.now() > deadline) throw new Error(`the Docker engine at ${inputs.destination}:${inputs.port} did not answer over ssh within ${inputs.timeoutSeconds}s: ${last}`);
        await new Promise((r) => setTimeout(r, 3000));
      }
    }
  },
  async diff(_id: string, olds: Inputs, news: Inputs) {
    const keys = ["destination", "port", "installDocker", "trigger"] as const;
    const changed = keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    const optsChanged = JSON.stringify(olds.sshOptions) !== JSON.stringify(news.sshOptions);
    return { changes: changed.length > 0 || optsChanged || olds.timeoutSeconds !== news.timeoutSeconds, replaces: changed };
  },
  async update(_id: string, _olds: Inputs, news: Inputs) {
    return { outs: { ...news } };
  },
};

export class EngineReady extends pulumi.dynamic.Resource {
  public readonly serverVersion!: pulumi.Output<string>;
  constructor(name: string, args: EngineReadyInputs, opts?: pulumi.CustomResourceOptions) {
    super(provider, name, { serverVersion: undefined, ...args }, opts);
  }
}
