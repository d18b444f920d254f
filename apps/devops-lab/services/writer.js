// The seed's file-IO writer: appends a line of random text to a file now and every
// WRITE_INTERVAL_SECONDS (the seed's: 120), and serves the file over TCP with the seed's socat
// command. socat runs as a child; if it dies, the container exits and its restart policy applies.
"use strict";
const fs = require("fs");
const crypto = require("crypto");
const { spawn } = require("child_process");

const FILE = process.env.FILE || "/data/random";
const PORT = Number(process.env.PORT || 7000);
const INTERVAL = Number(process.env.WRITE_INTERVAL_SECONDS || 120);

fs.mkdirSync(require("path").dirname(FILE), { recursive: true });
const write = () => fs.appendFileSync(FILE, `${new Date().toISOString()} ${crypto.randomBytes(12).toString("hex")}\n`);
write();
setInterval(write, INTERVAL * 1000);

const socat = spawn("socat", [`TCP-LISTEN:${PORT},fork,reuseaddr,crlf`, `OPEN:${FILE},rdonly`], { stdio: "inherit" });
socat.on("exit", (code) => {
  console.error(`socat exited with ${code}`);
  process.exit(1);
});
const stop = () => { socat.kill("SIGTERM"); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
console.log(`writing ${FILE} every ${INTERVAL} s, serving it on ${PORT}`);
