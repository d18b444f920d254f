// Foundation smoke test: the real engine, language host, providers and Docker daemon together.
import * as path from "path";
import { testStack, tearDown, streamOutput, TestStack } from "../../support/workspace";
import { containersLabelled, networksLabelled, healthOf, execIn, removeLabelled } from "./support/docker";

const LABEL = "appstacks.test";
let t: TestStack | undefined;

beforeAll(async () => {
  t = await testStack(path.join(__dirname, "programs", "smoke"), "smoke");
  await t.stack.setAllConfig({
    runId: { value: t.runId },
    image: { value: process.env.APPSTACKS_BASE_IMAGE ?? "appstacks/base:bookworm" },
  });
});

afterAll(async () => {
  await tearDown(t);
  if (t) removeLabelled(LABEL, t.runId);
});

test("up creates a network, a password and a healthy container", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.result).toBe("succeeded");
  // The stack itself, the network, the password and the container.
  expect(up.summary.resourceChanges).toEqual({ create: 4 });
  const name = up.outputs.containerName.value as string;
  expect(containersLabelled(LABEL, t!.runId)).toEqual([name]);
  expect(networksLabelled(LABEL, t!.runId)).toEqual([up.outputs.networkName.value]);
  expect(healthOf(name)).toBe("healthy");
  // The generated secret arrived as a file of the generated length.
  expect(execIn(name, ["wc", "-c", "/run/secrets/password"])).toBe("24 /run/secrets/password");
  expect(up.outputs.passwordLength.value).toBe(24);
});

test("a second up changes nothing", async () => {
  const up = await t!.stack.up(streamOutput);
  expect(up.summary.resourceChanges).toEqual({ same: 4 });
});

test("destroy removes every labelled object, and the stack can be removed", async () => {
  const down = await t!.stack.destroy(streamOutput);
  expect(down.summary.resourceChanges).toEqual({ delete: 4 });
  expect(containersLabelled(LABEL, t!.runId)).toEqual([]);
  expect(networksLabelled(LABEL, t!.runId)).toEqual([]);
  await t!.stack.workspace.removeStack(t!.stack.name);
  const stacks = await t!.stack.workspace.listStacks();
  expect(stacks.map((s) => s.name)).not.toContain(t!.runId);
});
