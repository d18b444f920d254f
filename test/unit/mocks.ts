// The one mocks module of the unit tests: records every resource with its inputs and options,
// returns realistic state for the types the components create, answers no invokes (a
// component that calls one must add it here deliberately).
import * as pulumi from "@pulumi/pulumi";
import { AppDefinition } from "../../config/app-definition";
import { App } from "../../components/app";
import { DockerHost } from "../../components/host/docker-host";
import { LocalDockerHost } from "../../components/host/local";
import { deployApp, StackContext } from "../../stacks/deploy";
import { loadConfig } from "../../stacks/registry";

/** The front proxy image the program passes by default (appstacks:proxyImage), for tests that deploy as the program does. */
export const PROXY_IMAGE = loadConfig("appstacks", {}).proxyImage;

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

export const recorded: Recorded[] = [];
/** Options as seen by a transformation on the top-level component (dependsOn, retainOnDelete…). */
export const options = new Map<string, pulumi.CustomResourceOptions>();

function state(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
  switch (type) {
    case "docker:index/remoteImage:RemoteImage":
      // A pulled image carries the registry's digest (RepoDigests: repo@sha256:…); a built one none.
      return { ...inputs, imageId: `sha256:${name}`, ...(inputs.build ? {} : { repoDigest: `${String(inputs.name).replace(/:[^:/@]+$/, "")}@sha256:digest-of-${name}` }) };
    case "docker:index/registryImage:RegistryImage":
      return { ...inputs, sha256Digest: `sha256:digest-of-${name}` };
    // As our provider keeps it (release.go): a first release, so the tag keeps the current image.
    case "docker:appstacks/release:Release":
      return { ...inputs, rollbackImage: inputs.current?.image };
    case "docker:index/container:Container":
      return { ...inputs, exitCode: inputs.attach ? 0 : undefined };
    // In a preview the instance's address is not known yet: left out, it stays unknown.
    // A swarm cluster's nodes (…-manager-2-eip, …-worker-1-eip) each have their own: .12, .21.
    case "aws:ec2/eip:Eip": {
      const node = /-(manager|worker)-(\d+)-eip$/.exec(name);
      const octet = node ? (node[1] === "manager" ? 10 : 20) + Number(node[2]) : 7;
      return pulumi.runtime.isDryRun() ? inputs : { ...inputs, publicIp: `198.51.100.${octet}`, publicDns: `ec2-198-51-100-${octet}.eu-west-1.compute.amazonaws.com` };
    }
    // An address inside the VPC, fixed by the name (a swarm's members are told each other's).
    case "aws:ec2/instance:Instance": {
      const node = /-(manager|worker)-(\d+)-instance$/.exec(name);
      return { ...inputs, privateIp: `172.31.${node?.[1] === "worker" ? 2 : 1}.${node ? Number(node[2]) : 9}` };
    }
    case "aws:ec2/keyPair:KeyPair":
      return { ...inputs, keyName: `${name}-name` };
    case "random:index/randomPassword:RandomPassword":
      return { ...inputs, result: `generated-${name}` };
    default:
      return inputs;
  }
}

/** The invokes a test answers deliberately (e.g. the AWS look-ups of the EC2 host), by token. */
export const invokes: Record<string, (inputs: Record<string, any>) => Record<string, any>> = {
  "aws:ec2/getAmi:getAmi": (i) => ({ id: `ami-0123456789abcdef0`, name: "debian-12-amd64-20261101-1234", owners: i.owners, filters: i.filters }),
  "aws:ec2/getVpc:getVpc": () => ({ id: "vpc-0a1b2c3d", cidrBlock: "172.31.0.0/16", default: true }),
  "aws:ec2/getSubnets:getSubnets": (i) => ({ ids: ["subnet-0bbb2222", "subnet-0aaa1111"], filters: i.filters }),
  "aws:ec2/getSubnet:getSubnet": (i) => ({ id: i.id, availabilityZone: "eu-west-1b", vpcId: "vpc-0a1b2c3d" }),
};

export function installMocks(preview = false): void {
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: state(args.type, args.name, args.inputs) };
      },
      call: (args) => {
        const answer = invokes[args.token];
        if (answer === undefined) throw new Error(`unexpected invoke ${args.token} in a unit test: mock it in test/unit/mocks.ts`);
        return answer(args.inputs);
      },
    },
    "appstacks",
    "dev",
    preview,
  );
}

/** A transformation that records each child's options; pass it to the component under test. */
export const recordOptions: pulumi.ResourceTransformation = (args) => {
  options.set(args.name, args.opts as pulumi.CustomResourceOptions);
  return undefined;
};

export function reset(): void {
  recorded.length = 0;
  options.clear();
}

/** The value of an Output, once the mocks resolved it. */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

export function ofType(type: string): Recorded[] {
  return recorded.filter((r) => r.type === type);
}

export function byName(name: string): Recorded {
  const r = recorded.find((x) => x.name === name);
  if (!r) throw new Error(`no resource named ${name}; have ${recorded.map((x) => x.name).join(", ")}`);
  return r;
}

/** Waits until every registered resource has been through the mocks. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/**
 * The names of the resources `resource` was given in `dependsOn` (its options, as recorded by
 * recordOptions), sorted: dependsOn is a set. With `app`, names of the app's service containers
 * are shortened to the service: `dependsOnNames("pecan-web-container", "pecan")` → ["init-machine", "postgres", "rabbitmq"].
 */
export async function dependsOnNames(resource: string, app?: string): Promise<string[]> {
  const deps = (options.get(resource)?.dependsOn ?? []) as pulumi.Resource[];
  const urns = await Promise.all(deps.map((r) => valueOf((r as pulumi.CustomResource).urn)));
  const names = urns.map((u) => u.split("::").pop()!);
  const short = app === undefined ? names : names.map((n) => n.replace(new RegExp(`^${app}-(.*)-container$`), "$1"));
  return short.sort();
}

/** The files uploaded into a container, by path: secret uploads (the usual case) and plain ones alike. */
export function uploads(resource: string): Record<string, string> {
  const raw = byName(resource).inputs.uploads;
  const list = (raw?.[pulumi.runtime.specialSigKey] ? raw.value : raw) as { file: string; content: string }[];
  return Object.fromEntries(list.map((u) => [u.file, u.content]));
}

/** How a unit test deploys one app: its settings as a user writes them, and the stack's context. */
export interface TestDeploy {
  /** The app's settings before defaults (appstacks:<app>), parsed by the app's own schema. */
  readonly settings?: Record<string, unknown>;
  readonly host?: DockerHost;
  readonly stack?: string;
  readonly keepDataOnDestroy?: boolean;
  readonly imageOverrides?: Readonly<Record<string, string>>;
  readonly secretSeed?: pulumi.Input<string>;
  /** The front proxy's image, as the program passes appstacks:proxyImage (PROXY_IMAGE); unset: none, the spec as the stack wrote it. */
  readonly frontProxyImage?: string;
  /** Config secrets by key (biostarDbPassword …), as pulumi config set --secret would hold them. */
  readonly secrets?: Readonly<Record<string, pulumi.Output<string>>>;
  /** Previous releases to run, as appstacks:rollback holds them (app → service → release). */
  readonly rollback?: StackContext["rollback"];
  /** Tasks per service on a swarm host, as appstacks:swarm.replicas holds them (app.service → count). */
  readonly replicas?: StackContext["replicas"];
}

/** One app through the program's own path (deployApp), every container resolved; options recorded. */
export async function deployForTest(app: AppDefinition, t: TestDeploy = {}): Promise<App> {
  const deployed = deployApp(app, app.settings.parse(t.settings ?? {}), {
    host: t.host ?? new LocalDockerHost("host"), scope: { project: "appstacks", stack: t.stack ?? "dev" },
    keepDataOnDestroy: t.keepDataOnDestroy ?? true, imageOverrides: t.imageOverrides ?? {}, secretSeed: t.secretSeed, frontProxyImage: t.frontProxyImage, rollback: t.rollback, replicas: t.replicas,
    namespace: "appstacks", readSecret: (key) => t.secrets?.[key],
  }, { transformations: [recordOptions] });
  // In a preview, unknown ids never resolve: the caller inspects what is known instead.
  if (!pulumi.runtime.isDryRun()) await Promise.all(Object.values(deployed.stack.services).map((s) => valueOf(s.ready.id)));
  return deployed;
}
