#!/usr/bin/env node
// Compares a provider plugin's generated schema.json with the npm SDK the program uses: every
// property name, its shape (scalar / list / map / nested object) and required-ness, for the
// provider config, the resources and the functions, recursively through nested types.
//
//   node scripts/toolchain/check-provider-names.js SCHEMA.json node_modules/@pulumi/docker [TOKEN...]
//
// Our docker and random plugins are our own bridge mappings (toolchain/provider-*), so this is
// how we know that what @pulumi/docker and @pulumi/random send is what the plugin expects.
// Prints one line per difference and "N passed, N failed" (one per resource/function checked);
// exits 1 when something differs. Tokens the SDK has but the schema lacks are listed as
// failures unless named with --allow-missing=TOKEN[,TOKEN].
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const args = process.argv.slice(2);
const allowMissing = new Set(
  args.filter((a) => a.startsWith('--allow-missing=')).flatMap((a) => a.slice(16).split(',')));
const [schemaPath, sdkDir, ...only] = args.filter((a) => !a.startsWith('--'));
if (!schemaPath || !sdkDir) {
  console.error('usage: check-provider-names.js SCHEMA.json SDK_DIR [TOKEN...] [--allow-missing=TOKEN,...]');
  process.exit(2);
}
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));

// --- the SDK side: interfaces of the .d.ts files, as {name: {optional, shape}} ---------------
const interfaces = {}; // "file.d.ts#Name" -> members
function loadDts(file) {
  const key = path.relative(sdkDir, file);
  if (interfaces[key]) return interfaces[key];
  const out = (interfaces[key] = {});
  if (!fs.existsSync(file)) return out;
  const src = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node, ns) => {
    if (ts.isModuleDeclaration(node) && node.body) {
      const inner = ns ? `${ns}.${node.name.text}` : node.name.text;
      ts.forEachChild(node.body, (n) => visit(n, inner));
      return;
    }
    if (ts.isInterfaceDeclaration(node) || ts.isClassDeclaration(node)) {
      const members = {};
      for (const m of node.members) {
        if (!m.name || !m.type || !(ts.isPropertySignature(m) || ts.isPropertyDeclaration(m))) continue;
        if (m.modifiers && m.modifiers.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) continue;
        members[m.name.getText(src).replace(/^"|"$/g, '')] = {
          optional: !!m.questionToken,
          shape: tsShape(m.type.getText(src)),
        };
      }
      out[(ns ? ns + '.' : '') + node.name.text] = members;
    }
    ts.forEachChild(node, (n) => visit(n, ns));
  };
  visit(src, '');
  return out;
}

// Reduce a TS type to a shape string: string, number, boolean, any, asset, X[] , map<X>, obj:Name.
function tsShape(t) {
  t = t.replace(/\s+/g, ' ').trim();
  let prev;
  do { // unwrap pulumi.Input<...> / pulumi.Output<...> from the inside out
    prev = t;
    t = t.replace(/pulumi\.(Input|Output)<([^<>]*)>/g, '$2');
  } while (t !== prev);
  t = t.replace(/ \| undefined/g, '').replace(/^\((.*)\)$/, '$1').trim();
  if (t.endsWith('[]')) return tsShape(t.slice(0, -2)) + '[]';
  const map = t.match(/^\{ ?\[key: string\]: (.*?);? ?\}$/);
  if (map) return `map<${tsShape(map[1])}>`;
  const obj = t.match(/^(?:inputs|outputs)\.(.+)$/);
  if (obj) return `obj:${obj[1]}`;
  if (/^enums\./.test(t) || /^"/.test(t)) return 'string';
  if (/Asset|Archive/.test(t)) return 'asset';
  if (t === 'any' || t === 'unknown') return 'any';
  return t; // string | number | boolean | something unusual (reported as is)
}

// --- the schema side -------------------------------------------------------------------------
function schemaShape(p) {
  if (p.$ref) {
    if (/pulumi\.json#\/Any/.test(p.$ref)) return 'any';
    if (/pulumi\.json#\/(Asset|Archive)/.test(p.$ref)) return 'asset';
    const tok = decodeURIComponent(p.$ref.replace(/^#\/types\//, ''));
    const t = schema.types && schema.types[tok];
    if (t && t.enum) return 'string';
    return `obj:${tokName(tok)}`;
  }
  switch (p.type) {
    case 'array': return schemaShape(p.items) + '[]';
    case 'object': return p.additionalProperties ? `map<${schemaShape(p.additionalProperties)}>` : 'any';
    case 'integer': return 'number';
    default: return p.type || 'any';
  }
}
// docker:index/ContainerHealthcheck:ContainerHealthcheck -> ContainerHealthcheck (modules:
// mod.Name); the SDK capitalises function types (getNetworkContainer -> GetNetworkContainer).
function tokName(tok) {
  const [, mod, n] = tok.split(':');
  const m = mod.split('/')[0];
  const name = n[0].toUpperCase() + n.slice(1);
  return m === 'index' ? name : `${m}.${name}`;
}

// --- comparison ------------------------------------------------------------------------------
const problems = [];
const seenTypes = new Set();
function compare(where, schemaProps, schemaRequired, sdkMembers, side, checkRequired) {
  if (!sdkMembers) { problems.push(`${where}: no matching interface in the SDK`); return; }
  const sNames = Object.keys(schemaProps || {});
  for (const n of Object.keys(sdkMembers)) {
    if (n === 'urn' || n === 'id' || n === '__pulumiType') continue;
    if (!sNames.includes(n)) problems.push(`${where}.${n}: the SDK has it, the schema does not`);
  }
  for (const n of sNames) {
    const m = sdkMembers[n];
    if (!m) { problems.push(`${where}.${n}: the schema has it, the SDK does not`); continue; }
    const s = schemaShape(schemaProps[n]);
    if (s !== m.shape) problems.push(`${where}.${n}: shape differs: schema ${s}, SDK ${m.shape}`);
    if (checkRequired) {
      const req = (schemaRequired || []).includes(n);
      if (req === m.optional) problems.push(`${where}.${n}: schema says ${req ? 'required' : 'optional'}, SDK says ${m.optional ? 'optional' : 'required'}`);
    }
    // Recurse into nested object types (through lists and maps).
    const inner = s.match(/obj:([A-Za-z0-9_.]+)/);
    if (inner) {
      const tok = Object.keys(schema.types || {}).find((k) => tokName(k) === inner[1]);
      const key = `${side}:${inner[1]}`;
      if (tok && !seenTypes.has(key)) {
        seenTypes.add(key);
        const t = schema.types[tok];
        const file = path.join(sdkDir, 'types', side === 'in' ? 'input.d.ts' : 'output.d.ts');
        compare(`${where}.${n}{${inner[1]}}`, t.properties, t.required, loadDts(file)[inner[1]], side, side === 'in');
      }
    }
  }
}

// Collect tokens the SDK registers: __pulumiType of classes and invoke tokens of functions.
const sdkTokens = new Map(); // token -> file base name
for (const f of fs.readdirSync(sdkDir)) {
  if (!f.endsWith('.js')) continue;
  const text = fs.readFileSync(path.join(sdkDir, f), 'utf8');
  for (const m of text.matchAll(/(?:__pulumiType = |invoke(?:Output|Single)?\()\s*["']([a-z]+:[^"']+)["']/g)) {
    if (!sdkTokens.has(m[1])) sdkTokens.set(m[1], f.replace(/\.js$/, ''));
  }
}

let passed = 0, failed = 0;
const check = (label, fn) => {
  const before = problems.length;
  fn();
  if (problems.length === before) passed++; else failed++;
};

if (only.length === 0 || only.includes('provider')) {
  check('provider', () => {
    const p = schema.provider || {};
    compare('provider(args)', p.inputProperties, p.requiredInputs, loadDts(path.join(sdkDir, 'provider.d.ts')).ProviderArgs, 'in', true);
  });
}
for (const [tok, base] of sdkTokens) {
  if (only.length && !only.includes(tok)) continue;
  const file = path.join(sdkDir, base + '.d.ts');
  const dts = loadDts(file);
  const name = tok.split(':')[2];
  const res = schema.resources && schema.resources[tok];
  const fn = schema.functions && schema.functions[tok];
  if (!res && !fn) {
    if (allowMissing.has(tok) || allowMissing.has(name)) { console.log(`skipped ${tok} (allowed to be missing)`); continue; }
    check(tok, () => problems.push(`${tok}: the SDK uses it, the schema has no such resource or function`));
    continue;
  }
  check(tok, () => {
    if (res) {
      compare(`${name}(args)`, res.inputProperties, res.requiredInputs, dts[`${name}Args`], 'in', true);
      compare(`${name}(state)`, res.properties, res.required, dts[`${name}State`] || dts[name], 'out', false);
    } else {
      const cap = name[0].toUpperCase() + name.slice(1);
      if (fn.inputs) compare(`${name}(args)`, fn.inputs.properties, fn.inputs.required, dts[`${cap}Args`], 'in', true);
      const outs = fn.outputs && (fn.outputs.properties || (fn.outputs.$ref ? null : {}));
      if (outs) compare(`${name}(result)`, outs, fn.outputs.required, dts[`${cap}Result`], 'out', false);
    }
  });
}
for (const p of problems) console.log('DIFF ' + p);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
