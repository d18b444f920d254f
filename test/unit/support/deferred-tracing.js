// Run in a fresh Node process by program-start.test.ts: the SDK's runner tracing as it runs after
// program-start/preload.js. Spans without a collector (every run), then `start(url)` as a
// `pulumi up --tracing URL` run calls it, with a Zipkin collector on a local port that records
// what it receives. Prints what had loaded when, and the span names the collector got.
"use strict";
const http = require("http");
const path = require("path");
const ROOT = path.resolve(__dirname, "../../..");
const { deferSdkModules } = require(path.join(ROOT, "program-start/deferred-sdk-modules"));

const name = (d) => path.relative(path.join(ROOT, "node_modules"), d.file);
const deferred = deferSdkModules(ROOT).filter((d) => name(d).startsWith("@opentelemetry/"));
const loadedNow = () => Object.fromEntries(deferred.map((d) => [name(d).split("/build/")[0], d.loaded()]));
const sdk = path.dirname(require.resolve("@pulumi/pulumi", { paths: [ROOT] }));
const tracing = require(path.join(sdk, "cmd/run/tracing.js"));
const afterLoad = loadedNow();
tracing.newSpan("language-runtime.untraced").end();
const afterUntracedSpan = loadedNow();

const received = [];
const collector = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    for (const span of JSON.parse(body)) received.push(span.name);
    res.writeHead(202).end();
    if (received.includes("language-runtime.traced")) finish();
  });
});
const finish = () => {
  collector.close();
  console.log(JSON.stringify({ afterLoad, afterUntracedSpan, afterStart, received }));
};
let afterStart;
collector.listen(0, "127.0.0.1", () => {
  tracing.start(`http://127.0.0.1:${collector.address().port}/api/v2/spans`);
  afterStart = loadedNow();
  tracing.newSpan("language-runtime.traced").end();
});
setTimeout(() => { console.log(JSON.stringify({ afterLoad, afterUntracedSpan, afterStart, received, timedOut: true })); process.exit(0); }, 10000).unref();
