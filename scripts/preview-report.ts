// npm run preview:report -- --stack <name> [--out FILE] [--save-json FILE] [--from-json FILE] [-- <preview flags>]
//
// Runs `pulumi preview --json` on the stack through scripts/pulumi.sh (the pinned CLI, the
// project's backend and passphrase, unless the environment sets others) and prints the Markdown
// report of review/preview-report.ts. --from-json renders a saved preview instead of running one;
// --save-json keeps the engine's JSON (how test/fixtures/preview/ were recorded). Flags after a
// second `--` go to `pulumi preview` (e.g. --policy-pack policy). Exits non-zero when the preview
// failed, after printing the report (which lists the errors).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { PreviewJson, renderReport } from "../review/preview-report";

const ROOT = path.resolve(__dirname, "..");

function main(): number {
  const sep = process.argv.indexOf("--", 2);
  const own = sep < 0 ? process.argv.slice(2) : process.argv.slice(2, sep);
  const extra = sep < 0 ? [] : process.argv.slice(sep + 1);
  const { values } = parseArgs({
    args: own,
    options: { stack: { type: "string" }, out: { type: "string" }, "save-json": { type: "string" }, "from-json": { type: "string" } },
  });
  const stack = values.stack ?? process.env.PULUMI_STACK;
  if (!stack) {
    process.stderr.write("preview:report: --stack is required (e.g. npm run preview:report -- --stack dev)\n");
    return 2;
  }

  let json: string;
  let failed = false;
  if (values["from-json"]) {
    json = fs.readFileSync(values["from-json"], "utf8");
  } else {
    // The engine's progress and errors go to stderr as usual; stdout is the JSON document.
    const run = spawnSync("bash", [path.join(ROOT, "scripts", "pulumi.sh"), "preview", "--json", "--non-interactive", "--stack", stack, ...extra], {
      cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 256 * 1024 * 1024,
    });
    json = run.stdout ?? "";
    failed = run.status !== 0;
    if (json.trim() === "") {
      process.stderr.write(`preview:report: pulumi preview printed no JSON (exit ${run.status}): see the errors above\n`);
      return 1;
    }
  }
  if (values["save-json"]) fs.writeFileSync(values["save-json"], json);

  const report = renderReport(JSON.parse(json) as PreviewJson, stack);
  if (values.out) fs.writeFileSync(values.out, report);
  else process.stdout.write(report);
  return failed ? 1 : 0;
}

process.exitCode = main();
