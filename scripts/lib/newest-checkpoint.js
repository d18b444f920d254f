// node newest-checkpoint.js BACKEND_DIR PROJECT STACK: the newest copy of the stack's checkpoint
// that parses, from the file backend's own copies: <stack>.json.bak (the state before the last
// write), history/<project>/<stack>/*.checkpoint.json (each update's end) and
// backups/<project>/<stack>/*.json. Prints "PATH<TAB>ISO-TIME", or nothing when none parses.
const fs = require("fs");
const path = require("path");
const [backend, project, stack] = process.argv.slice(2);
const root = path.join(backend, ".pulumi");
const inDir = (dir, test) => {
  try { return fs.readdirSync(dir).filter(test).map((f) => path.join(dir, f)); } catch { return []; }
};
const candidates = [
  path.join(root, "stacks", project, `${stack}.json.bak`),
  ...inDir(path.join(root, "history", project, stack), (f) => f.endsWith(".checkpoint.json")),
  ...inDir(path.join(root, "backups", project, stack), (f) => f.endsWith(".json")),
].filter((f) => fs.existsSync(f))
  .map((f) => ({ f, mtime: fs.statSync(f).mtimeMs }))
  .sort((a, b) => b.mtime - a.mtime);
for (const { f, mtime } of candidates) {
  try {
    const doc = JSON.parse(fs.readFileSync(f, "utf8"));
    if (typeof doc.version === "number" && doc.checkpoint && typeof doc.checkpoint === "object") {
      console.log(`${f}\t${new Date(mtime).toISOString()}`);
      process.exit(0);
    }
  } catch {
    // torn or empty: try the next
  }
}
