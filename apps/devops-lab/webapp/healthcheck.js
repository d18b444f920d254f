// Healthy when this instance answers /healthz on its own port.
const http = require("http");
const req = http.get({ host: "127.0.0.1", port: Number(process.env.start_port || 3000), path: "/healthz", timeout: 4000 }, (res) => {
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on("timeout", () => req.destroy(new Error("timeout")));
req.on("error", () => process.exit(1));
