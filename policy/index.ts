// The appstacks policy pack: `pulumi preview --policy-pack policy` (see docs/reviewing.md, "Policy pack").
// Every rule is mandatory: a violation fails the preview and the update.
import * as pulumi from "@pulumi/pulumi";
import { PolicyPack } from "@pulumi/policy";
import { rules, stackRules, StackSettings } from "./rules";

// The stack's own configuration reaches the pack in its environment (the language host passes
// what the engine sends); read lazily, so a pack run without a stack still loads.
function stackSettings(): StackSettings {
  const keep = new pulumi.Config("appstacks").getBoolean("keepDataOnDestroy");
  return { keepDataOnDestroy: keep };
}

new PolicyPack("appstacks", { policies: [...rules(stackSettings), ...stackRules()] });
