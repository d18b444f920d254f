// Every service of every stack relies only on what its image's contract gives (stacks/image-contracts.ts),
// so a green e2e on the stand-ins (twins of the same contracts) is evidence about the real images.
import { APPS } from "../../stacks/registry";
import { repository } from "../../components/image-ref";
import { AppSpec } from "../../components/app-spec";
import { contractProblems, healthCheckTools } from "../../stacks/contract-problems";
import { IMAGE_CONTRACTS, contractOf, imageRun } from "../../stacks/image-contracts";
import { AppDefinition, SpecContext } from "../../config/app-definition";
import { STAND_INS } from "../../support/images";
import { withFrontProxy } from "../../components/runtime/front-proxy";
import * as fs from "fs";
import * as path from "path";

const ctx: SpecContext = { scope: { project: "appstacks", stack: "dev", app: "x" }, keepDataOnDestroy: true, imageOverrides: {} };
const specOf = (name: string, settings: Record<string, unknown> = {}): AppSpec => {
  const app: AppDefinition = APPS.find((a) => a.name === name)!;
  return app.spec(app.settings.parse(settings), { ...ctx, scope: { ...ctx.scope, app: name } });
};

// The defaults, and settings that add services or files.
const VARIANTS: [string, Record<string, unknown>][] = [
  ...APPS.map((a): [string, Record<string, unknown>] => [a.name, {}]),
  ["pecan", { models: ["SIPNET", "ED2"], firstUsers: { carya: 1, guest: 4 }, syncPeers: [7] }],
  ["portal", { tls: true }],
  ["biostar", { profile: "production" }],
];

test.each(VARIANTS)("%s %j: every service keeps to its image's contract", (name, settings) => {
  expect(contractProblems(name, specOf(name, settings))).toEqual([]);
});

test.each(VARIANTS)("%s %j: behind its front proxy too (the proxy keeps to Traefik's contract)", (name, settings) => {
  const spec = withFrontProxy(specOf(name, settings), { image: "traefik:v3.6", physicalName: (role) => `appstacks-dev-${name}-${role}` });
  expect(contractProblems(name, spec)).toEqual([]);
});

describe("breaking one fact on purpose fails with one line naming stack, service, image and fact", () => {
  const broken = (name: string, service: string, change: object): string[] => {
    const spec = specOf(name);
    return contractProblems(name, { ...spec, services: { ...spec.services, [service]: { ...spec.services[service], ...change } } });
  };

  test("a health check calling a tool the image lacks", () => {
    expect(broken("biostar", "db", { healthcheck: { test: ["CMD", "python3", "-c", "import socket"] } })).toEqual([
      expect.stringMatching(/^biostar\.services\.db \(postgres:16\.4\): health check calls python3, which the image does not contain \(the image's contract allows: .*pg_isready/),
    ]);
  });

  test("a variable the image does not read (RabbitMQ reads no *_FILE)", () => {
    expect(broken("wattrex", "broker", { env: { RABBITMQ_DEFAULT_PASS_FILE: "/run/secrets/mqtt-password" } })).toEqual([
      expect.stringMatching(/^wattrex\.services\.broker \(rabbitmq:3\.13\): sets RABBITMQ_DEFAULT_PASS_FILE, which the image does not read/),
    ]);
  });

  test("a port the image does not listen on, probed and published", () => {
    const lines = broken("pecan", "web", { healthcheck: { test: ["CMD", "curl", "-fsS", "http://127.0.0.1:8000/pecan/"] }, ports: [{ internal: 8000, external: 9000 }] });
    expect(lines).toEqual([
      "pecan.services.web (pecan/web:1.8.0): publishes port 8000, where the image does not listen (the image's contract allows: 8080)",
      "pecan.services.web (pecan/web:1.8.0): health check probes port 8000, where the image does not listen (the image's contract allows: 8080)",
    ]);
  });

  test("a file the image does not read, a volume where it keeps no data, a wrapper around another entrypoint", () => {
    expect(broken("portal", "nginx", { files: [{ path: "/etc/nginx/sites-enabled/default", content: "" }] })[0])
      .toMatch(/^portal\.services\.nginx \(nginx:1\.27\): writes \/etc\/nginx\/sites-enabled\/default, which the image does not read/);
    expect(broken("biostar", "db", { volumes: { pgdata: "/var/lib/postgresql" } })[0])
      .toMatch(/^biostar\.services\.db \(postgres:16\.4\): mounts a volume at \/var\/lib\/postgresql, where the image keeps no data/);
    expect(broken("pecan", "bety", { entrypoint: ["/docker-entrypoint.sh"] })[0])
      .toMatch(/^pecan\.services\.bety \(pecan\/bety:5\.4\.1\): runs entrypoint \["\/docker-entrypoint\.sh"\], not the image's own/);
  });

  test("an image no contract covers", () => {
    expect(broken("biostar", "db", { image: { ref: "postgres:17" } })).toEqual(["biostar.services.db (postgres:17): no contract for this image (add one to stacks/image-contracts.ts)"]);
  });
});

test("health-check tools are read from commands and shell scripts", () => {
  expect(healthCheckTools(["CMD", "pg_isready", "-h", "127.0.0.1"])).toEqual(["pg_isready"]);
  expect(healthCheckTools(["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/80 && printf 'GET / | x' >&3 && head -n1 <&3 | grep -q ' 200 '"])).toEqual(["bash", "head", "grep"]);
  expect(healthCheckTools(["CMD-SHELL", `test -n "$(find /tmp/x -newermt '-30 seconds' 2>/dev/null)"`])).toEqual(["sh", "find"]);
  expect(healthCheckTools(["CMD-SHELL", "mysqladmin ping -h 127.0.0.1 --silent"])).toEqual(["sh", "mysqladmin"]);
});

test("each contract cites its sources; no reference is covered twice; the wrapper finds each image's entrypoint by repository", () => {
  for (const c of IMAGE_CONTRACTS) expect(c.sources.length).toBeGreaterThan(0);
  const refs = IMAGE_CONTRACTS.flatMap((c) => c.refs);
  expect(new Set(refs).size).toBe(refs.length);
  expect(contractOf("pecan/web:1.8.0")?.ports).toEqual([8080]);
  expect(imageRun("pecan/bety")).toEqual({ entrypoint: ["/home/bety/docker/entrypoint.sh"], command: ["unicorn"] });
  expect(() => imageRun("pecan/thredds")).toThrow("no contract for image pecan/thredds");
});

/**
 * The STOPSIGNAL a stand-in image is built with, read from its Dockerfile under images/:
 * appstacks/<dir>:local is images/<dir>/Dockerfile, appstacks/<dir>-<stage>:local that file's
 * stage (a stage built FROM another stage inherits its signal). SIGTERM when none is set.
 */
function standInStopSignal(tag: string): string {
  const name = tag.replace(/^appstacks\//, "").replace(/:local$/, "");
  const images = path.resolve(__dirname, "../../images");
  const dir = fs.existsSync(path.join(images, name, "Dockerfile")) ? name : name.slice(0, name.indexOf("-"));
  const lines = fs.readFileSync(path.join(images, dir, "Dockerfile"), "utf8").split("\n");
  const stages = new Map<string, { from: string; signal?: string }>();
  let current = { from: "", signal: undefined as string | undefined };
  let last = current;
  for (const line of lines) {
    const from = line.match(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i);
    if (from) {
      current = { from: from[1], signal: undefined };
      last = current;
      if (from[2]) stages.set(from[2], current);
    }
    const stop = line.match(/^STOPSIGNAL\s+(\S+)/i);
    if (stop) current.signal = stop[1];
  }
  const signalOf = (st: { from: string; signal?: string }): string => st.signal ?? (stages.has(st.from) ? signalOf(stages.get(st.from)!) : "SIGTERM");
  return signalOf(dir === name ? last : stages.get(name.slice(dir.length + 1))!);
}

test("every stand-in stops on its image's stop signal (postgres SIGINT, nginx SIGQUIT, pecan/web SIGWINCH, others SIGTERM)", () => {
  const checked: string[] = [];
  for (const c of IMAGE_CONTRACTS) {
    for (const ref of c.refs) {
      const standIn = STAND_INS[repository(ref)];
      if (standIn === undefined) continue;
      checked.push(`${ref} ${standIn} ${standInStopSignal(standIn)}`);
      expect(`${ref} ${standIn} ${standInStopSignal(standIn)}`).toBe(`${ref} ${standIn} ${c.stopSignal ?? "SIGTERM"}`);
    }
  }
  expect(checked).toEqual(expect.arrayContaining([
    "postgres:16.4 appstacks/postgres:local SIGINT", "postgis/postgis:12-3.3 appstacks/postgres:local SIGINT",
    "nginx:1.27 appstacks/nginx:local SIGQUIT", "pecan/web:1.8.0 appstacks/pecan-web:local SIGWINCH", "mysql:8.4 appstacks/mysql:local SIGTERM",
  ]));
});
