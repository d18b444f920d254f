// The seed's proxy, made to carry load: two entry points on one process.
//   PROXY_PORT  round-robins over the `servers` list in redis (the webapp and its spawned copies);
//   LIVE_PORT   sends everything to the live colour of the blue/green pair (`live` in redis).
// The seed did an RPOPLPUSH per request; here both targets live in memory and are reloaded when
// the spawner or the switch publishes a change (and on every reconnect), so a request costs no
// redis round trip. Upstream sockets are kept alive. A request that could not reach its upstream
// (refused, or a reused idle socket reset) is retried once on the next server, or on the idle
// colour: an instance being removed or replaced loses no request, and none runs twice.
//
// An upstream that is gone can also fail slowly: once its container is removed, Docker's DNS
// forwards the unknown name upstream and, on a host without outside DNS, the lookup takes ~5 s
// (measured: a 5.1 s stall while a new release of the live colour replaced its container). So a
// connection (lookup included) gets CONNECT_TIMEOUT_MS, and an upstream that failed is skipped
// for DOWN_MS, while its fallback is used.
"use strict";
const http = require("http");
const { createClient } = require("redis");

const PROXY_PORT = Number(process.env.PROXY_PORT || 3456);
const LIVE_PORT = Number(process.env.LIVE_PORT || 3457);
const REDIS_URL = process.env.REDIS_URL || "redis://redis:6379";
const HEALTH_PATH = "/__proxy/health";
const CONNECT_TIMEOUT_MS = Number(process.env.CONNECT_TIMEOUT_MS || 1000);
const DOWN_MS = Number(process.env.DOWN_MS || 2000);

let servers = [];
let next = 0;
let live = null;
let idle = null;

const agents = new Map();
function agentFor(origin) {
  let a = agents.get(origin);
  if (!a) {
    a = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 60000 });
    agents.set(origin, a);
  }
  return a;
}

const redis = createClient({ url: REDIS_URL });
const sub = redis.duplicate();
for (const c of [redis, sub]) c.on("error", (e) => console.error(`redis: ${e.message}`));

async function loadServers() {
  const list = await redis.lRange("servers", 0, -1);
  servers = list;
  // Forget the agents of servers that left the list, without destroying them: a request in
  // flight there (the very /destroy that removed it) must still get its answer; the sockets close
  // when the instance exits or after the agent's idle timeout.
  for (const origin of [...agents.keys()]) {
    if (!list.includes(origin) && origin !== live && origin !== idle) agents.delete(origin);
  }
  console.log(`servers: ${list.join(" ") || "(none)"}`);
}

async function loadLive() {
  const [l, i] = await redis.mGet(["live", "idle"]);
  // A missing key (redis restarted) keeps the last known target rather than dropping traffic.
  if (l) live = l;
  if (i) idle = i;
  console.log(`live: ${live || "(none)"}, idle: ${idle || "(none)"}`);
}

async function reloadAll() {
  try {
    await Promise.all([loadServers(), loadLive()]);
  } catch (e) {
    console.error(`reload: ${e.message}`);
  }
}

function pickServer() {
  if (servers.length === 0) return null;
  next = (next + 1) % servers.length;
  return servers[next];
}

/**
 * True when the upstream surely never processed the request, so sending it elsewhere cannot run
 * it twice: the connection was never made, or a kept-alive socket the upstream had just closed
 * (reset before a byte of response) was reused. A request that did reach an app that then died
 * is answered 502, never replayed (GET /destroy is not idempotent).
 */
function notDelivered(err, up) {
  if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ECONNECTTIMEOUT"].includes(err.code)) return true;
  return up.reusedSocket && (err.code === "ECONNRESET" || err.code === "EPIPE");
}

function hasNoBody(req) {
  return req.method === "GET" || req.method === "HEAD" || req.headers["content-length"] === "0";
}

// Hop-by-hop headers belong to one connection: a client's `Connection: close` must not close
// the kept-alive upstream socket.
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"];
function endToEnd(headers) {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

/** Upstreams that just failed to connect → until when they are skipped. */
const downUntil = new Map();
const isDown = (origin) => (downUntil.get(origin) || 0) > Date.now();

/** Fails a request whose new connection (name lookup included) is not up in time. */
function connectTimeout(up) {
  up.on("socket", (sock) => {
    if (!sock.connecting) return; // a kept-alive socket, already connected
    const timer = setTimeout(() => up.destroy(Object.assign(new Error(`no connection within ${CONNECT_TIMEOUT_MS} ms`), { code: "ECONNECTTIMEOUT" })), CONNECT_TIMEOUT_MS);
    sock.once("connect", () => clearTimeout(timer));
    sock.once("close", () => clearTimeout(timer));
  });
}

function forward(req, res, origin, fallback, retried) {
  const url = new URL(origin);
  const up = http.request({
    host: url.hostname, port: url.port, method: req.method, path: req.url, headers: endToEnd(req.headers), agent: agentFor(origin),
  }, (upRes) => {
    res.writeHead(upRes.statusCode || 502, { ...endToEnd(upRes.headers), "x-upstream": origin });
    upRes.pipe(res);
  });
  connectTimeout(up);
  up.on("error", (e) => {
    if (res.headersSent) return res.destroy(e);
    if (notDelivered(e, up) && !up.reusedSocket) downUntil.set(origin, Date.now() + DOWN_MS);
    const alt = fallback();
    // Only a request whose body we did not need to replay is retried, and only once.
    if (!retried && alt && hasNoBody(req) && notDelivered(e, up)) {
      console.error(`${req.method} ${req.url}: ${origin} ${e.code || e.message}, retried on ${alt}`);
      return forward(req, res, alt, fallback, true);
    }
    console.error(`${req.method} ${req.url}: ${origin} ${e.code || e.message}`);
    res.writeHead(502, { "content-type": "text/plain" });
    res.end(`upstream ${origin} failed: ${e.code || e.message}\n`);
  });
  // A retried request has no body left to stream (only bodiless requests are retried).
  if (retried || req.readableEnded) up.end();
  else req.pipe(up);
}

function entry(target, fallback, what) {
  return (req, res) => {
    if (req.url === HEALTH_PATH) {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ servers, live, idle }) + "\n");
    }
    let origin = target();
    const alt = origin && isDown(origin) ? fallback() : null;
    if (alt && !isDown(alt)) origin = alt;
    if (!origin) {
      res.writeHead(503, { "content-type": "text/plain", "retry-after": "1" });
      return res.end(`no ${what} yet\n`);
    }
    forward(req, res, origin, fallback, false);
  };
}

function listen(port, handler) {
  const s = http.createServer(handler);
  s.keepAliveTimeout = 30000;
  s.headersTimeout = 31000;
  s.listen(port);
  return s;
}

async function main() {
  // PID 1 of its container ignores SIGTERM without a handler: until the servers listen (redis
  // may still be on its way), stopping is just exiting.
  let stop = () => process.exit(0);
  process.on("SIGTERM", () => stop());
  process.on("SIGINT", () => stop());
  sub.on("ready", reloadAll);
  await Promise.all([redis.connect(), sub.connect()]);
  await sub.subscribe("servers-changed", () => loadServers().catch((e) => console.error(e.message)));
  await sub.subscribe("live-changed", () => loadLive().catch((e) => console.error(e.message)));
  await reloadAll();
  const pool = listen(PROXY_PORT, entry(pickServer, pickServer, "servers in the list"));
  const blueGreen = listen(LIVE_PORT, entry(() => live, () => idle, "live colour"));
  console.log(`proxy: pool on ${PROXY_PORT}, live colour on ${LIVE_PORT}`);
  stop = () => {
    for (const s of [pool, blueGreen]) { s.close(); s.closeIdleConnections(); }
    setTimeout(() => process.exit(0), 5000).unref();
    Promise.all([redis.quit(), sub.quit()]).catch(() => {}).finally(() => setTimeout(() => process.exit(0), 500));
  };
}

main().catch((e) => {
  console.error(`proxy: ${e.message}`);
  process.exit(1);
});
