// What the numbers were taken on: recorded with every result.
import * as os from "os";
import * as fs from "fs";
import { cli } from "./docker";
import { composeVersion } from "./compose";
import { Machine } from "./results";

export async function machineInfo(): Promise<Machine> {
  const osRelease = fs.existsSync("/etc/os-release") ? fs.readFileSync("/etc/os-release", "utf8") : "";
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? `${os.type()} ${os.release()}`;
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: pretty,
    dockerVersion: await cli("docker", ["version", "--format", "{{.Server.Version}}"]).catch(() => "unknown"),
    composeVersion: await composeVersion(),
    pulumiVersion: (await cli("pulumi", ["version"]).catch(() => "unknown")).replace(/^v/, ""),
    nodeVersion: process.versions.node,
    loadAverage: { start: loadNow() },
  };
}

export function loadNow(): number {
  return Math.round(os.loadavg()[0] * 100) / 100;
}
