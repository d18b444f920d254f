// Runs the real program (index.ts) under the unit tests' mocks in a process of its own, with
// the given config, and prints what a test needs as one JSON line: the resources it registered,
// its `server` output, which heavy SDKs it loaded, and what an EC2 host's firewall admits.
import * as pulumi from "@pulumi/pulumi";
import { installMocks, recorded } from "../mocks";

async function main() {
  const config = JSON.parse(process.argv[2]) as Record<string, unknown>;
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
  );
  installMocks();
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const program = require("../../../index") as { server: pulumi.Input<Record<string, unknown>> };
  const server = await new Promise((resolve) => pulumi.output(program.server).apply(resolve));
  // Once nothing is left to run: every apply has resolved and every resource is registered.
  process.once("beforeExit", () => {
    const loaded = Object.keys(require.cache);
    console.log(JSON.stringify({
      types: [...new Set(recorded.map((r) => r.type))].sort(),
      server,
      awsLoaded: loaded.some((m) => m.includes("/node_modules/@pulumi/aws/")),
      // The ports an EC2 host's security group admits, as "port from", sorted by port.
      admitted: recorded.filter((r) => r.type === "aws:ec2/securityGroup:SecurityGroup")
        .flatMap((r) => (r.inputs.ingress as { fromPort: number; cidrBlocks?: string[] }[]).map((i) => [i.fromPort, (i.cidrBlocks ?? []).join(",")] as const))
        .sort(([a], [b]) => a - b).map(([port, from]) => `${port} from ${from}`),
    }));
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
