// The program: reads config once, builds the host, deploys the chosen application stacks from
// the app registry and exports their URLs. Everything below index.ts is a function of typed
// arguments.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { deployedApps, deployedPorts, PROGRAM_SECRETS, programSchema, RawConfig } from "./config/schema";
import { objectShape, unwrap } from "./config/app-definition";
import { APPS, Config, loadConfig } from "./stacks/registry";
import { deployApp, hostPortProblems, StackContext } from "./stacks/deploy";
import { DockerHost } from "./components/host/docker-host";
import { LocalDockerHost } from "./components/host/local";
import { SshDockerHost } from "./components/host/ssh";
import { SwarmDockerHost } from "./components/host/swarm";
import { readPortClaims } from "./components/host/engine-port-claims";
// Only a type at the top: @pulumi/aws takes ~0.6 s to load, paid by every local and ssh preview,
// up and destroy if imported here. The ec2 target loads it (see dockerHost).
import type { Ec2DockerHost, Ec2DockerHostArgs } from "./components/host/ec2";
import type { Ec2SwarmCluster } from "./components/host/ec2-swarm";
import type { Ec2Instances } from "./config/schema";
import { dropRpcPayloadDebugLogs } from "./components/log-hygiene";
import { withoutPromiseStacks } from "./components/promise-stacks";

dropRpcPayloadDebugLogs();
withoutPromiseStacks();

const NAMESPACE = "appstacks";
const config = new pulumi.Config(NAMESPACE);
// Keys read with getSecret: the stack's seed, the SSH key, and the apps' config secrets.
const SECRET_KEYS: string[] = [...PROGRAM_SECRETS.map((s) => s.key), ...APPS.flatMap((a) => (a.configSecrets ?? []).map((s) => s.key))];
const cfg = parseOrStop(readConfig());
const scope = { project: pulumi.getProject(), stack: pulumi.getStack() };
// Set by `npm run up` on a stack's first deployment; see components/secret-derive.ts.
const secretSeed = config.getSecret("secretSeed");
if (secretSeed === undefined && cfg.keepDataOnDestroy && cfg.apps.length > 0) {
  pulumi.log.warn(
    "appstacks:secretSeed is not set: credentials are generated into state only, so after `destroy` a new `up` " +
      "cannot open the data volumes it kept. Set one: pulumi config set --secret appstacks:secretSeed \"$(openssl rand -base64 32)\"",
  );
}

if (!cfg.keepDataOnDestroy && cfg.apps.length > 0) {
  // Dropping data is a choice the user must see before it happens: every preview says so.
  pulumi.log.warn(
    `appstacks:keepDataOnDestroy is false: \`pulumi destroy\` DELETES the data volumes of ${cfg.apps.join(", ")} ` +
      "(each app stack names its volumes below). Set it to true to keep them.",
  );
}

refuseHeldPorts();
const host = dockerHost();
const context: StackContext = {
  host, scope, keepDataOnDestroy: cfg.keepDataOnDestroy, imageOverrides: cfg.imageOverrides, frontProxyImage: cfg.proxyImage, noRollout: cfg.noRollout, rollback: cfg.rollback, secretSeed,
  replicas: cfg.swarm.replicas,
  namespace: NAMESPACE, readSecret: (key) => config.getSecret(key),
};
const urlsByApp: Record<string, pulumi.Output<string>> = {};
for (const { app, settings } of deployedApps(cfg, APPS)) Object.assign(urlsByApp, deployApp(app, settings, context).urls);

/** Each deployed app's entry URLs. */
export const urls = pulumi.output(urlsByApp);

/** Where the stacks run; for an EC2 instance also its addresses and how to log in. */
export const server = cfg.target === "ec2"
  ? { target: cfg.target, address: host.address, publicIp: (host as Ec2DockerHost).publicIp, sshCommand: (host as Ec2DockerHost).sshCommand }
  : cfg.target === "ec2-swarm"
    ? { target: cfg.target, address: host.address, publicIp: (host as Ec2SwarmCluster).publicIp, sshCommand: (host as Ec2SwarmCluster).sshCommand, nodes: (host as Ec2SwarmCluster).members }
    : { target: cfg.target, address: host.address };

/**
 * Before any resource is registered: a host port another Pulumi stack already publishes on the
 * engine stops the program with one line per port. Only for the local target (the engine of
 * DOCKER_HOST, else the local socket, as the docker provider picks it): an ssh or ec2 engine is
 * reached through what the program creates (its ssh files, the instance), and may not exist yet.
 */
function refuseHeldPorts(): void {
  const apps = deployedApps(cfg, APPS);
  if (apps.length === 0) return;
  if (cfg.target !== "local") {
    pulumi.log.info(`host ports published by other stacks are not checked before a deployment to target ${cfg.target} (only the local engine is read at preview)`);
    return;
  }
  const engine = process.env.DOCKER_HOST || "unix:///var/run/docker.sock";
  let claims;
  try {
    claims = readPortClaims(engine);
  } catch (e) {
    pulumi.log.warn(`host ports published by other stacks not checked: ${(e as Error).message}`);
    return;
  }
  const problems = hostPortProblems(apps, { scope, keepDataOnDestroy: cfg.keepDataOnDestroy, imageOverrides: cfg.imageOverrides, namespace: NAMESPACE }, claims);
  if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));
}

/** The Docker host the config's target names; the stacks below do not know which it is. */
function dockerHost(): DockerHost {
  switch (cfg.target) {
    case "local":
      return new LocalDockerHost("host");
    case "ssh": {
      const s = cfg.ssh;
      return new SshDockerHost("host", {
        address: s.address, user: s.user, port: s.port, privateKey: config.getSecret("sshPrivateKey"), installDocker: s.installDocker, scope,
        hostKeyCheck: s.hostKey !== undefined ? { hostKey: s.hostKey } : { insecureIgnoreHostKey: true },
      });
    }
    case "swarm": {
      const { replicas: _, ...swarm } = cfg.swarm;
      return new SwarmDockerHost("host", swarm);
    }
    case "ec2": {
      const { Ec2DockerHost } = require("./components/host/ec2") as typeof import("./components/host/ec2");
      return new Ec2DockerHost("host", instanceArgs(cfg.ec2));
    }
    case "ec2-swarm": {
      const { Ec2SwarmCluster } = require("./components/host/ec2-swarm") as typeof import("./components/host/ec2-swarm");
      const { replicas: _, dockerHost: __, address: ___, ...swarm } = cfg.swarm;
      return new Ec2SwarmCluster("host", { ...swarm, ...cfg.ec2Swarm, node: instanceArgs(cfg.ec2) });
    }
  }
}

/** An EC2 instance as the ec2 settings describe it: the ec2 target's host, each node of ec2-swarm's. */
function instanceArgs(e: Ec2Instances): Ec2DockerHostArgs {
  return {
    region: e.region, instanceType: e.instanceType, amiId: e.amiId, amiOwner: e.amiOwner, amiNameFilter: e.amiNameFilter, sshUser: e.sshUser,
    vpcId: e.vpcId, subnetId: e.subnetId, sshCidrs: e.sshCidrs, sandbox: e.sandbox, rootVolumeGb: e.rootVolumeGb,
    terminationProtection: e.terminationProtection, publicKey: e.publicKey, privateKey: config.getSecret("sshPrivateKey"), scope,
    dataVolumeGb: e.dataVolumeGb, dataVolumeId: e.dataVolumeId, keepDataOnDestroy: cfg.keepDataOnDestroy,
    publishedPorts: deployedPorts(cfg, APPS, NAMESPACE).map(([, port]) => port),
  };
}

/**
 * Every key of the namespace, read once: strings as they are, other values as JSON. A key the
 * schema does not know (a typo such as keepDataOnDestory) is handed on so it is refused by name.
 */
function readConfig(): RawConfig {
  const shape = objectShape(programSchema(APPS));
  const raw: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(shape)) {
    const inner = unwrap(schema as z.ZodTypeAny);
    raw[key] = inner instanceof z.ZodString || inner instanceof z.ZodEnum ? config.get(key) : config.getObject(key);
  }
  for (const k of Object.keys(pulumi.runtime.allConfig())) {
    const key = k.startsWith(`${NAMESPACE}:`) ? k.slice(NAMESPACE.length + 1) : undefined;
    if (key !== undefined && !(key in shape) && !SECRET_KEYS.includes(key)) raw[key] = "(set)";
  }
  return raw;
}

/** A bad value stops the program before any resource is registered, without a stack trace. */
function parseOrStop(values: RawConfig): Config {
  try {
    return loadConfig(NAMESPACE, values);
  } catch (e) {
    throw new pulumi.RunError((e as Error).message);
  }
}
