// docs/architecture.md's picture is kept true: every file it names exists, every file of the
// program's folders is named, and imports only run down the layers it draws.
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const LAYERS = ["index.ts", "stacks", "config", "components"]; // top to bottom

/** The paths the picture names: indentation nests a file under the folder lines above it. */
function pictured(): string[] {
  const doc = fs.readFileSync(path.join(ROOT, "docs/architecture.md"), "utf8");
  const block = doc.split("```")[1];
  const dirs: { indent: number; name: string }[] = [];
  const paths: string[] = [];
  for (const line of block.split("\n")) {
    const m = /^( *)([\w./-]+\/|[\w./-]+\.ts)(\s|$)/.exec(line);
    if (!m) continue;
    const indent = m[1].length;
    while (dirs.length > 0 && dirs[dirs.length - 1].indent >= indent) dirs.pop();
    const full = [...dirs.map((d) => d.name), m[2]].join("");
    if (m[2].endsWith("/")) dirs.push({ indent, name: m[2] });
    paths.push(full.replace(/\/$/, ""));
  }
  return paths;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(`${dir}/${e.name}`) : e.name.endsWith(".ts") ? [`${dir}/${e.name}`] : []);
}

const layerOf = (file: string) => LAYERS.findIndex((l) => file === l || file.startsWith(`${l}/`));

test("every path in the picture exists", () => {
  const missing = pictured().filter((p) => !fs.existsSync(path.join(ROOT, p)));
  expect(missing).toEqual([]);
});

test("every file of index.ts, stacks/, config/ and components/ is in the picture", () => {
  const named = new Set(pictured());
  const program = ["index.ts", ...tsFiles("stacks"), ...tsFiles("config"), ...tsFiles("components")];
  expect(program.filter((f) => !named.has(f))).toEqual([]);
});

test("no import runs back up a layer", () => {
  const program = ["index.ts", ...tsFiles("stacks"), ...tsFiles("config"), ...tsFiles("components")];
  const upward: string[] = [];
  for (const file of program) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    for (const m of text.matchAll(/(?:from |import\(|require\()"(\.[^"]+)"/g)) {
      const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[1])).replace(/\.ts$/, "") + ".ts";
      const t = layerOf(target);
      if (t !== -1 && t < layerOf(file)) upward.push(`${file} imports ${target}`);
    }
  }
  expect(upward).toEqual([]);
});
