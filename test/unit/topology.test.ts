// Topology diagrams: review/topology.ts renders a spec as a Mermaid flowchart, and
// docs/topology.md (every app with its default settings) is kept true by `npm run diagrams`.
import * as fs from "fs";
import * as path from "path";
import { AppSpec } from "../../components/app-spec";
import { topologyMermaid, topologySummary } from "../../review/topology";
import { PreviewJson, renderReport } from "../../review/preview-report";
import { stackDiagrams, TOPOLOGY_MD, topologyMarkdown } from "../../scripts/topology-diagrams";
import { APPS } from "../../stacks/registry";

// A job, two networks (a service on both), a published port, a volume, dependencies.
const spec: AppSpec = {
  networks: { front: {}, back: { internal: true } },
  volumes: { data: {} },
  services: {
    web: { image: { ref: "web:1" }, networks: ["front", "back"], ports: [{ internal: 8000, external: 8080, setting: "port" }], dependsOn: ["migrate"] },
    "admin-api": { image: { ref: "api:1" }, networks: ["front"], ports: [{ internal: 9000, external: 9000, ip: "127.0.0.1" }] },
    migrate: { image: { ref: "web:1" }, networks: ["back"], job: true, dependsOn: ["db"] },
    db: { image: { ref: "postgres:17" }, networks: ["back"], volumes: { data: "/var/lib/postgresql/data" } },
  },
};

test("the renderer draws services, jobs, networks, ports, volumes and dependencies", () => {
  expect(topologyMermaid(spec)).toBe([
    "flowchart LR",
    '  host(("host"))',
    '  subgraph net_back["back (internal network)"]',
    '    svc_db["db"]',
    '    svc_migrate[["migrate (job)"]]',
    "  end",
    '  subgraph net_front["front (network)"]',
    '    svc_admin_api["admin-api"]',
    "  end",
    '  svc_web["web"]',
    "  svc_web --- net_back",
    "  svc_web --- net_front",
    '  vol_data[("data")]',
    '  svc_db ---|"/var/lib/postgresql/data"| vol_data',
    '  host -->|"127.0.0.1:9000 → 9000"| svc_admin_api',
    '  host -->|"host:8080 → 8000"| svc_web',
    "  svc_migrate -.-> svc_db",
    "  svc_web -.-> svc_migrate",
    "",
  ].join("\n"));
  expect(topologySummary(spec)).toBe("4 services (1 job), 2 networks, 1 volume, 2 published ports");
});

test("the output does not depend on the order the spec lists things in", () => {
  const reversed = <T>(r: Readonly<Record<string, T>>) => Object.fromEntries(Object.entries(r).reverse());
  const shuffled: AppSpec = {
    networks: reversed(spec.networks!),
    volumes: spec.volumes,
    services: reversed({ ...spec.services, web: { ...spec.services.web, networks: ["back", "front"] } }),
  };
  expect(topologyMermaid(shuffled)).toBe(topologyMermaid(spec));
});

test("a network no service is on alone is a node, and names that are not Mermaid ids get ids that are", () => {
  const out = topologyMermaid({
    networks: { a: {}, b: {} },
    services: { "x.y": { image: { ref: "x:1" }, networks: ["a", "b"] }, end: { image: { ref: "x:1" }, networks: ["a", "b"], dockerSocket: true } },
  });
  expect(out).toContain('  net_a{{"a (network)"}}');
  expect(out).toContain('  svc_x_2e_y["x.y"]');
  expect(out).toContain('  svc_end["end · docker socket"]');
  expect(out).not.toContain("subgraph");
  expect(out).not.toContain("host");
});

test("docs/topology.md is every app's diagram with its default settings (npm run diagrams)", () => {
  expect(fs.readFileSync(TOPOLOGY_MD, "utf8")).toBe(topologyMarkdown());
});

test("the README links every app's diagram", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, "../../README.md"), "utf8");
  expect(APPS.filter((a) => !readme.includes(`(docs/topology.md#${a.name})`)).map((a) => a.name)).toEqual([]);
});

test("the preview report folds in the diagram of each app it changes, from the stack's settings", () => {
  const dev = stackDiagrams("dev");
  expect(Object.keys(dev)).toEqual(["biostar", "wattrex", "portal", "pecan", "devopslab"]);
  expect(dev.pecan).toContain('host -->|"host:8080 → 80"| svc_front_proxy'); // Pulumi.dev.yaml's appstacks:pecan.port
  expect(Object.keys(stackDiagrams("prod"))).toEqual(["portal"]);
  expect(stackDiagrams("no-such-stack")).toEqual({});

  const preview = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../fixtures/preview/create.json"), "utf8")) as PreviewJson;
  const report = renderReport(preview, "dev", [], dev);
  expect(report).toContain(`<details><summary>Topology of biostar after this change</summary>\n\n${dev.biostar.trimEnd()}\n\n</details>`);
  expect(report).toContain("Topology of wattrex");
  expect(report).not.toContain("Topology of pecan"); // the preview does not change it
  expect(renderReport(preview, "dev")).not.toContain("Topology of");
});
