// The seed's node webapp. It answers on the port its image was built with (start_port) and, when
// it is part of a spawn pool (REDIS_URL set), asks the spawner for one more instance of itself
// (/spawn) or one fewer (/destroy). Requests and replies travel through redis: the spawner is the
// only one that talks to Docker, and the only writer of the `servers` list the proxy reads.
"use strict";
const http = require("http");
const os = require("os");
const crypto = require("crypto");

const port = Number(process.env.start_port || 3000);
const color = process.env.COLOR || "";
const release = process.env.RELEASE || null;
const REQUESTS = "spawn-requests";
const REPLY_SECONDS = 120;

let redis = null;
if (process.env.REDIS_URL) {
  const { createClient } = require("redis");
  redis = createClient({ url: process.env.REDIS_URL });
  redis.on("error", (e) => console.error(`redis: ${e.message}`));
  redis.connect().catch((e) => console.error(`redis: ${e.message}`));
}

/** Queues a spawn or destroy request and waits for the spawner's answer. */
async function ask(op) {
  const { commandOptions } = require("redis");
  const id = crypto.randomUUID();
  await redis.rPush(REQUESTS, JSON.stringify({ id, op }));
  // A blocking pop on a connection of its own: no polling, and other requests go on meanwhile.
  const reply = await redis.blPop(commandOptions({ isolated: true }), `reply:${id}`, REPLY_SECONDS);
  if (reply === null) return { status: 504, body: { error: `the spawner did not answer within ${REPLY_SECONDS} s` } };
  const body = JSON.parse(reply.element);
  return { status: body.status, body };
}

function send(res, status, body) {
  const text = JSON.stringify(body) + "\n";
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer(async (req, res) => {
  const path = (req.url || "/").split("?")[0];
  try {
    if (path === "/healthz") return send(res, 200, { ok: true });
    if (path === "/spawn" || path === "/destroy") {
      if (!redis) return send(res, 404, { error: "this instance is not part of a spawn pool (no REDIS_URL)" });
      const r = await ask(path.slice(1));
      return send(res, r.status, r.body);
    }
    if (path === "/servers" && redis) return send(res, 200, { servers: await redis.lRange("servers", 0, -1) });
    return send(res, 200, { message: `Hello from port ${port}`, port, color: color || null, release, host: os.hostname() });
  } catch (e) {
    return send(res, 500, { error: e.message });
  }
});
// Longer than the proxy keeps idle upstream sockets, so the proxy never reuses a closing one.
server.keepAliveTimeout = 65000;
server.headersTimeout = 66000;
server.listen(port, () => console.log(`webapp${color ? ` (${color})` : ""} listening on ${port}`));

// Draining on SIGTERM: no new connections; requests in flight (a /destroy waiting for the
// spawner's answer among them) are answered, each with `Connection: close`; only then are the idle
// kept-alive sockets closed and the process exits. A stopped instance drops no request it accepted.
let active = 0;
let draining = false;
server.on("request", (req, res) => {
  active++;
  if (draining) res.setHeader("connection", "close");
  res.on("close", () => {
    active--;
    if (draining && active === 0) finish();
  });
});
function finish() {
  server.closeIdleConnections();
  if (redis) redis.disconnect().catch(() => {});
  setTimeout(() => process.exit(0), 100);
}
function shutdown() {
  if (draining) return;
  draining = true;
  server.close();
  if (active === 0) finish();
  setTimeout(() => process.exit(0), 8000).unref();
}
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
