// The blue/green switch, run as a one-shot job by `pulumi up` whenever appstacks:lab.live
// changes: it records the live and idle colours in redis and tells the proxy, which moves new
// requests at once (requests in flight finish on the old colour, which keeps running).
// Exits non-zero when the target colour does not answer, so a switch to a broken colour fails
// the deployment instead of the traffic.
"use strict";
const http = require("http");
const { createClient } = require("redis");

const live = process.env.LIVE_URL;
const idle = process.env.IDLE_URL;

function healthy(origin) {
  return new Promise((resolve) => {
    const req = http.get(`${origin}/healthz`, { timeout: 5000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
  });
}

// PID 1 of a job's container: exit on SIGTERM rather than wait for SIGKILL.
process.on("SIGTERM", () => process.exit(143));

async function main() {
  if (!live || !idle) throw new Error("LIVE_URL and IDLE_URL are required");
  if (!(await healthy(live))) throw new Error(`${live} does not answer /healthz: not switching`);
  const redis = createClient({ url: process.env.REDIS_URL || "redis://redis:6379" });
  await redis.connect();
  await redis.multi().mSet({ live, idle }).publish("live-changed", live).exec();
  await redis.quit();
  console.log(`live: ${live} (idle: ${idle})`);
}

main().catch((e) => {
  console.error(`switch: ${e.message}`);
  process.exit(1);
});
