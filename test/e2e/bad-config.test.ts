// Bad configurations through the real engine: each row marked `preview` in test/bad-configs.ts
// fails `pulumi preview` with its one line, and the Docker daemon holds no object of the stack.
// One stack serves every row (config is replaced between previews), so this stays fast.
import { projectStack, tearDown, setConfig, TestStack } from "../../support/workspace";
import { BAD_CONFIGS, BadConfig } from "../bad-configs";
import { dockerObjectsOfStack } from "./support/docker";
import { failureText, validationLines } from "./support/cli";

let t: TestStack | undefined;
let previousKeys: string[] = [];

beforeAll(async () => {
  t = await projectStack("badcfg");
});

afterAll(async () => {
  await tearDown(t);
});

/** Replaces the stack's appstacks config (all but the secret seed) with the row's. */
async function useConfig(c: BadConfig) {
  if (previousKeys.length > 0) await t!.stack.removeAllConfig(previousKeys);
  const values = Object.fromEntries(Object.entries(c.config).map(([k, v]) => [`appstacks:${k}`, v]));
  await setConfig(t!.stack, values);
  previousKeys = Object.keys(values);
}

const rows = BAD_CONFIGS.filter((c) => c.preview);

test("the table marks at least 8 rows for real previews", () => {
  expect(rows.length).toBeGreaterThanOrEqual(8);
});

test.each(rows.map((c) => [c.name, c] as const))("%s: preview fails with its one line and creates nothing", async (_name, c) => {
  await useConfig(c);
  const out = await failureText(() => t!.stack.preview());
  expect(validationLines(out)).toEqual([c.line]);
  expect(dockerObjectsOfStack(t!.runId)).toEqual([]);
});

test("up with a bad configuration fails the same way and changes nothing", async () => {
  const c = rows.find((r) => r.name === "two apps on one host port")!;
  await useConfig(c);
  const out = await failureText(() => t!.stack.up());
  expect(validationLines(out)).toEqual([c.line]);
  expect(dockerObjectsOfStack(t!.runId)).toEqual([]);
  const state = (await t!.stack.exportStack()).deployment;
  // Only the stack itself may be recorded: no host, no container, no network.
  expect((state.resources ?? []).filter((r: { type: string }) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
});
