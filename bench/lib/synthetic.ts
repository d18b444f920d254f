// The synthetic stack of N small services (for how cold-deploy time grows with N): each one the
// base image running a shell that waits for SIGTERM, with a trivial health check, all on one
// network. The compose file is generated from the same spec, so both tools get the same thing.
import { stringify } from "yaml";
import { AppSpec } from "../../components/app-spec";
import { HealthCheck } from "../../components/app-spec";
import { standIn } from "../../support/images";

export const SYNTHETIC_IMAGE = standIn("debian");
/** Exits at once on SIGTERM (a bare `sleep` as PID 1 would ignore it and make every stop wait 10 s). */
export const SYNTHETIC_COMMAND = ["sh", "-c", "trap 'exit 0' TERM; sleep infinity & wait"];
export const SYNTHETIC_CHECK: HealthCheck = { test: ["CMD", "true"], interval: "2s", timeout: "5s", retries: 60, startPeriod: "0s" };

export function serviceNames(n: number): string[] {
  const width = String(n).length;
  return Array.from({ length: n }, (_, i) => `s${String(i + 1).padStart(width, "0")}`);
}

export function syntheticSpec(n: number): AppSpec {
  const services = Object.fromEntries(serviceNames(n).map((name) => [name, {
    image: "base", command: SYNTHETIC_COMMAND, networks: ["net"], healthcheck: SYNTHETIC_CHECK,
  }]));
  return { images: { base: { ref: SYNTHETIC_IMAGE } }, networks: { net: {} }, services };
}

/** The compose file of the same N services, labelled with the run's stack like ours. */
export function syntheticCompose(n: number, stack: string): string {
  const labels = { "appstacks.project": "bench-compose", "appstacks.stack": stack, "appstacks.app": "synthetic" };
  const hc = SYNTHETIC_CHECK;
  const services = Object.fromEntries(serviceNames(n).map((name) => [name, {
    image: SYNTHETIC_IMAGE, command: SYNTHETIC_COMMAND, networks: ["net"], restart: "unless-stopped", labels,
    healthcheck: { test: hc.test, interval: hc.interval, timeout: hc.timeout, retries: hc.retries, start_period: hc.startPeriod },
  }]));
  return stringify({ services, networks: { net: { labels } } });
}
