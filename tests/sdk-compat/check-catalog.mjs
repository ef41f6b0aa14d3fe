// Checks the model catalog (src/Reelay.Server/Features/Catalog/default-catalog.json, or the file given as
// the first argument) for the mistakes docs/catalog.md forbids, and compares its three video endpoints with the
// request types of the official Runway SDK (@runwayml/sdk, src/resources/{image,text,video}-to-video.ts).
//
//   node tests/sdk-compat/check-catalog.mjs [catalog.json]
//
// The SDK is looked up in tests/sdk-compat/node_modules/@runwayml/sdk (npm install there) or in $RUNWAY_SDK_DIR;
// without it only the catalog's own consistency is checked. Plain node, no dependencies. Exit code 1 on problems.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const catalogPath = resolve(process.argv[2] ?? join(here, '../../src/Reelay.Server/Features/Catalog/default-catalog.json'));
const catalog = JSON.parse(readFileSync(catalogPath, 'utf8'));
const defs = catalog.definitions ?? {};
const problems = [];
const problem = (where, text) => problems.push(`${where}: ${text}`);

const SHAPE_KEYS = {
  common: ['description', 'default'],
  string: ['minLength', 'maxLength', 'pattern', 'media', 'role', 'roleFrom', 'timeFrom', 'fractionFrom', 'minSeconds', 'maxSeconds', 'minSide', 'aspect'],
  integer: ['minimum', 'maximum'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'],
  boolean: [],
  object: ['properties', 'required', 'rules'],
  array: ['items', 'minItems', 'maxItems', 'uniqueBy', 'mustContain', 'allOrNone', 'maxTotalSeconds'],
};
const ROLES = ['first', 'last', 'reference', 'keyframe', 'source', 'character', 'driver'];
const ENDPOINTS = ['image_to_video', 'text_to_video', 'video_to_video', 'sora_generate'];

/** A schema with its $ref chain applied (keys beside $ref override the definition's). */
function resolveSchema(schema, where, seen = []) {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) {
    problem(where, 'a schema must be a JSON object');
    return {};
  }
  if (!('$ref' in schema)) return schema;
  const { $ref, ...overrides } = schema;
  if (seen.includes($ref)) {
    problem(where, `$ref cycle ${[...seen, $ref].join(' -> ')}`);
    return overrides;
  }
  if (!(typeof $ref === 'string' && Object.hasOwn(defs, $ref))) {
    problem(where, `$ref '${$ref}' names no definition`);
    return overrides;
  }
  return { ...resolveSchema(defs[$ref], `${where} ($ref ${$ref})`, [...seen, $ref]), ...overrides };
}

function checkCondition(cond, names, where) {
  if (!cond || typeof cond !== 'object' || Array.isArray(cond)) return problem(where, 'a condition must be an object');
  for (const [key, value] of Object.entries(cond)) {
    if (key === '$pixelsAbove') {
      if (typeof value !== 'number') problem(where, '$pixelsAbove must be a number');
      continue;
    }
    if (!names.includes(key)) problem(where, `names '${key}', which is not a field`);
    if (!(value === true || value === false || Array.isArray(value))) problem(where, `'${key}' must be true, false or a list of values`);
  }
}

function checkRules(rules, props, where) {
  if (rules === undefined) return;
  if (!Array.isArray(rules)) return problem(where, 'rules must be an array');
  const names = Object.keys(props ?? {});
  rules.forEach((rule, i) => {
    const w = `${where} rules[${i}]`;
    if (rule.when !== undefined || rule.require !== undefined) {
      checkCondition(rule.when, names, `${w}.when`);
      checkCondition(rule.require, names, `${w}.require`);
      for (const [key, value] of Object.entries(rule.require ?? {}))
        if (Array.isArray(value)) checkValuesAllowed(props[key], value, `${w}.require.${key}`);
    } else if (rule.atMostOne || rule.exactlyOne) {
      for (const name of rule.atMostOne ?? rule.exactlyOne) if (!names.includes(name)) problem(w, `names '${name}', which is not a field`);
    } else problem(w, 'is neither when/require, atMostOne nor exactlyOne');
  });
}

/** Values a schema can take when it is a closed set (enum, const, or anyOf of those), else null. */
function closedValues(schema, where) {
  if (!schema) return null;
  const s = resolveSchema(schema, where);
  if (s.enum) return s.enum;
  if ('const' in s) return [s.const];
  if (s.anyOf) {
    const all = [];
    for (const branch of s.anyOf) {
      const v = closedValues(branch, where);
      if (v === null) return null;
      all.push(...v);
    }
    return all;
  }
  if (s.type === 'boolean') return [true, false];
  return null;
}

function checkValuesAllowed(schema, values, where) {
  if (!schema) return;
  for (const value of values) if (!valueFits(schema, value, where)) problem(where, `value ${JSON.stringify(value)} is not allowed by the field`);
}

function valueFits(schema, value, where) {
  const s = resolveSchema(schema, where);
  if (s.anyOf) return s.anyOf.some((b) => valueFits(b, value, where));
  if (s.enum) return s.enum.includes(value);
  if ('const' in s) return s.const === value;
  if (s.type === 'boolean') return typeof value === 'boolean';
  if (s.type === 'string') return typeof value === 'string';
  if (s.type === 'integer' || s.type === 'number')
    return typeof value === 'number' && (s.type === 'number' || Number.isInteger(value)) && value >= s.minimum && value <= s.maximum;
  return true;
}

function checkSchema(schema, where, depth = 0, definition = false) {
  if (depth > 30) return problem(where, 'nested too deeply');
  const s = resolveSchema(schema, where);
  const kind = s.anyOf ? 'anyOf' : s.enum ? 'enum' : 'const' in s ? 'const' : s.type;
  if (kind === undefined) return problem(where, 'has no type, enum, const or anyOf');
  if (typeof s.description !== 'undefined' && typeof s.description !== 'string') problem(where, 'description must be a string');
  const allowed = new Set([...SHAPE_KEYS.common, ...(SHAPE_KEYS[kind] ?? []), kind === 'anyOf' || kind === 'enum' || kind === 'const' ? kind : 'type']);
  for (const key of Object.keys(s)) if (!allowed.has(key)) problem(where, `key '${key}' does not belong to a ${kind} schema`);
  switch (kind) {
    case 'anyOf':
      if (!Array.isArray(s.anyOf) || s.anyOf.length < 2) problem(where, 'anyOf needs at least two branches');
      else s.anyOf.forEach((b, i) => checkSchema(b, `${where}.anyOf[${i}]`, depth + 1));
      break;
    case 'enum':
      if (!Array.isArray(s.enum) || s.enum.length === 0) problem(where, 'enum must be a non-empty list');
      else {
        const types = new Set(s.enum.map((v) => typeof v));
        if (types.size !== 1 || !(types.has('string') || types.has('number'))) problem(where, 'enum values must be all strings or all numbers');
        if (new Set(s.enum).size !== s.enum.length) problem(where, 'enum has a repeated value');
      }
      break;
    case 'const':
      if (!['string', 'number', 'boolean'].includes(typeof s.const)) problem(where, 'const must be a string, number or boolean');
      break;
    case 'integer':
    case 'number':
      if (typeof s.minimum !== 'number' && typeof s.exclusiveMinimum !== 'number') problem(where, `${kind} has no minimum`);
      if (typeof s.maximum !== 'number' && typeof s.exclusiveMaximum !== 'number') problem(where, `${kind} has no maximum`);
      if (s.minimum > s.maximum) problem(where, 'minimum is above maximum');
      if (kind === 'integer' && [s.minimum, s.maximum].some((b) => b !== undefined && !Number.isInteger(b))) problem(where, 'integer bounds must be integers');
      break;
    case 'string':
      if (s.media !== undefined && !['image', 'video', 'audio'].includes(s.media)) problem(where, `media '${s.media}' is unknown`);
      if (s.media === undefined)
        for (const key of ['role', 'roleFrom', 'timeFrom', 'fractionFrom', 'minSeconds', 'maxSeconds', 'minSide', 'aspect'])
          if (key in s) problem(where, `'${key}' needs a media string`);
      if (!definition && s.media !== undefined && s.role === undefined && s.roleFrom === undefined) problem(where, 'media string without role or roleFrom (a definition may leave it to its uses)');
      if (s.role !== undefined && !ROLES.includes(s.role)) problem(where, `role '${s.role}' is unknown`);
      if (s.minLength > s.maxLength) problem(where, 'minLength is above maxLength');
      break;
    case 'boolean':
      break;
    case 'object': {
      const props = s.properties ?? {};
      if (typeof props !== 'object' || Array.isArray(props)) problem(where, 'properties must be an object');
      for (const name of s.required ?? []) if (!Object.hasOwn(props, name)) problem(where, `required '${name}' is not a property`);
      for (const [name, prop] of Object.entries(props)) {
        checkSchema(prop, `${where}.${name}`, depth + 1);
        const p = resolveSchema(prop, `${where}.${name}`);
        for (const key of ['roleFrom', 'timeFrom', 'fractionFrom'])
          if (p[key] !== undefined && !Object.hasOwn(props, p[key])) problem(`${where}.${name}`, `${key} '${p[key]}' is not a sibling property`);
      }
      checkRules(s.rules, props, where);
      break;
    }
    case 'array': {
      if (!s.items) problem(where, 'array without items');
      else checkSchema(s.items, `${where}[]`, depth + 1);
      if (s.minItems > s.maxItems) problem(where, 'minItems is above maxItems');
      const item = s.items ? resolveSchema(s.items, `${where}[]`) : {};
      const itemProps = item.anyOf
        ? Object.assign({}, ...item.anyOf.map((b) => resolveSchema(b, `${where}[]`).properties ?? {}))
        : item.properties ?? {};
      for (const key of ['uniqueBy', 'allOrNone'])
        if (s[key] !== undefined && !Object.hasOwn(itemProps, s[key])) problem(where, `${key} '${s[key]}' is not a property of the items`);
      for (const key of Object.keys(s.mustContain ?? {}))
        if (!Object.hasOwn(itemProps, key)) problem(where, `mustContain '${key}' is not a property of the items`);
      break;
    }
    default:
      problem(where, `type '${kind}' is unknown`);
  }
}

// ---------- the catalog itself ----------
for (const [name, schema] of Object.entries(defs)) checkSchema(schema, `definitions.${name}`, 0, true);
if (!Array.isArray(catalog.models) || catalog.models.length === 0) problem('catalog', 'lists no models');
const ids = new Set();
for (const m of catalog.models ?? []) {
  const mw = `model '${m.id}'`;
  if (ids.has(m.id)) problem(mw, 'is listed twice');
  ids.add(m.id);
  if (!(m.engine === 'preview' || m.engine === 'noop' || /^pool:[A-Za-z0-9._-]+$/.test(m.engine ?? ''))) problem(mw, `engine '${m.engine}' is unknown`);
  if (!m.endpoints || Object.keys(m.endpoints).length === 0) problem(mw, 'serves no endpoint');
  for (const [name, e] of Object.entries(m.endpoints ?? {})) {
    const w = `${mw} ${name}`;
    if (!ENDPOINTS.includes(name)) problem(w, 'endpoint is unknown');
    for (const key of ['output', 'fields', 'required', 'price']) if (e[key] === undefined) problem(w, `has no ${key}`);
    const fields = e.fields ?? {};
    if ('model' in fields) problem(w, "'model' must not be a field");
    for (const [f, schema] of Object.entries(fields)) checkSchema(schema, `${w} field ${f}`);
    for (const [f, schema] of Object.entries(fields))
      if (typeof resolveSchema(schema, `${w} field ${f}`).description !== 'string') problem(w, `field '${f}' has no description (it feeds the OpenAPI document)`);
    for (const f of e.required ?? []) if (!Object.hasOwn(fields, f)) problem(w, `required '${f}' is not a field`);
    checkRules(e.rules, fields, w);
    for (const [f, value] of Object.entries(e.defaults ?? {})) {
      if (!Object.hasOwn(fields, f)) problem(w, `default for '${f}', which is not a field`);
      else if ((e.required ?? []).includes(f)) problem(w, `default for '${f}', which is required`);
      else if (!valueFits(fields[f], value, `${w} defaults.${f}`)) problem(w, `default ${JSON.stringify(value)} for '${f}' is not an allowed value`);
    }
    const price = e.price ?? {};
    const rates = ['perSecond', 'perImage', 'perTask'].filter((k) => k in price);
    if (rates.length !== 1) problem(w, 'price needs exactly one of perSecond, perImage, perTask');
    if (rates.length === 1 && !(typeof price[rates[0]] === 'number' && price[rates[0]] >= 0)) problem(w, 'price rate must be a non-negative number');
    if (price.perSecond !== undefined && !Object.hasOwn(fields, 'duration') && name !== 'video_to_video')
      problem(w, 'perSecond price without a duration field');
    if (price.perSecond !== undefined && Object.hasOwn(fields, 'duration') && !(e.required ?? []).includes('duration') && !Object.hasOwn(e.defaults ?? {}, 'duration') && name !== 'video_to_video')
      problem(w, 'perSecond price with an optional duration and no default duration');
    (price.adjust ?? []).forEach((a, i) => {
      checkCondition(a.when, Object.keys(fields), `${w} price.adjust[${i}].when`);
      if (('set' in a) === ('add' in a)) problem(`${w} price.adjust[${i}]`, 'needs exactly one of set, add');
    });
    if (price.countField !== undefined && !Object.hasOwn(fields, price.countField)) problem(w, `countField '${price.countField}' is not a field`);
  }
}

// ---------- against the SDK ----------
const sdkCandidates = [process.env.RUNWAY_SDK_DIR, join(here, 'node_modules/@runwayml/sdk')].filter(Boolean);
const sdkDir = sdkCandidates.find((d) => existsSync(join(d, 'src/resources/image-to-video.ts')));

/** A small parser for the Stainless-generated .ts: namespaces, interfaces and their properties. */
function parseTs(text) {
  const src = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  let i = 0;
  const ws = () => { while (i < src.length && /\s/.test(src[i])) i++; };
  function block() {
    const ns = { interfaces: {}, namespaces: {} };
    for (;;) {
      ws();
      if (i >= src.length || src[i] === '}') { i++; return ns; }
      const rest = src.slice(i);
      let m;
      if ((m = /^export\s+(?:declare\s+)?namespace\s+(\w+)\s*\{/.exec(rest))) {
        i += m[0].length;
        ns.namespaces[m[1]] = block();
      } else if ((m = /^export\s+interface\s+(\w+)\s*\{/.exec(rest))) {
        i += m[0].length;
        const props = {};
        for (;;) {
          ws();
          if (src[i] === '}') { i++; break; }
          const pm = /^(\w+)(\?)?\s*:\s*([^;]*);/.exec(src.slice(i));
          if (!pm) throw new Error(`cannot parse an interface member near: ${src.slice(i, i + 60)}`);
          props[pm[1]] = { optional: !!pm[2], type: pm[3].replace(/\s+/g, ' ').trim() };
          i += pm[0].length;
        }
        ns.interfaces[m[1]] = props;
      } else {
        // anything else (imports, classes, type aliases, export {...}): skip one balanced statement
        let depth = 0;
        for (; i < src.length; i++) {
          if (src[i] === '{') depth++;
          else if (src[i] === '}') { if (depth === 0) return ns; depth--; if (depth === 0) { i++; break; } }
          else if (src[i] === ';' && depth === 0) { i++; break; }
        }
      }
    }
  }
  return block();
}

function splitUnion(type) {
  const parts = []; let depth = 0; let cur = '';
  for (const ch of type) {
    if (ch === '<' || ch === '(') depth++;
    if (ch === '>' || ch === ')') depth--;
    if (ch === '|' && depth === 0) { parts.push(cur.trim()); cur = ''; } else cur += ch;
  }
  parts.push(cur.trim());
  return parts.filter(Boolean);
}

/** Finds interface `Name` or `Ns.Name` from the namespace chain `scope` (innermost last). */
function lookup(name, scope) {
  const path = name.split('.');
  for (let k = scope.length - 1; k >= 0; k--) {
    let ns = scope[k];
    const chain = [...scope.slice(0, k + 1)];
    let ok = true;
    for (const part of path.slice(0, -1)) {
      if (!ns.namespaces[part]) { ok = false; break; }
      ns = ns.namespaces[part];
      chain.push(ns);
    }
    if (ok && ns.interfaces[path.at(-1)]) return { props: ns.interfaces[path.at(-1)], scope: ok && ns.namespaces[path.at(-1)] ? [...chain, ns.namespaces[path.at(-1)]] : chain };
  }
  return null;
}

const kindOf = (schema, where) => {
  const s = resolveSchema(schema, where);
  if (s.anyOf) return 'anyOf';
  if (s.enum || 'const' in s) return 'literal';
  return s.type;
};

function compareType(schema, type, scope, where) {
  const s = resolveSchema(schema, where);
  const members = splitUnion(type);
  const literal = (t) => /^'[^']*'$/.test(t) || /^-?\d+(\.\d+)?$/.test(t);
  const litValue = (t) => (t.startsWith("'") ? t.slice(1, -1) : Number(t));
  const lits = members.filter(literal);
  const others = members.filter((t) => !literal(t));
  if (others.length === 0) {
    const values = closedValues(s, where);
    if (!values) return problem(where, `the SDK has the literals ${lits.join(' | ')}, the catalog no closed set`);
    const want = new Set(lits.map(litValue));
    const have = new Set(values);
    const missing = [...want].filter((v) => !have.has(v));
    const extra = [...have].filter((v) => !want.has(v));
    if (missing.length || extra.length) problem(where, `values differ from the SDK: missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}`);
    return;
  }
  if (members.length > 1) {
    if (!s.anyOf) return problem(where, `the SDK has the union ${type}, the catalog no anyOf`);
    const branches = s.anyOf.map((b) => ({ b, kind: kindOf(b, where), used: false }));
    const litBranches = branches.filter((x) => x.kind === 'literal');
    if (lits.length) {
      const values = litBranches.flatMap((x) => closedValues(x.b, where));
      litBranches.forEach((x) => (x.used = true));
      const want = lits.map(litValue);
      if (JSON.stringify([...new Set(values)].sort()) !== JSON.stringify([...new Set(want)].sort()))
        problem(where, `literal branches ${JSON.stringify(values)} differ from the SDK's ${JSON.stringify(want)}`);
    }
    for (const t of others) {
      const want = t === 'string' ? ['string'] : t === 'number' ? ['integer', 'number'] : t === 'boolean' ? ['boolean'] : t.startsWith('Array<') ? ['array'] : ['object'];
      const branch = branches.find((x) => !x.used && want.includes(x.kind));
      if (!branch) { problem(where, `no anyOf branch for the SDK's '${t}'`); continue; }
      branch.used = true;
      compareType(branch.b, t, scope, `${where}<${t}>`);
    }
    for (const x of branches) if (!x.used) problem(where, `anyOf has a branch (${x.kind}) the SDK's ${type} does not`);
    return;
  }
  const t = members[0];
  if (t === 'string') { if (s.type !== 'string') problem(where, `the SDK has string, the catalog ${kindOf(s, where)}`); return; }
  if (t === 'number') { if (!['integer', 'number'].includes(s.type)) problem(where, `the SDK has number, the catalog ${kindOf(s, where)}`); return; }
  if (t === 'boolean') { if (s.type !== 'boolean') problem(where, `the SDK has boolean, the catalog ${kindOf(s, where)}`); return; }
  const arr = /^Array<(.*)>$/.exec(t);
  if (arr) {
    if (s.type !== 'array') return problem(where, `the SDK has ${t}, the catalog ${kindOf(s, where)}`);
    if (arr[1] === 'unknown') return; // hailuo3, wan3, wan3_prime promptImage items: any shape is the SDK's
    const items = splitUnion(arr[1]);
    const item = resolveSchema(s.items, `${where}[]`);
    if (items.length > 1) {
      if (!item.anyOf || item.anyOf.length !== items.length) return problem(`${where}[]`, `the SDK has ${items.length} item shapes, the catalog ${item.anyOf?.length ?? 1}`);
      items.forEach((it, k) => compareType(item.anyOf[k], it, scope, `${where}[${it}]`));
    } else compareType(s.items, arr[1], scope, `${where}[]`);
    return;
  }
  const found = lookup(t, scope);
  if (!found) return problem(where, `cannot find the SDK type ${t}`);
  if (s.type !== 'object') return problem(where, `the SDK has the interface ${t}, the catalog ${kindOf(s, where)}`);
  compareProps(s.properties ?? {}, s.required ?? [], found.props, found.scope, where);
}

function compareProps(fields, required, props, scope, where, skip = []) {
  const names = Object.keys(props).filter((n) => !skip.includes(n));
  for (const n of names) if (!Object.hasOwn(fields, n)) problem(where, `the SDK's '${n}' is missing`);
  for (const n of Object.keys(fields)) if (!names.includes(n)) problem(where, `'${n}' is not in the SDK`);
  for (const n of names) {
    if (!Object.hasOwn(fields, n)) continue;
    const req = !props[n].optional;
    if (req !== required.includes(n)) problem(where, `'${n}' is ${req ? 'required' : 'optional'} in the SDK, ${required.includes(n) ? 'required' : 'optional'} in the catalog`);
    compareType(fields[n], props[n].type, scope, `${where}.${n}`);
  }
}

if (!sdkDir) {
  console.log('SDK not found (npm install in tests/sdk-compat, or set RUNWAY_SDK_DIR): skipping the SDK comparison');
} else {
  for (const [endpoint, file, root] of [
    ['image_to_video', 'image-to-video.ts', 'ImageToVideoCreateParams'],
    ['text_to_video', 'text-to-video.ts', 'TextToVideoCreateParams'],
    ['video_to_video', 'video-to-video.ts', 'VideoToVideoCreateParams'],
  ]) {
    const top = parseTs(readFileSync(join(sdkDir, 'src/resources', file), 'utf8'));
    const ns = top.namespaces[root];
    if (!ns) { problem(file, `has no namespace ${root}`); continue; }
    const sdkModels = new Set();
    for (const [iface, props] of Object.entries(ns.interfaces)) {
      const id = /^'([^']+)'$/.exec(props.model?.type ?? '')?.[1];
      if (!id) { problem(`${file} ${iface}`, 'has no literal model'); continue; }
      sdkModels.add(id);
      const m = (catalog.models ?? []).find((x) => x.id === id);
      const e = m?.endpoints?.[endpoint];
      if (!e) { problem(`model '${id}' ${endpoint}`, `is in the SDK (${root}.${iface}) but not in the catalog`); continue; }
      const scope = [top, ns, ...(ns.namespaces[iface] ? [ns.namespaces[iface]] : [])];
      compareProps(e.fields ?? {}, e.required ?? [], props, scope, `model '${id}' ${endpoint}`, ['model']);
    }
    for (const m of catalog.models ?? [])
      if (m.endpoints?.[endpoint] && !sdkModels.has(m.id) && !m.legacy) problem(`model '${m.id}' ${endpoint}`, 'is not in the SDK and not marked legacy');
  }
}

if (problems.length) {
  console.log(`${problems.length} problem(s) in ${catalogPath}:`);
  for (const p of problems) console.log('  ' + p);
  process.exit(1);
}
console.log(`OK: ${catalogPath} (${catalog.models.length} models${sdkDir ? `, compared with ${sdkDir}` : ''})`);
