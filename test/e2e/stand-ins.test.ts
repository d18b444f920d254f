// The stand-ins (images/, built by setup) are twins of the contracts (stacks/image-contracts.ts)
// where the stacks rely on them: every tool a health check of a stack calls is in the stand-in of
// that image, and a twin whose entrypoint a wrapper runs has the image's ENTRYPOINT, CMD and user.
// With test/unit/contracts.test.ts (the stacks rely on nothing else), a green e2e on the
// stand-ins is evidence about the real images.
import { execFileSync } from "child_process";
import { APPS } from "../../stacks/registry";
import { AppDefinition, SpecContext } from "../../config/app-definition";
import { healthCheckTools } from "../../stacks/contract-problems";
import { IMAGE_CONTRACTS } from "../../stacks/image-contracts";
import { PECAN_IMAGES, STAND_INS } from "../../support/images";
import { repository } from "../../components/image-ref";

const ctx: SpecContext = { scope: { project: "appstacks", stack: "dev", app: "x" }, keepDataOnDestroy: true, imageOverrides: {} };

// Stand-in → the pulled references it replaces and the health-check tools the stacks call in it.
const uses = new Map<string, { refs: Set<string>; tools: Set<string> }>();
for (const app of APPS as readonly AppDefinition[]) {
  const spec = app.spec(app.settings.parse({}), ctx);
  for (const svc of Object.values(spec.services)) {
    if (typeof svc.image === "string" || svc.image.ref === undefined) continue;
    const standIn = STAND_INS[repository(svc.image.ref)];
    if (standIn === undefined) continue;
    const use = uses.get(standIn) ?? { refs: new Set(), tools: new Set() };
    use.refs.add(svc.image.ref);
    for (const tool of healthCheckTools(svc.healthcheck?.test ?? [])) use.tools.add(tool);
    uses.set(standIn, use);
  }
}

/** The tools (of `tools`) not on the image's PATH, one per line. */
function missingTools(image: string, tools: readonly string[]): string {
  return execFileSync("docker", ["run", "--rm", "--entrypoint", "sh", image, "-c", `for t in ${tools.join(" ")}; do command -v "$t" >/dev/null || echo "$t"; done`], { encoding: "utf8" }).trim();
}

test.each([...uses].map(([standIn, use]) => [standIn, [...use.refs].join(", "), [...use.tools].sort()] as const))(
  "%s (for %s) contains the health-check tools %j", (standIn, _refs, tools) => {
    expect(missingTools(standIn, tools)).toBe("");
  });

// And every tool the contract says the real image has: a twin without one fails a check that the
// real image would pass (the traefik twin lacked the official image's busybox wget, nginx's curl,
// mongo's jq, BETY's nc). Known gaps: whole runtimes that twins emulating the image's behaviour in
// a small program of ours do not carry; a check calling one fails on the twin, and the test above
// says so for every check a stack makes.
const KNOWN_GAPS: Readonly<Record<string, readonly string[]>> = {
  "appstacks/mongo:local": ["mongosh"], // a Node.js program (npm), over FerretDB
  "appstacks/pecan-web:local": ["php"], // php:8-apache's PHP; the twin is pecan_twin (Python)
  "appstacks/pecan-bety:local": ["ruby"], // BETY's Rails; the twin is pecan_twin (Python)
};
const contractTools = new Map<string, Set<string>>();
for (const c of IMAGE_CONTRACTS) {
  for (const ref of c.refs) {
    const standIn = STAND_INS[repository(ref)];
    if (standIn === undefined) continue;
    const tools = c.tools.filter((t) => !(KNOWN_GAPS[standIn] ?? []).includes(t));
    contractTools.set(standIn, new Set([...(contractTools.get(standIn) ?? []), ...tools]));
  }
}

test.each([...contractTools].map(([standIn, tools]) => [standIn, [...tools].sort()] as const))(
  "%s contains every tool of its contract %j", (standIn, tools) => {
    expect(missingTools(standIn, tools)).toBe("");
  });

const inspect = (image: string) => JSON.parse(execFileSync("docker", ["image", "inspect", image], { encoding: "utf8" }))[0].Config;

test.each([...PECAN_IMAGES])(
  "the twin of %s has the image's entrypoint and command", (image) => {
    const contract = IMAGE_CONTRACTS.find((c) => c.refs.some((r) => repository(r) === image))!;
    const config = inspect(STAND_INS[image]);
    expect(config.Entrypoint ?? []).toEqual(contract.entrypoint);
    expect(config.Cmd ?? []).toEqual(contract.command);
  });

test("the BETY twin runs as bety (uid 1000), as BETY's image does", () => {
  expect(inspect(STAND_INS["pecan/bety"]).User).toBe("bety");
  expect(execFileSync("docker", ["run", "--rm", "--entrypoint", "id", STAND_INS["pecan/bety"], "-u"], { encoding: "utf8" }).trim()).toBe("1000");
});
