// Real HTTP and free ports on this machine, for the tests and benchmark runs that publish ports.
import * as net from "net";

// Ports are drawn below the kernel's ephemeral range (32768-60999 here), which it hands out for
// `listen(0)` and as the source ports of outgoing connections: listen(0) twice in a row returned
// the same port in 7 of 2000 sets of 8 (two services on one port: "port is already allocated"),
// and a port from that range can be taken by any outgoing connection before Docker binds it.
const LOW = 20000;
const HIGH = 32767;

/** `n` distinct TCP ports nothing listens on right now, on any address (as Docker binds them). */
export async function freePorts(n: number): Promise<number[]> {
  const held: net.Server[] = [];
  const ports: number[] = [];
  try {
    // Every port stays bound until all are found, so none can be picked twice.
    for (let tries = 0; ports.length < n; tries++) {
      if (tries > 1000) throw new Error(`freePorts: found only ${ports.length} of ${n} free ports in ${LOW}-${HIGH}`);
      const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
      if (ports.includes(port)) continue;
      const srv = await listen(port);
      if (srv) { held.push(srv); ports.push(port); }
    }
    return ports;
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
}

/** A free port for each key, all distinct: `{ webPort: 2xxxx, dbPort: 2yyyy }`. */
export async function freePortsFor<K extends string>(keys: readonly K[]): Promise<Record<K, number>> {
  const ports = await freePorts(keys.length);
  return Object.fromEntries(keys.map((k, i) => [k, ports[i]])) as Record<K, number>;
}

/** One free TCP port (see freePorts). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

function listen(port: number): Promise<net.Server | undefined> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(undefined));
    srv.listen(port, () => resolve(srv));
  });
}

/** GET (or POST a form) over real HTTP; returns status and body text. */
export async function http(url: string, form?: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(url, form ? { method: "POST", body: new URLSearchParams(form) } : undefined);
  return { status: res.status, body: await res.text() };
}
