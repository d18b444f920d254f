// Declares nothing: its `up` is the engine's fixed cost (CLI start, language host, the Node.js
// program with the Pulumi SDK loaded, state written).
import * as pulumi from "@pulumi/pulumi";

export const stack = pulumi.getStack();
