// A preview-shaped run of the EC2 host (mocks in preview mode): the instance's address is not
// known yet, so the provider's host and the readiness gate are unknown, and every Docker object
// waits on the gate. This is the graph pulumi-docker#139 asks for.
import * as pulumi from "@pulumi/pulumi";
import { installMocks, reset, options, deployForTest } from "./mocks";
import { Ec2DockerHost } from "../../components/host/ec2";
import { portal as portalApp } from "../../stacks/portal";

installMocks(true);

test("in a preview the Docker resources wait on unknown instance outputs", async () => {
  reset();
  const scope = { project: "appstacks", stack: "prod" };
  const host = new Ec2DockerHost("host", { region: "eu-west-1", sshCidrs: ["203.0.113.7/32"], publishedPorts: [80], publicKey: "ssh-ed25519 AAAA x", amiId: "ami-0123456789abcdef0", scope });
  const portal = await deployForTest(portalApp, { host, stack: scope.stack, settings: { httpPort: 80 } });
  const isKnown = (o: pulumi.Output<unknown>) => (o as any).isKnown as Promise<boolean>;
  expect(await isKnown(host.publicIp)).toBe(false);
  expect(await isKnown(host.address)).toBe(false);
  expect(await isKnown(portal.urls.portal)).toBe(false);
  const gate = host.ready[0];
  expect(gate.constructor.name).toBe("EngineReady");
  const containers = [...options.entries()].filter(([n]) => n.endsWith("-container"));
  expect(containers.length).toBeGreaterThan(3);
  for (const [, o] of containers) expect(o.dependsOn).toEqual(expect.arrayContaining([gate]));
});
