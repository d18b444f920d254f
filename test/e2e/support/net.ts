// Real HTTP and free ports on this machine, for tests that publish ports.
import * as net from "net";

/** A TCP port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** GET (or POST a form) over real HTTP; returns status and body text. */
export async function http(url: string, form?: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(url, form ? { method: "POST", body: new URLSearchParams(form) } : undefined);
  return { status: res.status, body: await res.text() };
}
