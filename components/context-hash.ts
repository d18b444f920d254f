// A content hash of a build context, so an unchanged context means no rebuild (and so no
// container replacement), and any changed file means one. Pure and synchronous: it runs while
// the program registers resources.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Directory names never part of an image's context. */
const IGNORED = new Set([".git", "node_modules"]);

export function contextHash(dir: string): string {
  const hash = crypto.createHash("sha256");
  for (const file of listFiles(dir)) {
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
