// The policy pack run by the real engine (`preview --policy-pack policy`, through our language
// host's RunPlugin): every application stack previews with zero violations, and a deliberately
// non-compliant program is stopped with the violated rules named.
import * as path from "path";
import { projectStack, testStack, tearDown, setConfig, TestStack, PROJECT_ROOT } from "../../support/workspace";
import { freePort, freePorts, freePortsFor } from "../../support/net";
import { STAND_INS } from "../../support/images";

const POLICY_PACK = path.join(PROJECT_ROOT, "policy");

/** Each app stack's own config for a preview that publishes only free ports. Add new apps here. */
const APPS: Record<string, () => Promise<Record<string, unknown>>> = {
  biostar: async () => ({ port: await freePort() }),
  wattrex: () => freePortsFor(["webPort", "dbPort", "mqttPort"]),
  portal: async () => ({ httpPort: await freePort() }),
  pecan: async () => ({ port: await freePort() }),
  lab: async () => {
    const [proxyPort, livePort, registryPort, bluePort, greenPort, readerPort, writerPort, webappPort] = await freePorts(8);
    return { proxyPort, livePort, registryPort, bluePort, greenPort, readerPort, writerPort, webappPort };
  },
};

const stacks: TestStack[] = [];
afterAll(async () => {
  for (const t of stacks) await tearDown(t);
});

/** Engine output of a preview with the pack, and whether the preview succeeded. */
async function previewWithPack(t: TestStack): Promise<{ ok: boolean; output: string }> {
  let output = "";
  const onOutput = (s: string) => { output += s; process.stdout.write(s); };
  try {
    await t.stack.preview({ policyPacks: [POLICY_PACK], onOutput });
    return { ok: true, output };
  } catch (e) {
    return { ok: false, output: output + String(e) };
  }
}

test.each(Object.keys(APPS))("%s previews with the policy pack and zero violations", async (app) => {
  const t = await projectStack(`policy-${app}`);
  stacks.push(t);
  await setConfig(t.stack, { "appstacks:apps": [app], "appstacks:imageOverrides": STAND_INS, [`appstacks:${app}`]: await APPS[app]() });
  const { ok, output } = await previewWithPack(t);
  expect(output).toContain("appstacks@v"); // the pack ran (its name in the Policies section)
  expect(output).not.toMatch(/\[(mandatory|advisory)\]/);
  expect(ok).toBe(true);
});

test("a non-compliant program fails its preview, each violated rule named with how to fix it", async () => {
  const t = await testStack(path.join(__dirname, "programs", "policy-violation"), "policy-violation");
  stacks.push(t);
  await t.stack.setConfig("runId", { value: t.runId });
  const { ok, output } = await previewWithPack(t);
  expect(ok).toBe(false);
  const rules = ["no-privileged-containers", "no-host-network", "no-docker-socket", "pinned-images", "databases-not-published", "health-checks", "restart-policies", "memory-limits", "secrets-as-files"];
  for (const rule of rules) {
    expect(output).toContain(`[mandatory]  ${rule}`);
  }
  expect(output).toContain("remove `privileged: true`");
  // The pack reports the key, never the value.
  expect(output).toContain("environment variable DB_PASSWORD holds a credential literally");
  expect(output).not.toContain("hunter2");
});

test("the pack reads the stack's config: keepDataOnDestroy=false is a violation for a stack with data volumes", async () => {
  const t = await projectStack("policy-keepdata");
  stacks.push(t);
  await setConfig(t.stack, { "appstacks:apps": ["biostar"], "appstacks:keepDataOnDestroy": false, "appstacks:imageOverrides": STAND_INS, "appstacks:biostar": { port: await freePort() } });
  const { ok, output } = await previewWithPack(t);
  expect(ok).toBe(false);
  expect(output).toContain("[mandatory]  data-volumes-retained");
  expect(output).toContain("appstacks:keepDataOnDestroy to false");
});
