// Host ports another Pulumi stack holds on the same engine: the pure parse of `docker inspect`
// and the one-line problems, without Docker.
import { claimsFromInspect, PortClaim, portClaimProblems, wantedPorts } from "../../components/host/port-claims";
import { hostPortProblems } from "../../stacks/deploy";
import { wattrex } from "../../stacks/wattrex";

const self = { project: "appstacks", stack: "wattrex-dev" };
const claim = (port: number, stack: string, extra: Partial<PortClaim> = {}): PortClaim =>
  ({ port, ip: "0.0.0.0", project: "appstacks", stack, app: "wattrex", service: "web", ...extra });
const web = (external: number, ip?: string) => wantedPorts("wattrex", { web: { ports: [{ internal: 8869, external, setting: "webPort", ip }] } });

describe("portClaimProblems", () => {
  test("a port another stack publishes: one line naming the key, the port, the stack, its app and service", () => {
    expect(portClaimProblems(self, web(8869), [claim(8869, "wattrex-prod")], "appstacks:")).toEqual([
      'appstacks:wattrex.webPort: host port 8869 is already published by stack "wattrex-prod" (app wattrex, service web) on this Docker host (allowed: a port no other stack publishes)',
    ]);
  });

  test("the stack's own containers (a redeploy) do not count", () => {
    expect(portClaimProblems(self, web(8869), [claim(8869, "wattrex-dev")])).toEqual([]);
  });

  test("the same stack name of another project counts, and is named with its project", () => {
    expect(portClaimProblems(self, web(8869), [claim(8869, "wattrex-dev", { project: "other" })])).toEqual([
      'wattrex.webPort: host port 8869 is already published by stack "wattrex-dev" of project "other" (app wattrex, service web) on this Docker host (allowed: a port no other stack publishes)',
    ]);
  });

  test.each([
    ["0.0.0.0", "0.0.0.0", true],
    ["", "127.0.0.1", true],
    ["::", "127.0.0.1", true],
    ["127.0.0.1", "0.0.0.0", true],
    ["127.0.0.1", "127.0.0.1", true],
    ["127.0.0.1", "10.0.0.5", false],
  ])("held on %j, wanted on %j: refused %s", (heldIp, wantedIp, refused) => {
    expect(portClaimProblems(self, web(8869, wantedIp), [claim(8869, "other", { ip: heldIp })])).toHaveLength(refused ? 1 : 0);
  });

  test("other ports, and a port without a setting, named by its service", () => {
    const wanted = wantedPorts("lab", { proxy: { ports: [{ internal: 80, external: 3456 }, { internal: 81, external: 3457, setting: "livePort" }] } });
    expect(portClaimProblems(self, wanted, [claim(3456, "dev", { app: "lab", service: "proxy" }), claim(9999, "dev")])).toEqual([
      'lab.services.proxy.ports: host port 3456 is already published by stack "dev" (app lab, service proxy) on this Docker host (allowed: a port no other stack publishes)',
    ]);
  });

  test("two stacks on one port: the line names one of them, the same one every time", () => {
    const claims = [claim(8869, "zeta"), claim(8869, "alpha")];
    expect(portClaimProblems(self, web(8869), claims)).toEqual(portClaimProblems(self, web(8869), [...claims].reverse()));
    expect(portClaimProblems(self, web(8869), claims)[0]).toContain('stack "alpha"');
  });

  test("a claim without app and service labels still names its stack", () => {
    expect(portClaimProblems(self, web(8869), [claim(8869, "x", { app: undefined, service: undefined })])[0])
      .toBe('wattrex.webPort: host port 8869 is already published by stack "x" on this Docker host (allowed: a port no other stack publishes)');
  });
});

describe("claimsFromInspect", () => {
  const labels = { "appstacks.project": "appstacks", "appstacks.stack": "prod", "appstacks.app": "wattrex", "appstacks.service": "db" };
  test("every TCP host port of a labelled container, running or not; UDP, ephemeral and unlabelled ones skipped", () => {
    expect(claimsFromInspect([
      { Config: { Labels: labels }, HostConfig: { PortBindings: { "3306/tcp": [{ HostIp: "", HostPort: "3322" }, { HostIp: "127.0.0.1", HostPort: "3323" }], "53/udp": [{ HostIp: "", HostPort: "53" }], "80/tcp": [{ HostIp: "", HostPort: "" }] } } },
      { Config: { Labels: { "appstacks.stack": "no-project" } }, HostConfig: { PortBindings: { "80/tcp": [{ HostPort: "80" }] } } },
      { Config: { Labels: null }, HostConfig: { PortBindings: null } },
      { Config: { Labels: labels }, HostConfig: {} },
    ])).toEqual([
      { port: 3322, ip: "", project: "appstacks", stack: "prod", app: "wattrex", service: "db" },
      { port: 3323, ip: "127.0.0.1", project: "appstacks", stack: "prod", app: "wattrex", service: "db" },
    ]);
  });
});

describe("hostPortProblems (stacks/deploy.ts)", () => {
  test("reads the ports off the app's spec: WattRex's three settings, each refused by the stack holding it", () => {
    const settings = wattrex.settings.parse({ webPort: 8811, dbPort: 3322, mqttPort: 1884 });
    const claims = [claim(8811, "wattrex-prod"), claim(3322, "wattrex-prod", { service: "db" }), claim(1884, "wattrex-dev", { service: "broker" })];
    const ctx = { scope: self, keepDataOnDestroy: true, imageOverrides: {}, namespace: "appstacks" };
    const line = (key: string, port: number, service: string) =>
      `appstacks:wattrex.${key}: host port ${port} is already published by stack "wattrex-prod" (app wattrex, service ${service}) on this Docker host (allowed: a port no other stack publishes)`;
    // 1884 is held by this stack itself: not refused.
    expect(hostPortProblems([{ app: wattrex, settings }], ctx, claims)).toEqual([line("dbPort", 3322, "db"), line("webPort", 8811, "web")]);
  });
});
