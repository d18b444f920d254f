// Timeline of one cold deploy (ours or compose) from docker events: when each container was
// created, started, turned healthy or exited, relative to the command's start. For finding where
// a deploy's time goes; not part of the benchmark's results.
//   npx ts-node --transpile-only bench/timeline.ts biostar ours|compose
import { spawn } from "child_process";
import * as os from "os";
import * as path from "path";
import { APPS, composeServices } from "./apps";
import { removeLabelled, waitReady } from "./lib/docker";
import { appStack, destroy, remove, up } from "./lib/ours";
import { buildComposeImages, composeProject } from "./phases";
import { freePortsFor } from "../support/net";

async function main() {
  const [appName, tool] = process.argv.slice(2);
  const app = APPS.find((a) => a.name === appName)!;
  await buildComposeImages(app);
  const ports = await freePortsFor(app.ports);
  const log = path.join(os.tmpdir(), `timeline-${Date.now()}.log`);
  let raw = "";
  const ev = spawn("docker", ["events", "--format", "{{.TimeNano}} {{.Type}}:{{.Action}} {{index .Actor.Attributes \"name\"}}{{index .Actor.Attributes \"container\"}}"]);
  ev.stdout.on("data", (b) => { raw += String(b); });
  await new Promise((r) => setTimeout(r, 500));
  let t0 = 0, tCmd = 0, tReady = 0;
  if (tool === "ours") {
    const t = await appStack(`tl-${app.name}`, app.ours(ports, false));
    try {
      t0 = Date.now();
      await up(t, log);
      tCmd = Date.now();
      await waitReady(t.runId, app.services, app.jobs);
      tReady = Date.now();
      await destroy(t, log);
    } finally {
      await remove(t, log);
      await removeLabelled(t.runId);
    }
  } else {
    const { p, runId, cleanUp } = composeProject(app, "tl", ports);
    try {
      t0 = Date.now();
      await p.up();
      tCmd = Date.now();
      await waitReady(runId, composeServices(app), app.jobs);
      tReady = Date.now();
      await p.down();
    } finally {
      await cleanUp();
    }
  }
  ev.kill();
  const rel = (ms: number) => ((ms - t0) / 1000).toFixed(2).padStart(6);
  for (const e of raw.split("\n")) {
    const [ns, ...rest] = e.split(" ");
    if (!/^\d+$/.test(ns) || /exec_|extract-to-dir/.test(rest[0] ?? "")) continue;
    const ms = Number(BigInt(ns) / 1000000n);
    if (ms > tReady + 200) continue;
    console.log(`${rel(ms)}  ${rest.join(" ")}`);
  }
  console.log(`${rel(tCmd)}  command returned`);
  console.log(`${rel(tReady)}  all ready`);
  console.log(`engine log: ${log}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
