// A content hash of a build context, so an unchanged context means no rebuild (and so no
// container replacement), and any changed file means one. Synchronous: it runs while the program
// registers resources. Remembered by the files' stat (stat-cache.ts), so an unchanged context is
// not read again by every run.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { StatCache, statKey } from "./stat-cache";

/** Directory names never part of an image's context. */
const IGNORED = new Set([".git", "node_modules"]);

/** This checkout's remembered context hashes, beside the program's transpile cache. */
const CHECKOUT_CACHE = new StatCache(path.resolve(__dirname, "..", "node_modules", ".cache", "appstacks-context", "hashes.json"));

/** The context's hash, remembered (in `cache`) while no file under it changed. */
export function contextHash(dir: string, cache: StatCache = CHECKOUT_CACHE): string {
  const files = listFiles(dir);
  return cache.get(path.resolve(dir), statKey(files.map((f) => path.resolve(f))), () => hashFiles(dir, files));
}

function hashFiles(dir: string, files: readonly string[]): string {
  const hash = crypto.createHash("sha256");
  for (const file of files) {
    const rel = path.relative(dir, file).split(path.sep).join("/");
    const stat = fs.statSync(file);
    // Mode matters (an entrypoint losing its exec bit breaks the image); mtime does not.
    hash.update(`${rel}\0${stat.mode & 0o111 ? "x" : "-"}\0`);
    hash.update(fs.readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new Error(`build context ${dir} is not a directory`);
  }
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (IGNORED.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
