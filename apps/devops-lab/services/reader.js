// The seed's file-IO reader: on every HTTP request it reads the writer's file over TCP (the seed
// curled the socat port) and returns it as the response.
"use strict";
const http = require("http");
const net = require("net");

const PORT = Number(process.env.PORT || 8000);
const WRITER_HOST = process.env.WRITER_HOST || "writer";
const WRITER_PORT = Number(process.env.WRITER_PORT || 7000);

function fetchFile() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    const s = net.connect(WRITER_PORT, WRITER_HOST);
    s.setTimeout(5000, () => s.destroy(new Error("timeout")));
    s.on("data", (c) => chunks.push(c));
    s.on("end", () => resolve(Buffer.concat(chunks)));
    s.on("error", reject);
  });
}

const server = http.createServer(async (req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "text/plain" });
    return res.end("ok\n");
  }
  try {
    const body = await fetchFile();
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-length": body.length });
    res.end(body);
  } catch (e) {
    res.writeHead(502, { "content-type": "text/plain" });
    res.end(`cannot read from ${WRITER_HOST}:${WRITER_PORT}: ${e.message}\n`);
  }
});
server.listen(PORT, () => console.log(`reader on ${PORT}, reading ${WRITER_HOST}:${WRITER_PORT}`));
const stop = () => { server.close(() => process.exit(0)); server.closeIdleConnections(); setTimeout(() => process.exit(0), 3000).unref(); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
