// A container's health now. Our stacks give the engine a long health-check interval (30 s, see
// HEALTHCHECK_DEFAULTS) and our provider probes quickly only while a deployment waits, so right
// after a deploy the engine may still say "starting" about a container whose check passes. The
// tests and the benchmark ask the question the engine's next probe will answer: they run the
// container's own check once, as the engine runs it (its command, the container's user). A
// container that rolls out behind the front proxy has no engine check: its check is the label
// appstacks.ready-check that our provider runs (components/runtime/front-proxy.ts).
import { READY_CHECK_LABEL } from "../components/runtime/front-proxy";

/** The docker CLI arguments that run a container's health check once, from `docker inspect` output. */
export function healthCheckExec(container: string, inspect: { Config?: { User?: string; Healthcheck?: { Test?: string[] }; Labels?: Record<string, string> } }): string[] | undefined {
  const label = inspect.Config?.Labels?.[READY_CHECK_LABEL];
  const test = inspect.Config?.Healthcheck?.Test ?? (label === undefined ? [] : (JSON.parse(label) as { test: string[] }).test);
  const user = inspect.Config?.User ? ["--user", inspect.Config.User] : [];
  if (test[0] === "CMD" && test.length > 1) return ["exec", ...user, container, ...test.slice(1)];
  if (test[0] === "CMD-SHELL" && test.length === 2) return ["exec", ...user, container, "/bin/sh", "-c", test[1]];
  return undefined;
}
