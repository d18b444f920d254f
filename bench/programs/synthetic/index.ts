// The synthetic stack through the same components our app stacks use (AppStack → Service).
import * as pulumi from "@pulumi/pulumi";
import { LocalDockerHost } from "../../../components/host/local";
import { AppStack } from "../../../components/app";
import { syntheticSpec } from "../../lib/synthetic";
import { withoutPromiseStacks } from "../../../components/promise-stacks";

// As the project's program (index.ts) runs.
withoutPromiseStacks();

const services = new pulumi.Config("bench").requireNumber("services");
const host = new LocalDockerHost("host");
new AppStack("synthetic", {
  host,
  scope: { project: pulumi.getProject(), stack: pulumi.getStack(), app: "synthetic" },
  spec: syntheticSpec(services),
});
