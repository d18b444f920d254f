// The configuration reference, generated from the config schema and the app registry (the one
// source of every key, default and description): Pulumi.yaml's `config` declarations and
// docs/configuration.md. `npm run config:reference` rewrites both; a unit test fails when a
// committed copy disagrees with the schema.
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { parse, stringify } from "yaml";
import { layers, objectShape, unwrap } from "../config/app-definition";
import { PROGRAM_SECRETS, programSchema } from "../config/schema";
import { APPS } from "../stacks/registry";

const ROOT = path.resolve(__dirname, "..");
const NAMESPACE = "appstacks";
export const PULUMI_YAML = path.join(ROOT, "Pulumi.yaml");
export const REFERENCE_MD = path.join(ROOT, "docs", "configuration.md");

interface Field {
  readonly key: string;
  readonly type: "string" | "array" | "boolean" | "object" | "integer" | "number";
  readonly default: unknown;
  readonly description: string;
  readonly fields: readonly Field[];
}

/** Every key of the namespace with its type, default, description and (objects) nested keys. */
export function fields(schema: z.ZodTypeAny = programSchema(APPS)): Field[] {
  return Object.entries(objectShape(schema)).map(([key, s]) => field(key, s as z.ZodTypeAny));
}

function field(key: string, schema: z.ZodTypeAny): Field {
  const inner = unwrap(schema);
  const type = inner instanceof z.ZodBoolean ? "boolean"
    : inner instanceof z.ZodNumber ? (inner.isInt ? "integer" : "number")
    : inner instanceof z.ZodArray ? "array"
    : inner instanceof z.ZodObject || inner instanceof z.ZodRecord ? "object" : "string";
  const title = APPS.find((a) => a.name === key)?.title;
  const description = descriptionOf(schema) || (title ? `${title} settings: the keys below` : "");
  return { key, type, default: defaultOf(schema), description, fields: inner instanceof z.ZodObject ? fields(inner) : [] };
}

function defaultOf(schema: z.ZodTypeAny): unknown {
  const withDefault = layers(schema).find((s): s is z.ZodDefault<z.ZodTypeAny> => s instanceof z.ZodDefault);
  return withDefault?._def.defaultValue();
}

function descriptionOf(schema: z.ZodTypeAny): string {
  return layers(schema).find((s) => s.description)?.description ?? "";
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

type AnyConfigSecret = NonNullable<(typeof APPS)[number]["configSecrets"]>[number];

/** What a config secret is and when it must be set, the same words in Pulumi.yaml and the reference. */
function secretInWords(appName: string, s: AnyConfigSecret): string {
  return `${s.what}; ${s.requiredWhen ? `required when ${appName}.${s.requiredWhen.setting} asks for it` : "derived from the secret seed when unset"}`;
}

/** The secret keys an app reads, in words. */
function appSecrets(name: string): string[] {
  const app = APPS.find((a) => a.name === name);
  return (app?.configSecrets ?? []).map((s) => `${NAMESPACE}:${s.key} (${secretInWords(name, s)})`);
}

/** Pulumi.yaml's `config` section: each top-level key, its type, default and a one-paragraph description. */
export function pulumiYamlConfig(): Record<string, unknown> {
  return Object.fromEntries(fields().map((f) => {
    let description = f.description;
    if (f.fields.length > 0) {
      const keys = f.fields.map((n) => `${n.key} (${n.default === undefined ? "unset" : show(n.default)})`).join(", ");
      const secrets = appSecrets(f.key);
      description = `${description.replace(/: the keys below$/, "")}: ${keys}.${secrets.length ? ` Secret keys: ${secrets.join(", ")}.` : ""} See docs/configuration.md.`;
    }
    const declared: Record<string, unknown> = { type: f.type };
    if (f.type === "array") declared.items = { type: "string" };
    declared.default = f.default;
    declared.description = description;
    return [f.key, declared];
  }));
}

/** docs/configuration.md: every key, nested key, default and description, and the secret keys. */
export function referenceMarkdown(): string {
  const lines = [
    "# Configuration reference",
    "",
    "Generated from the config schema (`config/schema.ts`) and the app registry (`stacks/registry.ts`) by",
    "`npm run config:reference`; do not edit by hand. Set a value with",
    "`npm run pulumi -- config set --path 'appstacks:biostar.port' 8001`, a secret with `config set --secret`.",
    "",
    "| key | default | meaning |",
    "| --- | --- | --- |",
  ];
  const cell = (v: unknown) => (v === undefined ? "–" : `\`${show(v)}\``);
  const rows = (fs: readonly Field[], prefix: string) => {
    for (const f of fs) {
      lines.push(`| \`${prefix}${f.key}\` | ${cell(f.default)} | ${f.description.replace(/\|/g, "\\|")} |`);
      rows(f.fields, `${prefix}${f.key}.`);
    }
  };
  rows(fields(), `${NAMESPACE}:`);
  lines.push("", "## Secret keys", "", "| key | meaning |", "| --- | --- |");
  for (const s of PROGRAM_SECRETS) lines.push(`| \`${NAMESPACE}:${s.key}\` | ${s.what} |`);
  for (const app of APPS) {
    for (const s of app.configSecrets ?? []) {
      lines.push(`| \`${NAMESPACE}:${s.key}\` | ${app.title}: ${secretInWords(app.name, s)} |`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Pulumi.yaml with its config section regenerated (everything else as committed). */
export function pulumiYaml(current: string): string {
  const doc = parse(current) as Record<string, unknown>;
  return stringify({ ...doc, config: pulumiYamlConfig() }, { lineWidth: 0 });
}

if (require.main === module) {
  fs.writeFileSync(PULUMI_YAML, pulumiYaml(fs.readFileSync(PULUMI_YAML, "utf8")));
  fs.writeFileSync(REFERENCE_MD, referenceMarkdown());
  console.log(`wrote ${path.relative(ROOT, PULUMI_YAML)} and ${path.relative(ROOT, REFERENCE_MD)}`);
}
