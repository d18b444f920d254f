// npm run preview:report -- --stack <name> [--out FILE] [--save-json FILE] [--from-json FILE [--from-events FILE]] [-- <preview flags>]
//
// Runs `pulumi preview --json` on the stack through scripts/pulumi.sh (the pinned CLI, the
// project's backend and passphrase, unless the environment sets others) and prints the Markdown
// report of review/preview-report.ts. --from-json renders a saved preview instead of running one;
// --save-json keeps the engine's JSON (how test/fixtures/preview/ were recorded). Flags after a
// second `--` go to `pulumi preview` (e.g. --policy-pack policy). Policy violations are read from
// the engine's event log (`--json` leaves them out in CLI 3.248.0; --event-log needs
// PULUMI_DEBUG_COMMANDS). Exits non-zero when the preview failed, after printing the report
// (which lists the violations and errors). Under each app the preview changes it adds that app's
// topology diagram, from this checkout's spec and the settings in Pulumi.<stack>.yaml.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import * as os from "os";
import { PolicyEvent, policyEventsOf, PreviewJson, renderReport } from "../review/preview-report";
import { stackDiagrams } from "./topology-diagrams";

const ROOT = path.resolve(__dirname, "..");

function main(): number {
  const sep = process.argv.indexOf("--", 2);
  const own = sep < 0 ? process.argv.slice(2) : process.argv.slice(2, sep);
  const extra = sep < 0 ? [] : process.argv.slice(sep + 1);
  const { values } = parseArgs({
    args: own,
    options: {
      stack: { type: "string" }, out: { type: "string" }, "save-json": { type: "string" }, "from-json": { type: "string" }, "from-events": { type: "string" },
    },
  });
  const stack = values.stack ?? process.env.PULUMI_STACK;
  if (!stack) {
    process.stderr.write("preview:report: --stack is required (e.g. npm run preview:report -- --stack dev)\n");
    return 2;
  }

  let json: string;
  let policy: PolicyEvent[] = [];
  let failed = false;
  if (values["from-json"]) {
    json = fs.readFileSync(values["from-json"], "utf8");
    if (values["from-events"]) policy = policyEventsOf(fs.readFileSync(values["from-events"], "utf8"));
  } else {
    const events = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "appstacks-preview-")), "events.jsonl");
    // The engine's progress and errors go to stderr as usual; stdout is the JSON document.
    const run = spawnSync("bash", [path.join(ROOT, "scripts", "pulumi.sh"), "preview", "--json", "--non-interactive", "--event-log", events, "--stack", stack, ...extra], {
      cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, PULUMI_DEBUG_COMMANDS: "true" },
    });
    json = run.stdout ?? "";
    failed = run.status !== 0;
    if (fs.existsSync(events)) policy = policyEventsOf(fs.readFileSync(events, "utf8"));
    fs.rmSync(path.dirname(events), { recursive: true, force: true });
    if (json.trim() === "") {
      process.stderr.write(`preview:report: pulumi preview printed no JSON (exit ${run.status}): see the errors above\n`);
      return 1;
    }
  }
  if (values["save-json"]) fs.writeFileSync(values["save-json"], json);

  const report = renderReport(JSON.parse(json) as PreviewJson, stack, policy, stackDiagrams(stack));
  if (values.out) fs.writeFileSync(values.out, report);
  else process.stdout.write(report);
  return failed ? 1 : 0;
}

process.exitCode = main();
