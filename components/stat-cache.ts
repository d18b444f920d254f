// Values computed from files, remembered by the files' stat the way git's index remembers them:
// while every file's path, size, inode, mtime and ctime are unchanged its content is too, so a
// run need not read a large build context again (WattRex's manager context holds 36 MB of wheels:
// 50 ms of every run). Never stale: ctime cannot be set by a user and moves on every write, and
// nothing is remembered for files changed within the last second, because two writes inside one
// clock tick of the file system can leave the same times ("racily clean" in git's words).
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** How long files must have been left alone before a value computed from them is remembered. */
const SETTLE_MS = 1000;

/**
 * How many values are kept. Past it, those of directories that are gone (tests make a build
 * context per run) go first, then the oldest.
 */
const MAX_ENTRIES = 256;

type Entry = { key: string; value: string; storedAt: number };

/** What identifies a set of files' contents without reading them, and when they last changed. */
export interface StatKey {
  readonly key: string;
  /** The latest mtime or ctime among the files, in ms. */
  readonly newestMs: number;
}

/** The stat key of `files` (absolute paths), in the order given. */
export function statKey(files: readonly string[]): StatKey {
  const hash = crypto.createHash("sha256");
  let newest = 0n;
  for (const file of files) {
    const s = fs.statSync(file, { bigint: true });
    hash.update(`${file}\0${s.mode}\0${s.size}\0${s.dev}\0${s.ino}\0${s.mtimeNs}\0${s.ctimeNs}\0`);
    for (const t of [s.mtimeNs, s.ctimeNs]) if (t > newest) newest = t;
  }
  return { key: hash.digest("hex"), newestMs: Number(newest / 1_000_000n) };
}

export class StatCache {
  private entries: Record<string, Entry> | undefined;

  /**
   * @param store the JSON file kept between runs; undefined keeps nothing
   * @param now the clock the settle time is measured on (tests move it)
   */
  constructor(private readonly store: string | undefined, private readonly now: () => number = Date.now) {}

  /** The value remembered under `name` for exactly these stats, else `compute()` (remembered once the files have settled). */
  get(name: string, stats: StatKey, compute: () => string): string {
    const known = this.load()[name];
    if (known?.key === stats.key) return known.value;
    const value = compute();
    if (this.now() - stats.newestMs > SETTLE_MS) {
      this.load()[name] = { key: stats.key, value, storedAt: this.now() };
      this.save();
    }
    return value;
  }

  /** Write-aside and rename: a reader never sees half a file. Best effort. */
  private save(): void {
    if (!this.store) return;
    try {
      fs.mkdirSync(path.dirname(this.store), { recursive: true });
      const entries = this.entries ?? {};
      if (Object.keys(entries).length > MAX_ENTRIES) {
        for (const name of Object.keys(entries)) if (!fs.existsSync(name)) delete entries[name];
        const names = Object.keys(entries).sort((x, y) => (entries[x].storedAt ?? 0) - (entries[y].storedAt ?? 0));
        for (const name of names.slice(0, Math.max(0, names.length - MAX_ENTRIES))) delete entries[name];
      }
      const partial = `${this.store}.${process.pid}.partial`;
      fs.writeFileSync(partial, JSON.stringify(this.entries));
      fs.renameSync(partial, this.store);
    } catch {
      // A read-only checkout only loses the speed-up.
    }
  }

  private load(): Record<string, Entry> {
    if (this.entries) return this.entries;
    this.entries = {};
    if (this.store) {
      try {
        const parsed: unknown = JSON.parse(fs.readFileSync(this.store, "utf8"));
        if (parsed && typeof parsed === "object") this.entries = parsed as Record<string, Entry>;
      } catch {
        // No store yet, or an unreadable one: start empty.
      }
    }
    return this.entries;
  }
}
