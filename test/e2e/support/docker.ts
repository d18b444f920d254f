// Queries the real Docker daemon (through the docker CLI, which speaks its API) for the objects
// a test created, found by the label every test object carries.
import { execFileSync, spawnSync } from "child_process";
import { healthCheckExec } from "../../../support/health";

function docker(args: string[]): string {
  return execFileSync("docker", args, { encoding: "utf8" }).trim();
}

function lines(out: string): string[] {
  return out === "" ? [] : out.split("\n");
}

export function containersLabelled(label: string, value: string): string[] {
  return lines(docker(["ps", "-a", "--filter", `label=${label}=${value}`, "--format", "{{.Names}}"]));
}

export function networksLabelled(label: string, value: string): string[] {
  return lines(docker(["network", "ls", "--filter", `label=${label}=${value}`, "--format", "{{.Name}}"]));
}

export function volumesLabelled(label: string, value: string): string[] {
  return lines(docker(["volume", "ls", "--filter", `label=${label}=${value}`, "--format", "{{.Name}}"]));
}

/**
 * The engine's health status, except that "starting" becomes "healthy" when the container's own
 * check passes now (support/health.ts: the engine's interval is long, our deploys probe quickly),
 * and a rolling container (no engine check, a ready-check label) is "healthy" when that check passes.
 */
export function healthOf(container: string): string {
  const inspect = JSON.parse(docker(["inspect", container]))[0];
  const status: string = inspect.State?.Health?.Status ?? "none";
  if (status !== "starting" && status !== "none") return status;
  const exec = healthCheckExec(container, inspect);
  if (exec === undefined) return status;
  try {
    execFileSync("docker", exec, { stdio: "ignore", timeout: 10_000 });
    return "healthy";
  } catch {
    return status;
  }
}

export function execIn(container: string, cmd: string[]): string {
  return docker(["exec", container, ...cmd]);
}

/** Removes the data volumes a test stack kept (its stacks keep data on destroy by default). */
export function removeVolumesLabelled(label: string, value: string): void {
  for (const v of volumesLabelled(label, value)) docker(["volume", "rm", "-f", v]);
}

/**
 * A container's output, stdout then stderr, whole or its last `tail` lines (many servers log to
 * stderr, and a job's two streams reach the log through two pipes, so either can come last).
 */
export function logsOf(container: string, tail?: number): string {
  const r = spawnSync("docker", ["logs", ...(tail === undefined ? [] : ["--tail", String(tail)]), container], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return r.stdout + r.stderr;
}

/** The names of the endpoints a network still lists. */
export function attachedTo(network: string): string[] {
  return docker(["network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{end}}", network]).split(" ").filter(Boolean);
}

/**
 * Removes a network whose containers are gone. Docker 20.10 can keep the endpoint of a container
 * removed mid-restart after the container is gone (moby/moby#17217, #33156): inspect still names
 * it, and only a forced disconnect by that name drops it.
 */
export function removeNetwork(network: string): void {
  for (const c of attachedTo(network)) spawnSync("docker", ["network", "disconnect", "-f", network, c]);
  docker(["network", "rm", network]);
}

/** Removes whatever a failed test left behind, by label; never fails the test itself. */
export function removeLabelled(label: string, value: string): void {
  for (const c of containersLabelled(label, value)) docker(["rm", "-f", c]);
  for (const n of networksLabelled(label, value)) removeNetwork(n);
}

/** Every container, network, volume and image labelled with this stack: "kind name" lines. */
export function dockerObjectsOfStack(stack: string): string[] {
  const filter = `label=appstacks.stack=${stack}`;
  return [
    ...containersLabelled("appstacks.stack", stack).map((n) => `container ${n}`),
    ...networksLabelled("appstacks.stack", stack).map((n) => `network ${n}`),
    ...volumesLabelled("appstacks.stack", stack).map((n) => `volume ${n}`),
    ...lines(docker(["image", "ls", "--filter", filter, "--format", "{{.Repository}}:{{.Tag}}"])).map((n) => `image ${n}`),
  ];
}
