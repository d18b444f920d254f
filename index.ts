// The program: reads config once, builds the host, deploys the chosen application stacks and
// exports their URLs. Everything below index.ts is a function of typed arguments.
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, publishedPorts, RawConfig } from "./config/schema";
import { DockerHost } from "./components/host/docker-host";
import { LocalDockerHost } from "./components/host/local";
import { SshDockerHost } from "./components/host/ssh";
// Only a type at the top: @pulumi/aws takes ~0.6 s to load, paid by every local and ssh preview,
// up and destroy if imported here. The ec2 target loads it (see dockerHost).
import type { Ec2DockerHost } from "./components/host/ec2";
import { Biostar } from "./stacks/biostar";
import { Wattrex } from "./stacks/wattrex";
import { Portal } from "./stacks/portal";
import { Pecan } from "./stacks/pecan";
import { DevopsLab } from "./stacks/devops-lab";
import { dropRpcPayloadDebugLogs } from "./components/log-hygiene";

dropRpcPayloadDebugLogs();

const NAMESPACE = "appstacks";
const config = new pulumi.Config(NAMESPACE);
const raw: RawConfig = {
  target: config.get("target"),
  apps: config.getObject("apps"),
  keepDataOnDestroy: config.getObject("keepDataOnDestroy"),
  imageOverrides: config.getObject("imageOverrides"),
  biostar: config.getObject("biostar"),
  wattrex: config.getObject("wattrex"),
  portal: config.getObject("portal"),
  pecan: config.getObject("pecan"),
  lab: config.getObject("lab"),
  ssh: config.getObject("ssh"),
  ec2: config.getObject("ec2"),
};
// Keys read elsewhere (secrets, with getSecret). Any other key of the namespace is a typo
// (keepDataOnDestory) that would otherwise be ignored silently: parseConfig refuses it.
const SECRET_KEYS = ["secretSeed", "biostarDbPassword", "portalMongoRootPassword", "portalTlsCertificate", "portalTlsKey", "sshPrivateKey"];
const unknownKeys = Object.keys(pulumi.runtime.allConfig())
  .filter((k) => k.startsWith(`${NAMESPACE}:`))
  .map((k) => k.slice(NAMESPACE.length + 1))
  .filter((k) => !(k in raw) && !SECRET_KEYS.includes(k));
const cfg = parseOrStop({ ...raw, ...Object.fromEntries(unknownKeys.map((k) => [k, "(set)"])) });
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

const host = dockerHost();
const urlsByApp: Record<string, pulumi.Output<string>> = {};

// What every app stack gets besides its own settings.
const common = { host, scope, keepDataOnDestroy: cfg.keepDataOnDestroy, imageOverrides: cfg.imageOverrides, secretSeed };

if (cfg.apps.includes("biostar")) {
  urlsByApp.biostar = new Biostar("biostar", { ...common, ...cfg.biostar, dbPassword: config.getSecret("biostarDbPassword") }).url;
}
if (cfg.apps.includes("wattrex")) {
  urlsByApp.wattrex = new Wattrex("wattrex", { ...common, ...cfg.wattrex }).url;
}
if (cfg.apps.includes("portal")) {
  const { tls, ...portal } = cfg.portal;
  urlsByApp.portal = new Portal("portal", {
    ...common, ...portal, mongoRootPassword: config.getSecret("portalMongoRootPassword"),
    tls: tls ? { certificate: requireSecretOrStop("portalTlsCertificate", "a PEM certificate"), key: requireSecretOrStop("portalTlsKey", "a PEM private key") } : undefined,
  }).url;
}

if (cfg.apps.includes("pecan")) {
  urlsByApp.pecan = new Pecan("pecan", { ...common, ...cfg.pecan }).url;
}

if (cfg.apps.includes("lab")) {
  const lab = new DevopsLab("lab", { ...common, ...cfg.lab });
  urlsByApp.lab = lab.url;
  urlsByApp["lab-live"] = lab.liveUrl;
  urlsByApp["lab-reader"] = lab.readerUrl;
}

/** Each deployed app's entry URL. */
export const urls = pulumi.output(urlsByApp);

/** Where the stacks run; for an EC2 instance also its addresses and how to log in. */
export const server = cfg.target === "ec2"
  ? { target: cfg.target, address: host.address, publicIp: (host as Ec2DockerHost).publicIp, sshCommand: (host as Ec2DockerHost).sshCommand }
  : { target: cfg.target, address: host.address };

/** The Docker host the config's target names; the stacks below do not know which it is. */
function dockerHost(): DockerHost {
  switch (cfg.target) {
    case "local":
      return new LocalDockerHost("host");
    case "ssh": {
      const s = cfg.ssh;
      return new SshDockerHost("host", {
        address: s.address!, user: s.user, port: s.port, privateKey: config.getSecret("sshPrivateKey"), installDocker: s.installDocker, scope,
        hostKeyCheck: s.hostKey !== undefined ? { hostKey: s.hostKey } : { insecureIgnoreHostKey: true },
      });
    }
    case "ec2": {
      const e = cfg.ec2;
      const { Ec2DockerHost } = require("./components/host/ec2") as typeof import("./components/host/ec2");
      return new Ec2DockerHost("host", {
        region: e.region, instanceType: e.instanceType, amiId: e.amiId, amiOwner: e.amiOwner, amiNameFilter: e.amiNameFilter, sshUser: e.sshUser,
        vpcId: e.vpcId, subnetId: e.subnetId, sshCidrs: e.sshCidrs!, sandbox: e.sandbox, rootVolumeGb: e.rootVolumeGb,
        terminationProtection: e.terminationProtection, publicKey: e.publicKey!, privateKey: config.getSecret("sshPrivateKey"), scope,
        publishedPorts: publishedPorts(cfg).map(([, port]) => port),
      });
    }
  }
}

/** A secret key another setting requires: one line naming it when it is missing. */
function requireSecretOrStop(key: string, what: string): pulumi.Output<string> {
  const value = config.getSecret(key);
  if (value === undefined) {
    throw new pulumi.RunError(`${NAMESPACE}:${key}: not set (allowed: ${what}, set with pulumi config set --secret ${NAMESPACE}:${key} < file; required by ${NAMESPACE}:portal.tls true)`);
  }
  return value;
}

/** A bad value stops the program before any resource is registered, without a stack trace. */
function parseOrStop(values: RawConfig) {
  try {
    return parseConfig(NAMESPACE, values);
  } catch (e) {
    throw new pulumi.RunError((e as Error).message);
  }
}
