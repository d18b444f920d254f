// Reads the host ports that labelled containers publish, from a Docker engine the program can
// reach while it runs (before any resource is registered), through the docker CLI: two calls,
// `ps` for the labelled containers and one `inspect` of them all. No Pulumi provider function
// lists containers (@pulumi/docker has getNetwork, getRemoteImage, getLogs… but no list), and a
// provider-side read would come only after resources are registered.
import { execFileSync } from "child_process";
import { LABEL_PREFIX } from "../naming";
import { claimsFromInspect, PortClaim } from "./port-claims";

/** How long one docker CLI call may take: an engine that does not answer must not hang a preview. */
const TIMEOUT_MS = 15_000;

/**
 * The port claims of every container of `engine` (a DOCKER_HOST address: unix://, tcp://,
 * ssh://…) labelled with a stack. Throws an Error saying why when the engine cannot be read.
 */
export function readPortClaims(engine: string): PortClaim[] {
  const docker = (args: string[]) =>
    execFileSync("docker", ["--host", engine, ...args], { encoding: "utf8", timeout: TIMEOUT_MS, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  for (let attempt = 1; ; attempt++) {
    try {
      const ids = docker(["ps", "--all", "--quiet", "--no-trunc", "--filter", `label=${LABEL_PREFIX}.stack`]).split("\n").filter(Boolean);
      return ids.length === 0 ? [] : claimsFromInspect(JSON.parse(docker(["container", "inspect", ...ids])) as unknown[]);
    } catch (e) {
      const err = e as { code?: string; stderr?: string; message: string };
      if (err.code === "ENOENT") throw new Error("the docker CLI is not installed");
      // A container removed between `ps` and `inspect` (another stack's destroy): read again.
      if (attempt < 3 && /No such (object|container)/i.test(err.stderr ?? "")) continue;
      throw new Error(`${engine} did not answer: ${err.stderr?.trim().split("\n")[0] || err.message}`);
    }
  }
}
