// An app's topology as a Mermaid flowchart, read off its AppSpec: one node per service (a job is
// a subroutine box labelled "job"), the services of one network grouped in that network's
// subgraph, a service on several networks drawn outside them with a line to each, published
// ports as arrows from the host, volumes as cylinders joined to the services that mount them
// (labelled with the mount path), and dependsOn as dotted arrows from a service to what it
// waits for. Everything is sorted by name, so a change to a spec changes only its own lines.
// Pure: tested on hand-made specs (test/unit/topology.test.ts); scripts/topology-diagrams.ts
// renders every app of the registry into docs/topology.md.
import { AppSpec, ServiceSpec } from "../components/app-spec";

/** Node ids: a prefix per kind, the name with anything but letters, digits and "_" replaced. */
function idMaker(prefix: string, names: readonly string[]): (name: string) => string {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const name of [...names].sort()) {
    const base = `${prefix}_${name.replace(/-/g, "_").replace(/[^A-Za-z0-9_]/g, (c) => `_${c.charCodeAt(0).toString(16)}_`)}`;
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}_${n}`;
    taken.add(id);
    ids.set(name, id);
  }
  return (name) => ids.get(name) ?? `${prefix}_unknown`;
}

/** A label in Mermaid's quoted form (a quote inside becomes #quot;). */
const label = (text: string) => `"${text.replace(/"/g, "#quot;")}"`;

const sorted = <T>(xs: Iterable<T>) => [...xs].sort();

function serviceNode(id: string, name: string, svc: ServiceSpec): string {
  const text = [name, svc.job ? "(job)" : "", svc.dockerSocket ? "· docker socket" : ""].filter(Boolean).join(" ");
  return svc.job ? `${id}[[${label(text)}]]` : `${id}[${label(text)}]`;
}

function portLabel(p: { internal: number; external: number; ip?: string }): string {
  const on = p.ip === undefined || p.ip === "0.0.0.0" ? "host" : p.ip;
  return `${on}:${p.external} → ${p.internal}`;
}

/** The Mermaid source (without the ``` fence) of a spec's topology. */
export function topologyMermaid(spec: AppSpec): string {
  const services = sorted(Object.keys(spec.services));
  const networks = sorted(new Set([...Object.keys(spec.networks ?? {}), ...services.flatMap((s) => spec.services[s].networks)]));
  const volumes = sorted(new Set([...Object.keys(spec.volumes ?? {}), ...services.flatMap((s) => Object.keys(spec.services[s].volumes ?? {}))]));
  const svcId = idMaker("svc", services);
  const netId = idMaker("net", networks);
  const volId = idMaker("vol", volumes);
  const netLabel = (n: string) => `${n} (${spec.networks?.[n]?.internal ? "internal network" : "network"})`;

  const lines = ["flowchart LR"];
  const published = services.some((s) => (spec.services[s].ports ?? []).length > 0);
  if (published) lines.push(`  host((${label("host")}))`);

  // A network's subgraph holds the services on that network only; a network none of whose
  // services is exclusive to it (an empty subgraph renders badly) is a hexagon node instead.
  const onlyOn = (n: string) => services.filter((s) => spec.services[s].networks.length === 1 && spec.services[s].networks[0] === n);
  for (const n of networks) {
    const members = onlyOn(n);
    if (members.length === 0) {
      lines.push(`  ${netId(n)}{{${label(netLabel(n))}}}`);
      continue;
    }
    lines.push(`  subgraph ${netId(n)}[${label(netLabel(n))}]`);
    for (const s of members) lines.push(`    ${serviceNode(svcId(s), s, spec.services[s])}`);
    lines.push("  end");
  }
  const outside = services.filter((s) => spec.services[s].networks.length !== 1);
  for (const s of outside) lines.push(`  ${serviceNode(svcId(s), s, spec.services[s])}`);
  for (const s of outside) for (const n of sorted(new Set(spec.services[s].networks))) lines.push(`  ${svcId(s)} --- ${netId(n)}`);

  for (const v of volumes) lines.push(`  ${volId(v)}[(${label(v)})]`);
  for (const s of services) {
    const mounts = spec.services[s].volumes ?? {};
    for (const v of sorted(Object.keys(mounts))) lines.push(`  ${svcId(s)} ---|${label(mounts[v])}| ${volId(v)}`);
  }

  for (const s of services) {
    const ports = [...(spec.services[s].ports ?? [])].sort((a, b) => a.external - b.external || a.internal - b.internal || (a.ip ?? "").localeCompare(b.ip ?? ""));
    for (const p of ports) lines.push(`  host -->|${label(portLabel(p))}| ${svcId(s)}`);
  }

  for (const s of services) {
    for (const d of sorted(new Set(spec.services[s].dependsOn ?? []))) lines.push(`  ${svcId(s)} -.-> ${svcId(d)}`);
  }
  return lines.join("\n") + "\n";
}

/** The diagram as a fenced block GitHub renders. */
export function topologyBlock(spec: AppSpec): string {
  return "```mermaid\n" + topologyMermaid(spec) + "```\n";
}

/** What the diagram shows, in one line: "4 services (2 jobs), 2 networks, 1 volume, 1 published port". */
export function topologySummary(spec: AppSpec): string {
  const svcs = Object.values(spec.services);
  const jobs = svcs.filter((s) => s.job).length;
  const ports = svcs.reduce((n, s) => n + (s.ports ?? []).length, 0);
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  return [
    `${count(svcs.length, "service")}${jobs ? ` (${count(jobs, "job")})` : ""}`,
    count(Object.keys(spec.networks ?? {}).length, "network"),
    count(Object.keys(spec.volumes ?? {}).length, "volume"),
    count(ports, "published port"),
  ].join(", ");
}

/** The legend printed above diagrams. */
export const TOPOLOGY_LEGEND =
  "Boxes are services, double-edged boxes jobs (run to completion), boxes inside a frame the services on that network only " +
  "(a service on several networks sits outside, with a line to each; a hexagon is a network no service is on alone), " +
  "cylinders volumes (the line carries the mount path), solid arrows from `host` published ports (`host:EXTERNAL → INTERNAL`, " +
  "or `IP:EXTERNAL → INTERNAL` when bound to one address) and dotted arrows what a service waits for (healthy, or completed for a job).";
