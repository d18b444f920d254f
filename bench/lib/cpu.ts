// How busy the whole machine is, from /proc/stat: the share of all cores' time not idle (nor
// waiting on I/O) over a window. Used for the idle section: a deployment that does nothing.
import * as fs from "fs";

function sample(): { busy: number; total: number } {
  const [, ...fields] = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** Percent of all cores busy over the next `seconds`. */
export async function busyPercent(seconds: number): Promise<number> {
  const a = sample();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const b = sample();
  return b.total === a.total ? 0 : (100 * (b.busy - a.busy)) / (b.total - a.total);
}
