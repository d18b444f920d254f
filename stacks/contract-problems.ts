// Checks a stack's spec against the contracts of the images it pulls (image-contracts.ts): every
// published or probed port is one the image listens on, every variable one it reads, every file
// under a path it reads, every volume at a data path, every health-check tool one it contains,
// and a wrapper runs the image's own entrypoint. Images built here are skipped: their Dockerfile
// is their contract. One line per problem, naming the stack, the service, the image and the fact.
import { AppSpec, ServiceSpec } from "../components/app-spec";
import { envFromFiles } from "../components/secret-env";
import { ImageContract, contractOf } from "./image-contracts";

// Shell builtins a check may use whatever the image holds.
const BUILTINS = new Set(["exec", "set", "test", "[", "printf", "echo", "true", "false", "!", "{", "}"]);

/** The executables a health check runs: the command, and the commands of a shell script it runs. */
export function healthCheckTools(test: readonly string[]): string[] {
  const [kind, ...argv] = test;
  if (kind === "CMD-SHELL") return ["sh", ...scriptCommands(argv.join(" "))];
  if (kind !== "CMD" || argv.length === 0) return [];
  const shell = (argv[0] === "bash" || argv[0] === "sh") && argv[1] === "-c" ? scriptCommands(argv[2] ?? "") : [];
  return [argv[0], ...shell];
}

/** The first word of each simple command of a script (split at && || | ; $( and backquotes). */
function scriptCommands(script: string): string[] {
  const withoutQuotes = script.replace(/'[^']*'/g, "''");
  const commands: string[] = [];
  for (const segment of withoutQuotes.split(/&&|\|\||\||;|\$\(|`/)) {
    const words = segment.trim().replace(/^[("]+/, "").split(/\s+/)
      .filter((w) => w !== "" && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) && !/[<>]/.test(w));
    const first = words[0] === "exec" ? words[1] : words[0];
    if (first && !BUILTINS.has(first)) commands.push(first.replace(/^["']|["')]+$/g, ""));
  }
  return commands;
}

/** Ports a health check probes on the container's own addresses. */
export function healthCheckPorts(test: readonly string[]): number[] {
  const text = test.join(" ");
  return [...text.matchAll(/127\.0\.0\.1[:/](\d+)|\/dev\/tcp\/[^/\s]+\/(\d+)/g)].map((m) => Number(m[1] ?? m[2]));
}

function serviceProblems(at: string, ref: string, svc: ServiceSpec, c: ImageContract): string[] {
  const problems: string[] = [];
  const configured = (svc.files ?? []).filter((f) => c.listenIn !== undefined && f.path.startsWith(c.listenIn) && typeof f.content === "string")
    .flatMap((f) => [...(f.content as string).matchAll(/^\s*listen\s+(?:[\d.]+:)?(\d+)/gm)].map((m) => Number(m[1])));
  const declared = c.listenArg === undefined ? [] : [...(svc.command ?? []).join(" ").matchAll(c.listenArg)].map((m) => Number(m[1]));
  const ports = [...c.ports, ...configured, ...declared];
  const fact = (what: string, allowed: readonly (string | number)[]) => `${at} (${ref}): ${what} (the image's contract allows: ${allowed.length ? allowed.join(", ") : "none"})`;
  for (const p of svc.ports ?? []) if (!ports.includes(p.internal)) problems.push(fact(`publishes port ${p.internal}, where the image does not listen`, ports));
  const hc = svc.healthcheck?.test ?? [];
  for (const p of healthCheckPorts(hc)) if (!ports.includes(p)) problems.push(fact(`health check probes port ${p}, where the image does not listen`, ports));
  for (const tool of healthCheckTools(hc)) if (!c.tools.includes(tool)) problems.push(fact(`health check calls ${tool}, which the image does not contain`, c.tools));
  const fromFiles = envFromFiles(svc).map(([variable]) => variable);
  const variables = [
    ...Object.keys(svc.env ?? {}),
    ...(svc.secrets ?? []).flatMap((s) => (s.pathEnv === undefined ? [] : [s.pathEnv])),
    ...fromFiles,
  ];
  // A variable the service's own command expands (bash -c '… "$X" …') is read by that command.
  const ownCommand = (svc.command ?? []).join(" ");
  for (const v of variables) if (!c.env.includes(v) && !ownCommand.includes(`$${v}`)) problems.push(fact(`sets ${v}, which the image does not read`, c.env));
  for (const f of svc.files ?? []) {
    // A file only the wrapper reads (its content becomes a variable) is no fact about the image.
    if (f.env !== undefined) continue;
    if (!c.files.some((p) => (p.endsWith("/") ? f.path.startsWith(p) : f.path === p))) problems.push(fact(`writes ${f.path}, which the image does not read`, c.files));
  }
  for (const path of Object.values(svc.volumes ?? {})) if (!c.data.includes(path)) problems.push(fact(`mounts a volume at ${path}, where the image keeps no data`, c.data));
  if ((fromFiles.length > 0 || svc.entrypoint !== undefined) && JSON.stringify(svc.entrypoint ?? []) !== JSON.stringify(c.entrypoint)) {
    problems.push(fact(`runs entrypoint ${JSON.stringify(svc.entrypoint ?? [])}, not the image's own`, [JSON.stringify(c.entrypoint)]));
  }
  return problems;
}

/** Every way `spec` relies on more than its pulled images promise, or names an image with no contract. */
export function contractProblems(app: string, spec: AppSpec): string[] {
  const problems: string[] = [];
  for (const [name, svc] of Object.entries(spec.services)) {
    if (typeof svc.image === "string" || svc.image.ref === undefined) continue;
    const at = `${app}.services.${name}`;
    const c = contractOf(svc.image.ref);
    if (c === undefined) problems.push(`${at} (${svc.image.ref}): no contract for this image (add one to stacks/image-contracts.ts)`);
    else problems.push(...serviceProblems(at, svc.image.ref, svc, c));
  }
  return problems;
}
