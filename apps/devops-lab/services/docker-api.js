// The few Docker Engine API calls the spawner makes, over the engine's unix socket (mounted into
// the spawner container, declared in the stack's spec). Plain HTTP: no client library needed.
"use strict";
const http = require("http");

const SOCKET = process.env.DOCKER_SOCKET || "/var/run/docker.sock";
const API = "/v1.41";

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({
      socketPath: SOCKET, method, path: API + path,
      headers: data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {},
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => {
        if (res.statusCode >= 400) return reject(new Error(`${method} ${path}: ${res.statusCode} ${text.trim()}`));
        resolve(text ? JSON.parse(text) : null);
      });
    });
    req.on("error", reject);
    req.end(data);
  });
}

const q = (obj) => encodeURIComponent(JSON.stringify(obj));

/** Containers (running or not) carrying every one of `labels`. */
function listByLabels(labels) {
  const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
  return call("GET", `/containers/json?all=1&filters=${q(filters)}`);
}

/**
 * Resolves when the container reports healthy; rejects when it dies, turns unhealthy, or the time
 * runs out. Listens to the engine's event stream (no polling), after subscribing checks once in
 * case it was healthy already.
 */
function waitHealthy(id, timeoutMs) {
  return new Promise((resolve, reject) => {
    const filters = { container: [id], event: ["health_status", "die"] };
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      err ? reject(err) : resolve();
    };
    const timer = setTimeout(() => finish(new Error(`not healthy within ${timeoutMs / 1000} s`)), timeoutMs);
    const req = http.request({ socketPath: SOCKET, method: "GET", path: `${API}/events?filters=${q(filters)}` }, (res) => {
      let buf = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        buf += chunk;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const ev = JSON.parse(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          if (ev.status === "health_status: healthy") finish();
          else if (ev.status === "health_status: unhealthy") finish(new Error("unhealthy"));
          else if (ev.status === "die") finish(new Error("exited"));
        }
      });
      call("GET", `/containers/${id}/json`).then((c) => {
        if (c.State.Health && c.State.Health.Status === "healthy") finish();
      }, finish);
    });
    req.on("error", (e) => finish(e));
    req.end();
  });
}

module.exports = { call, listByLabels, waitHealthy };
