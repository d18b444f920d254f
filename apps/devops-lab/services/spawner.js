// The spawner: the seed's infrastructure.js and spawn_docker.sh as a service of the stack. It
// waits on redis for spawn/destroy requests (a blocking pop: no polling, no sleep), starts or
// removes webapp containers through the Docker API, and is the only writer of the `servers` list
// the proxy round-robins over (announced on the `servers-changed` channel).
//
// Spawned containers are runtime-managed, not in Pulumi's state: they carry the stack's labels
// plus appstacks.spawned=true, run the stack's webapp image on the stack's network, and live as
// long as the spawner that made them: on SIGTERM (Pulumi deletes or replaces this container with a
// grace period) it removes them all; on start it adopts the running ones and drops the rest.
"use strict";
const { createClient } = require("redis");
const docker = require("./docker-api");

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is required`);
  return v;
};
const REDIS_URL = process.env.REDIS_URL || "redis://redis:6379";
const BASE_URL = env("BASE_URL"); // the base instance: never destroyed
const IMAGE = env("WEBAPP_IMAGE");
const NETWORK = env("NETWORK");
const NAME_PREFIX = env("NAME_PREFIX");
const STACK_LABELS = JSON.parse(env("STACK_LABELS")); // appstacks.project/stack/app
const SPAWN_ENV = JSON.parse(process.env.SPAWN_ENV || "{}");
const READY_FILE = "/tmp/ready";
const HEALTHY_WITHIN_MS = 90000;

const CHILD = { ...STACK_LABELS, "appstacks.spawned": "true" };
const redis = createClient({ url: REDIS_URL });
const blocking = redis.duplicate();
for (const c of [redis, blocking]) c.on("error", (e) => console.error(`redis: ${e.message}`));

const portOf = (url) => Number(new URL(url).port);
const urlFor = (name, port) => `http://${name}:${port}`;

async function children() {
  return docker.listByLabels(CHILD);
}

/** servers = the base instance, then every running child in port order. */
async function publishServers(urls) {
  const list = [BASE_URL, ...urls.filter((u) => u !== BASE_URL).sort((a, b) => portOf(a) - portOf(b))];
  await redis.multi().del("servers").rPush("servers", list).publish("servers-changed", String(list.length)).exec();
  return list;
}

async function currentServers() {
  return redis.lRange("servers", 0, -1);
}

async function spawn() {
  const servers = await currentServers();
  const taken = [...servers.map(portOf), ...(await children()).map((c) => Number(c.Labels["appstacks.port"]))];
  const port = Math.max(portOf(BASE_URL), ...taken.filter(Number.isFinite)) + 1;
  const name = `${NAME_PREFIX}-${port}`;
  const envList = Object.entries({ ...SPAWN_ENV, start_port: String(port) }).map(([k, v]) => `${k}=${v}`);
  const created = await docker.call("POST", `/containers/create?name=${encodeURIComponent(name)}`, {
    Image: IMAGE,
    Env: envList,
    Labels: { ...CHILD, "appstacks.service": "webapp", "appstacks.port": String(port) },
    ExposedPorts: { [`${port}/tcp`]: {} },
    // The same limit the stack gives the base webapp: spawned copies are held to the same rules.
    HostConfig: { NetworkMode: NETWORK, RestartPolicy: { Name: "unless-stopped" }, Memory: 128 * 1024 * 1024 },
    NetworkingConfig: { EndpointsConfig: { [NETWORK]: { Aliases: [name] } } },
  });
  try {
    const healthy = docker.waitHealthy(created.Id, HEALTHY_WITHIN_MS);
    await docker.call("POST", `/containers/${created.Id}/start`);
    await healthy;
  } catch (e) {
    await docker.call("DELETE", `/containers/${created.Id}?force=1`).catch(() => {});
    return { status: 500, error: `spawned ${name} did not become healthy: ${e.message}` };
  }
  const url = urlFor(name, port);
  const list = await publishServers([...(await currentServers()), url]);
  console.log(`spawned ${name}`);
  return { status: 201, spawned: url, servers: list };
}

async function destroy(reply) {
  const servers = await currentServers();
  const candidates = servers.filter((u) => u !== BASE_URL);
  if (candidates.length === 0) return reply({ status: 409, error: "nothing to destroy: the base instance is never destroyed" });
  // As in the seed: a random one other than the base instance.
  const victim = candidates[Math.floor(Math.random() * candidates.length)];
  // Out of the list first, so the proxy sends it nothing new. The answer goes out before the
  // container stops: the instance answering this very /destroy may be the one chosen, and it
  // finishes the requests it has (this one included) before it exits.
  const list = await publishServers(candidates.filter((u) => u !== victim));
  await reply({ status: 200, destroyed: victim, servers: list });
  const name = new URL(victim).hostname;
  await docker.call("POST", `/containers/${encodeURIComponent(name)}/stop?t=10`).catch(() => {});
  await docker.call("DELETE", `/containers/${encodeURIComponent(name)}?force=1`).catch((e) => {
    if (!/404/.test(e.message)) throw e;
  });
  console.log(`destroyed ${name}`);
}

/** Adopts running children, removes the others, and rewrites the list from what runs. */
async function reconcile() {
  const urls = [];
  for (const c of await children()) {
    const name = c.Names[0].replace(/^\//, "");
    if (c.State === "running") urls.push(urlFor(name, Number(c.Labels["appstacks.port"])));
    else await docker.call("DELETE", `/containers/${c.Id}?force=1`).catch(() => {});
  }
  const list = await publishServers(urls);
  console.log(`servers: ${list.join(" ")}`);
}

async function removeAll() {
  const list = await children();
  await Promise.all(list.map((c) => docker.call("DELETE", `/containers/${c.Id}?force=1`).catch((e) => console.error(e.message))));
  console.log(`removed ${list.length} spawned container(s)`);
}

let stopping = false;
async function serve() {
  const handlers = { spawn, destroy };
  while (!stopping) {
    const item = await blocking.blPop("spawn-requests", 0);
    if (item === null) continue;
    let req;
    try {
      req = JSON.parse(item.element);
    } catch {
      continue;
    }
    let replied = false;
    const reply = async (body) => {
      if (replied) return;
      replied = true;
      await redis.multi().rPush(`reply:${req.id}`, JSON.stringify(body)).expire(`reply:${req.id}`, 300).exec();
    };
    try {
      const handler = handlers[req.op];
      await reply(handler ? await handler(reply) : { status: 400, error: `unknown request ${req.op}` });
    } catch (e) {
      console.error(`${req.op}: ${e.message}`);
      await reply({ status: 500, error: e.message }).catch(() => {});
    }
  }
}

async function shutdown() {
  if (stopping) return;
  stopping = true;
  try {
    await removeAll();
    await publishServers([]);
  } catch (e) {
    console.error(`shutdown: ${e.message}`);
  }
  process.exit(0);
}

async function main() {
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  await Promise.all([redis.connect(), blocking.connect()]);
  await reconcile();
  require("fs").writeFileSync(READY_FILE, new Date().toISOString());
  await serve();
}

main().catch((e) => {
  if (stopping) return;
  console.error(`spawner: ${e.message}`);
  process.exit(1);
});
