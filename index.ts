// The program: reads config once, builds the host, deploys the chosen application stacks and
// exports their URLs. Everything below index.ts is a function of typed arguments.
import * as pulumi from "@pulumi/pulumi";
import { parseConfig, RawConfig } from "./config/schema";
import { LocalDockerHost } from "./components/host/local";
import { Biostar } from "./stacks/biostar";
import { Wattrex } from "./stacks/wattrex";
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
};
// Keys read elsewhere (secrets, with getSecret). Any other key of the namespace is a typo
// (keepDataOnDestory) that would otherwise be ignored silently: parseConfig refuses it.
const SECRET_KEYS = ["secretSeed", "biostarDbPassword"];
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

const host = new LocalDockerHost("host");
const urlsByApp: Record<string, pulumi.Output<string>> = {};

// What every app stack gets besides its own settings.
const common = { host, scope, keepDataOnDestroy: cfg.keepDataOnDestroy, imageOverrides: cfg.imageOverrides, secretSeed };

if (cfg.apps.includes("biostar")) {
  urlsByApp.biostar = new Biostar("biostar", { ...common, ...cfg.biostar, dbPassword: config.getSecret("biostarDbPassword") }).url;
}
if (cfg.apps.includes("wattrex")) {
  urlsByApp.wattrex = new Wattrex("wattrex", { ...common, ...cfg.wattrex }).url;
}

/** Each deployed app's entry URL. */
export const urls = pulumi.output(urlsByApp);

/** A bad value stops the program before any resource is registered, without a stack trace. */
function parseOrStop(values: RawConfig) {
  try {
    return parseConfig(NAMESPACE, values);
  } catch (e) {
    throw new pulumi.RunError((e as Error).message);
  }
}
