// Health checks shared by stacks. An HTTP check written in Python, because the images that
// serve these apps have Python but not necessarily curl or wget.
import { HealthCheck } from "./app-spec";

/** Healthy when GET http://127.0.0.1:<port><path> answers 2xx/3xx within 4 s. */
export function pythonHttpCheck(port: number, path = "/healthz"): HealthCheck {
  return { test: ["CMD", "python3", "-c", `import urllib.request as u; u.urlopen('http://127.0.0.1:${port}${path}', timeout=4)`] };
}

/**
 * Healthy when GET http://127.0.0.1:<port><path> answers 200, with nothing but bash: for images
 * without Python or curl (nginx, the official one and our stand-in).
 */
export function bashHttpCheck(port: number, path = "/healthz"): HealthCheck {
  return {
    test: ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port} && printf 'GET ${path} HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '`],
  };
}

/**
 * Healthy when something listens on 127.0.0.1:<port>. For brokers whose own diagnostics start a
 * whole runtime per check (rabbitmq-diagnostics: an Erlang VM, seconds on a busy host, so the
 * check itself timed out under load); the listener opens once the broker has booted.
 */
export function tcpCheck(port: number): HealthCheck {
  return { test: ["CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`] };
}

/** Healthy when GET http://127.0.0.1:<port><path> answers 2xx/3xx within 4 s, with curl (PEcAn's and BETY's images have it). */
export function curlHttpCheck(port: number, path = "/healthz"): HealthCheck {
  return { test: ["CMD", "curl", "-fsS", "-o", "/dev/null", "-m", "4", `http://127.0.0.1:${port}${path}`] };
}

/**
 * Healthy while the process holds an established TCP connection to `remotePort` (a queue
 * consumer to its broker), read from /proc/net/tcp with grep: true of a consumer that writes no
 * heartbeat and serves no port, such as PEcAn's executor and model runners. State 01 is ESTABLISHED.
 */
export function tcpConnectedCheck(remotePort: number): HealthCheck {
  return { test: ["CMD", "grep", "-qE", establishedTo(remotePort), "/proc/net/tcp"] };
}

/** A line of /proc/net/tcp (or tcp6) for an ESTABLISHED connection to `remotePort`. */
function establishedTo(remotePort: number): string {
  const hex = remotePort.toString(16).toUpperCase().padStart(4, "0");
  return `^ *[0-9]+: [0-9A-F]+:[0-9A-F]{4} [0-9A-F]+:${hex} 01 `;
}

/**
 * Healthy while a worker keeps touching `file` (at least every `seconds`): for processes with no
 * port to ask, such as queue consumers and schedulers, whose loop touches the file.
 */
export function heartbeatCheck(file: string, seconds = 30): HealthCheck {
  return { test: ["CMD-SHELL", `test -n "$(find ${file} -newermt '-${seconds} seconds' 2>/dev/null)"`] };
}

/**
 * Healthy while the POSIX message queues `queues` exist (/dev/mqueue) and the process holds an
 * established TCP connection to each of `remotePorts` (as tcpConnectedCheck, in /proc/net/tcp or
 * tcp6): for a process that serves no port and writes no heartbeat but keeps its queues and its
 * client connections open, and exits when it loses them, such as WattRex's node manager.
 */
export function mqueueAndConnectionsCheck(queues: readonly string[], remotePorts: readonly number[]): HealthCheck {
  const checks = [
    ...queues.map((q) => `test -e /dev/mqueue/${q}`),
    ...remotePorts.map((p) => `grep -sqE '${establishedTo(p)}' /proc/net/tcp /proc/net/tcp6`),
  ];
  return { test: ["CMD-SHELL", checks.join(" && ")] };
}
