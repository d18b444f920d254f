import * as pulumi from "@pulumi/pulumi";
import { installMocks, reset, valueOf, ofType, byName, options, dependsOnNames, deployForTest } from "./mocks";
import { biostar as biostarApp } from "../../stacks/biostar";
import { AppSecret } from "../../components/secret";

installMocks();

const CONTAINER = "docker:index/container:Container";

/** Settings as a user writes them; dbPassword, secretSeed and keepDataOnDestroy as the program passes them. */
async function deploy(extra: Record<string, unknown> & { dbPassword?: pulumi.Output<string>; secretSeed?: pulumi.Output<string>; keepDataOnDestroy?: boolean } = {}) {
  reset();
  const { dbPassword, secretSeed, keepDataOnDestroy, ...settings } = extra;
  const biostar = await deployForTest(biostarApp, {
    settings, secretSeed, keepDataOnDestroy,
    secrets: dbPassword ? { biostarDbPassword: dbPassword } : {},
    imageOverrides: { postgres: "appstacks/postgres:local", debian: "appstacks/base:bookworm" },
  });
  return { biostar, url: await valueOf(biostar.urls.biostar) };
}

describe("Biostar stack", () => {
  test("creates exactly its networks, volume, secrets, images and containers", async () => {
    await deploy();
    const count = (t: string) => ofType(t).length;
    expect(count("docker:index/network:Network")).toBe(2);
    expect(count("docker:index/volume:Volume")).toBe(1);
    expect(count("random:index/randomPassword:RandomPassword")).toBe(2);
    expect(count("docker:index/remoteImage:RemoteImage")).toBe(2);
    expect(ofType(CONTAINER).map((c) => c.inputs.name).sort()).toEqual([
      "appstacks-dev-biostar-db", "appstacks-dev-biostar-init", "appstacks-dev-biostar-migrate", "appstacks-dev-biostar-web",
    ]);
  });

  test("only the web app is published, on the configured port; the URL says where", async () => {
    const { url } = await deploy({ port: 18000 });
    const published = ofType(CONTAINER).filter((c) => (c.inputs.ports ?? []).length > 0);
    expect(published.map((c) => [c.inputs.name, c.inputs.ports])).toEqual([
      ["appstacks-dev-biostar-web", [{ internal: 8000, external: 18000, ip: "0.0.0.0" }]],
    ]);
    expect(url).toBe("http://localhost:18000/");
  });

  test("the database is only on the internal back-end network", async () => {
    await deploy();
    expect(byName("biostar-backend-network").inputs).toMatchObject({ name: "appstacks-dev-biostar-backend", internal: true });
    expect(byName("biostar-frontend-network").inputs).toMatchObject({ name: "appstacks-dev-biostar-frontend", internal: false });
    expect(byName("biostar-db-container").inputs.networksAdvanced).toEqual([{ name: "appstacks-dev-biostar-backend", aliases: ["db"] }]);
    expect(byName("biostar-web-container").inputs.networksAdvanced.map((n: { name: string }) => n.name)).toEqual([
      "appstacks-dev-biostar-backend", "appstacks-dev-biostar-frontend",
    ]);
  });

  test("credentials reach containers as files, never as environment values", async () => {
    await deploy({ dbPassword: pulumi.secret("from-config-pw") });
    for (const c of ofType(CONTAINER)) {
      expect(JSON.stringify(c.inputs.envs)).not.toMatch(/from-config-pw|generated-/);
    }
    const db = byName("biostar-db-container").inputs;
    expect(db.envs).toEqual(["POSTGRES_DB=biostar", "POSTGRES_PASSWORD_FILE=/run/secrets/db-password", "POSTGRES_USER=biostar"]);
    // The whole upload list reaches the engine as a secret (encrypted in state, masked in previews).
    expect(db.uploads).toEqual({
      [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig,
      value: [{ file: "/run/secrets/db-password", content: "from-config-pw", permissions: "0444" }],
    });
    expect(byName("biostar-web-container").inputs.envs).toContain("DATABASE_PASSWORD_FILE=/run/secrets/db-password");
  });

  test("start order is gated: db healthy, then migrate, then init, then web", async () => {
    await deploy();
    const depNames = (svc: string) => dependsOnNames(`biostar-${svc}-container`);
    expect(await depNames("db")).toEqual([]);
    expect(await depNames("migrate")).toEqual(["biostar-db-container"]);
    expect(await depNames("init")).toEqual(["biostar-migrate-container"]);
    expect(await depNames("web")).toEqual(["biostar-init-container"]);
    const db = byName("biostar-db-container").inputs;
    expect(db).toMatchObject({ wait: true, mustRun: true, restart: "unless-stopped" });
    expect(db.healthcheck.tests).toEqual(["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "biostar", "-d", "biostar"]);
    expect(byName("biostar-migrate-container").inputs).toMatchObject({ attach: true, mustRun: false, restart: "no", wait: false, command: ["python3", "manage.py", "migrate", "--noinput"] });
    expect(byName("biostar-init-container").inputs.command).toEqual(["python3", "manage.py", "init_site"]);
  });

  test("with a secret seed, credentials are derived (no random resource), so they survive destroy", async () => {
    await deploy({ secretSeed: pulumi.secret("0123456789abcdef0123456789abcdef") });
    expect(ofType("random:index/randomPassword:RandomPassword")).toHaveLength(0);
    const uploaded = byName("biostar-db-container").inputs.uploads.value[0].content as string;
    expect(uploaded).toMatch(/^[A-Za-z0-9]{32}$/);
    await deploy({ secretSeed: pulumi.secret("0123456789abcdef0123456789abcdef") });
    expect(byName("biostar-db-container").inputs.uploads.value[0].content).toBe(uploaded);
    // Derived from the seed, not a constant: another seed, another password.
    await deploy({ secretSeed: pulumi.secret("fedcba9876543210fedcba9876543210") });
    expect(byName("biostar-db-container").inputs.uploads.value[0].content).not.toBe(uploaded);
  });

  test("generated credentials are secret outputs", async () => {
    reset();
    expect(await pulumi.isSecret(new AppSecret("generated", {}).value)).toBe(true);
    expect(await pulumi.isSecret(new AppSecret("derived", { seed: "0123456789abcdef0123456789abcdef" }).value)).toBe(true);
    expect(await pulumi.isSecret(new AppSecret("given", { value: "plain-from-config" }).value)).toBe(true);
  });

  test("the data volume is retained on destroy by default, and dropped only when asked", async () => {
    await deploy();
    expect(options.get("biostar-pgdata-volume")?.retainOnDelete).toBe(true);
    await deploy({ keepDataOnDestroy: false });
    expect(options.get("biostar-pgdata-volume")?.retainOnDelete).toBe(false);
  });

  test("images: the override map picks the stand-ins; the web image is built once with the base image", async () => {
    await deploy();
    expect(byName("biostar-db-image").inputs).toMatchObject({ name: "appstacks/postgres:local", keepLocally: true });
    const web = byName("biostar-web-image").inputs;
    expect(web.name).toBe("appstacks-dev-biostar-web:built");
    expect(web.build).toMatchObject({ context: "apps/biostar", buildArgs: { BASE_IMAGE: "appstacks/base:bookworm" } });
    expect(web.triggers.context).toMatch(/^[0-9a-f]{64}$/);
    expect(ofType(CONTAINER).filter((c) => c.inputs.image === "sha256:biostar-web-image")).toHaveLength(3);
  });

  test("every Docker object is labelled with project, stack, app (and service)", async () => {
    await deploy();
    expect(byName("biostar-web-container").inputs.labels).toEqual([
      { label: "appstacks.app", value: "biostar" },
      { label: "appstacks.project", value: "appstacks" },
      { label: "appstacks.service", value: "web" },
      { label: "appstacks.stack", value: "dev" },
    ]);
    for (const t of ["docker:index/network:Network", "docker:index/volume:Volume"]) {
      for (const r of ofType(t)) expect(r.inputs.labels).toContainEqual({ label: "appstacks.stack", value: "dev" });
    }
  });
});
