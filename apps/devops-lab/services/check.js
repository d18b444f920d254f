// Health checks of the lab's services, in Node (the image has no curl):
//   node check.js http PORT [PATH]   healthy when GET answers 200
//   node check.js tcp PORT           healthy when the port accepts a connection
//   node check.js file PATH          healthy when the file exists
"use strict";
const [kind, a, b] = process.argv.slice(2);
const fail = () => process.exit(1);
setTimeout(fail, 4000).unref();
if (kind === "http") {
  require("http").get({ host: "127.0.0.1", port: Number(a), path: b || "/healthz" }, (res) => process.exit(res.statusCode === 200 ? 0 : 1)).on("error", fail);
} else if (kind === "tcp") {
  const s = require("net").connect(Number(a), "127.0.0.1", () => { s.destroy(); process.exit(0); });
  s.on("error", fail);
} else if (kind === "file") {
  process.exit(require("fs").existsSync(a) ? 0 : 1);
} else {
  console.error(`unknown check ${kind}`);
  fail();
}
