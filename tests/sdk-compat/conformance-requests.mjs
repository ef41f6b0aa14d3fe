// Builds the conformance suite's requests: which fields exist comes from the SDK's types
// (sdk-types.mjs); which values are valid (ranges, the allowed enum values, cross-field rules)
// comes from the server's catalog (docs/catalog.md). Where the catalog says nothing (a model it
// does not have yet, or the legacy catalog format), the SDK's types alone decide and a note says
// which fallback was used, so a surprising request can be traced to its source.
import fs from 'node:fs';

export class BuildError extends Error {}

/** The catalog's models by id; `format` is 'fields' (docs/catalog.md), 'legacy' or 'missing'. */
export function loadCatalog(file) {
  if (!file || !fs.existsSync(file)) return { format: 'missing', definitions: {}, models: new Map() };
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const hasFields = (json.models ?? []).some((m) => Object.values(m.endpoints ?? {}).some((e) => e.fields));
  return {
    format: hasFields || json.definitions ? 'fields' : 'legacy',
    definitions: json.definitions ?? {},
    models: new Map((json.models ?? []).map((m) => [m.id, m])),
  };
}

/** The endpoint of a model as an object schema {properties, required, rules}, or null if unknown. */
export function endpointSchema(catalog, model, endpoint) {
  const e = catalog.models.get(model)?.endpoints?.[endpoint];
  if (!e?.fields) return null;
  return { type: 'object', properties: e.fields, required: e.required ?? [], rules: e.rules ?? [], defaults: e.defaults ?? {} };
}

const NOT_ALLOWED = Symbol('not allowed by the catalog');
const TEXT = 'A lighthouse on a cliff at dusk, the camera slowly pans right';

export class RequestBuilder {
  constructor(catalog, media, variant) {
    this.defs = catalog.definitions;
    this.media = media; // { image, video, audio }: data URIs
    this.variant = variant; // 'minimal' | 'maximal'
    this.notes = [];
  }

  /** `$ref` resolved; keys next to `$ref` override the definition's (docs/catalog.md). */
  resolve(s) {
    if (!s || typeof s !== 'object') return null;
    if (!s.$ref) return s;
    const { $ref, ...rest } = s;
    const base = this.resolve(this.defs[$ref]);
    if (!base) this.notes.push(`the catalog's definition '${$ref}' is missing`);
    return { ...(base ?? {}), ...rest };
  }

  /** The whole body for an SDK model (sdk-types.mjs) and its catalog endpoint schema (or null). */
  body(sdkModel, schema) {
    const type = { kind: 'object', properties: sdkModel.fields };
    return { model: sdkModel.model, ...this.object(type, schema, '') };
  }

  /** A value for SDK type `t` under catalog schema `s`; `parent` and `siblingType` place a nested `uri`. */
  value(t, s, name, parent, siblingType) {
    s = this.resolve(s);
    if (t.kind === 'unknown') {
      // The SDK types some items `unknown` (e.g. hailuo3's promptImage array): only the catalog can say.
      if (s) t = this.typeOf(s);
      else {
        t = { kind: 'object', properties: { uri: { required: true, type: { kind: 'string' } }, position: { required: true, type: { kind: 'enum', values: ['first'] } } } };
        this.notes.push(`${name || parent}: the SDK types it unknown and the catalog has no schema; sent {uri, position: 'first'}`);
      }
    }
    switch (t.kind) {
      case 'union': return this.union(t, s, name, parent, siblingType);
      case 'enum': return prefer(this.allowed(t.values, s, name), name);
      // A maximal request asks for several images, so the count is checked too.
      case 'numEnum': return (this.variant === 'maximal' && name === 'outputCount' ? Math.max : Math.min)(...this.allowed(t.values, s, name));
      case 'boolean': return true; // audio: true asks for the audio track the check then looks for
      case 'number': return this.number(s, name);
      case 'string': return this.string(s, name, parent, siblingType);
      case 'array': {
        const count = Math.max(1, s?.minItems ?? 1);
        const items = Array.from({ length: count }, () => this.value(t.items, s?.items, name, name));
        // The catalog's array constraints: one item carries the must-contain value ({position: 'first'}),
        // and items get distinct values of the uniqueBy property.
        for (const [k, v] of Object.entries(s?.mustContain ?? {})) if (items[0] && typeof items[0] === 'object') items[0][k] = v;
        const distinct = s?.uniqueBy && this.valuesOf(this.resolve(s.items)?.properties?.[s.uniqueBy]);
        if (distinct && count > 1) items.forEach((item, i) => { if (distinct[i] !== undefined) item[s.uniqueBy] = distinct[i]; });
        return items;
      }
      case 'object': return this.object(t, s, name);
      default: throw new BuildError(`${name}: cannot build a value of kind ${t.kind}`);
    }
  }

  // Minimal requests take the simple form (a string, a number), maximal ones the rich form
  // (the array of {uri, position}, duration 'auto'), each only where the catalog allows it.
  union(t, s, name, parent, siblingType) {
    const order = this.variant === 'minimal'
      ? ['string', 'number', 'numEnum', 'enum', 'boolean', 'object', 'array']
      : ['array', 'object', 'enum', 'numEnum', 'string', 'number', 'boolean'];
    const rank = (b) => order.indexOf(b.kind);
    const options = t.types
      .map((b) => ({ b, bs: s ? this.branch(s, b) : null }))
      .filter((o) => o.bs !== NOT_ALLOWED)
      .sort((x, y) => rank(x.b) - rank(y.b));
    if (options.length === 0) throw new BuildError(`${name}: the catalog allows none of the SDK's forms`);
    return this.value(options[0].b, options[0].bs, name, parent, siblingType);
  }

  /** The catalog branch (of an anyOf, or the schema itself) that takes values of the SDK branch's JSON type. */
  branch(s, b) {
    const kind = jsonKind(b);
    const candidates = (s.anyOf ?? [s]).map((x) => this.resolve(x)).filter((x) => schemaKind(x) === kind);
    if (candidates.length === 0) return NOT_ALLOWED;
    if (kind !== 'object' || candidates.length === 1) return candidates[0];
    const overlap = (x) => Object.keys(b.properties).filter((p) => p in (x.properties ?? {})).length;
    return candidates.sort((x, y) => overlap(y) - overlap(x))[0];
  }

  /** The SDK's values that the catalog also allows, in the catalog's order. */
  allowed(sdkValues, s, name) {
    const catalogValues = this.valuesOf(s);
    if (!catalogValues) return sdkValues;
    const both = catalogValues.filter((v) => sdkValues.includes(v));
    if (both.length === 0) throw new BuildError(`${name}: no value is allowed by both the SDK (${sdkValues.join(', ')}) and the catalog (${catalogValues.join(', ')})`);
    return both;
  }

  valuesOf(s) {
    s = this.resolve(s);
    if (!s) return null;
    if (s.enum) return s.enum;
    if ('const' in s) return [s.const];
    if (s.anyOf) {
      // Literals only when every branch is one; an open branch (any integer) allows more than the list.
      const parts = s.anyOf.map((b) => this.valuesOf(b));
      return parts.includes(null) ? null : parts.flat();
    }
    return null;
  }

  number(s, name) {
    if (this.variant === 'maximal' && name === 'outputCount') return Math.min(3, s?.maximum ?? 3);
    if (s?.minimum !== undefined) return s.minimum;
    if (s?.exclusiveMinimum !== undefined) {
      const max = s.maximum ?? s.exclusiveMaximum ?? s.exclusiveMinimum + 2;
      return s.type === 'integer' ? Math.floor(s.exclusiveMinimum) + 1 : (s.exclusiveMinimum + max) / 2;
    }
    const fallback = name === 'duration' ? 4 : name === 'seed' ? 0 : 1;
    this.notes.push(`${name}: no catalog minimum, sent ${fallback}`);
    return fallback;
  }

  string(s, name, parent, siblingType) {
    const media = s?.media ?? mediaByName(name, parent, siblingType);
    if (media && !this.media[media]) throw new BuildError(`${name}: no ${media} fixture`);
    if (media) return this.media[media];
    if (s?.enum) return prefer(s.enum, name);
    if (name === 'ratio') {
      this.notes.push('ratio: a plain string in the SDK and no catalog enum; sent 1280:720');
      return '1280:720';
    }
    let text = TEXT.slice(0, s?.maxLength ?? TEXT.length);
    while (text.length < (s?.minLength ?? 1)) text += ' ' + TEXT;
    // A pattern (a reference image's tag, a language code) may forbid spaces or want a short code: the words joined
    // by underscores, else the first of a few typical values that the pattern takes.
    const matches = (v) => !s?.pattern || new RegExp(`^(?:${s.pattern})$`).test(v);
    if (!matches(text)) text = TEXT.replace(/[^A-Za-z0-9]+/g, '_').slice(0, s?.maxLength ?? TEXT.length);
    if (!matches(text)) text = ['en', 'Sample1', 'abc', 'A'].find(matches) ?? text;
    if (!matches(text)) this.notes.push(`${name}: the sample text does not match the catalog's pattern`);
    return text;
  }

  /** Required properties always, optional ones in the maximal request; then the rules. */
  object(t, s, name) {
    const out = {};
    for (const [p, prop] of Object.entries(t.properties)) {
      if (!prop.required && this.variant === 'minimal') continue;
      // `uri` inside {type: 'audio', uri} takes its media kind from the sibling literal.
      out[p] = this.value(prop.type, s?.properties?.[p], p, name, t.properties.type?.type?.values?.[0]);
    }
    if (s?.rules?.length) this.applyRules(out, t, s);
    return out;
  }

  /** Changes a body until the catalog's rules hold (docs/catalog.md "A rule"): adds, sets or drops optional fields. */
  applyRules(body, t, s) {
    const props = s.properties ?? {};
    const present = (k) => body[k] !== undefined || this.resolve(props[k])?.default !== undefined;
    const valueOf = (k) => body[k] ?? this.resolve(props[k])?.default;
    const holds = (c) => Object.entries(c).every(([k, v]) => (v === true ? present(k) : v === false ? !present(k) : present(k) && v.includes(valueOf(k))));
    const optional = (k) => t.properties[k] && !t.properties[k].required;
    const make = (k, v) => {
      if (!t.properties[k]) return false;
      if (v === true) body[k] = this.value(t.properties[k].type, props[k], k, '');
      else if (v === false) { if (!optional(k)) return false; delete body[k]; }
      else {
        const sdk = sdkValues(t.properties[k].type);
        const ok = v.filter((x) => !sdk || sdk.includes(x));
        if (ok.length === 0) return false;
        body[k] = prefer(ok, k);
      }
      this.notes.push(`${k} ${v === false ? 'dropped' : `set to ${JSON.stringify(body[k]).slice(0, 40)}`} for a catalog rule`);
      return true;
    };
    const keepOne = (keys) => {
      const here = keys.filter((k) => body[k] !== undefined);
      for (const k of here.slice(1)) if (optional(k)) { delete body[k]; this.notes.push(`${k} dropped: at most one of ${keys.join(', ')}`); }
    };
    for (let pass = 0; pass < 10; pass++) {
      const before = JSON.stringify(body);
      for (const rule of s.rules) {
        if (rule.atMostOne) keepOne(rule.atMostOne);
        else if (rule.exactlyOne) {
          keepOne(rule.exactlyOne);
          if (!rule.exactlyOne.some((k) => body[k] !== undefined)) rule.exactlyOne.some((k) => make(k, true));
        } else if (rule.when && holds(rule.when) && !holds(rule.require)) {
          const fixed = Object.entries(rule.require).every(([k, v]) => holds({ [k]: v }) || make(k, v));
          // A requirement the SDK cannot meet: make the condition false instead (drop an optional field it names).
          if (!fixed && !Object.keys(rule.when).some((k) => present(k) && make(k, false)))
            this.notes.push(`cannot satisfy the rule ${JSON.stringify(rule)}`);
        }
      }
      if (JSON.stringify(body) === before) return;
    }
  }

  /** A catalog schema as an SDK-style type (for fields the SDK types `unknown`). */
  typeOf(s) {
    s = this.resolve(s);
    if (s.anyOf) return { kind: 'union', types: s.anyOf.map((b) => this.typeOf(b)) };
    const literals = s.enum ?? ('const' in s ? [s.const] : null);
    if (literals) return { kind: typeof literals[0] === 'number' ? 'numEnum' : 'enum', values: literals };
    if (s.type === 'array') return { kind: 'array', items: s.items ? this.typeOf(s.items) : { kind: 'unknown' } };
    if (s.type === 'object') {
      const properties = {};
      for (const [p, ps] of Object.entries(s.properties ?? {})) properties[p] = { required: (s.required ?? []).includes(p), type: this.typeOf(ps) };
      return { kind: 'object', properties };
    }
    return { kind: s.type === 'integer' ? 'number' : s.type ?? 'unknown' };
  }
}

function jsonKind(t) {
  return t.kind === 'enum' ? 'string' : t.kind === 'numEnum' ? 'number' : t.kind;
}

function schemaKind(s) {
  if (!s) return null;
  const literals = s.enum ?? ('const' in s ? [s.const] : null);
  if (literals) return typeof literals[0] === 'number' ? 'number' : typeof literals[0];
  return s.type === 'integer' ? 'number' : s.type ?? null;
}

/** The literal values an SDK type allows (an enum, or a union's enum members), or null for "any". */
export function sdkValues(t) {
  if (t.kind === 'enum' || t.kind === 'numEnum') return t.values;
  if (t.kind === 'union' && t.types.every((b) => b.kind === 'enum' || b.kind === 'numEnum')) return t.types.flatMap((b) => b.values);
  return null;
}

function mediaByName(name, parent, siblingType) {
  if (name === 'uri' && ['image', 'video', 'audio'].includes(siblingType)) return siblingType;
  const subject = name === 'uri' ? parent : name;
  if (name !== 'uri' && !/(uri|image|video|audio)$/i.test(name)) return null;
  return /audio/i.test(subject) ? 'audio' : /video/i.test(subject) ? 'video' : 'image';
}

/** Pixel ratios ("1280:720"): the smallest area; resolutions ("480p", "2k"): the smallest; else the first. */
export function prefer(values, name) {
  const pixels = values.map((v) => pixelRatio(v)).map((p, i) => ({ p, v: values[i] })).filter((x) => x.p);
  if (pixels.length > 0) return pixels.sort((a, b) => a.p.w * a.p.h - b.p.w * b.p.h)[0].v;
  // "2k" ~ 1125 lines: only its order against "768p" matters here.
  const height = (v) => (/^\d+p$/i.test(v) ? parseInt(v, 10) : /^\d+k$/i.test(v) ? parseInt(v, 10) * 562 : NaN);
  const sized = values.filter((v) => !Number.isNaN(height(v)));
  if (name === 'resolution' && sized.length > 0) return sized.sort((a, b) => height(a) - height(b))[0];
  return values[0];
}

/** "1280:720" is pixels; "16:9" is an aspect ratio (numbers under 100), returned as null. */
export function pixelRatio(v) {
  const m = /^(\d+):(\d+)$/.exec(String(v));
  return m && +m[1] >= 100 && +m[2] >= 100 ? { w: +m[1], h: +m[2] } : null;
}
