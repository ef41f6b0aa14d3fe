// One invalid request per field class of a model, each the valid minimal request with one field
// broken, so the expected issue is the only thing wrong with it. The field is picked from the SDK's
// types (what a client can send); the catalog only moves the number past its maximum.
const NUMBER_VALUE = 1e9;
// Runway's seed range is 0..4294967295: 1e9 is a valid seed, so a seed with no catalog maximum gets one past it.
const SEED_MAXIMUM = 4294967295;

/**
 * [{variant, body, expect: {code, path}}], or expect null with a reason when the model has no such
 * field. `resolve` turns a catalog schema's `$ref` into the definition (RequestBuilder.resolve).
 */
export function invalidCases(sdkModel, minimal, schema, resolve) {
  const fields = Object.entries(sdkModel.fields);
  const pick = (test, preferred) =>
    fields.filter(([, f]) => test(f.type)).sort(([a, fa], [b, fb]) => rank(a, fa, preferred) - rank(b, fb, preferred))[0]?.[0];
  const cases = [];
  const add = (kind, field, value, code) =>
    cases.push(field
      ? { variant: `invalid ${kind} ${field}`, body: { ...minimal, [field]: value }, expect: { code, path: [field] } }
      : { variant: `invalid ${kind}`, expect: null, reason: `no ${kind} field in the SDK's ${sdkModel.interface}` });

  add('enum', pick((t) => t.kind === 'enum', ['ratio']), 'not-a-value', 'invalid_enum_value');

  // A number alone or beside 'auto' (a number-literal union such as 4 | 6 | 8 gives invalid_union instead).
  const number = pick((t) => t.kind === 'number' || (t.kind === 'union' && t.types.some((b) => b.kind === 'number')), ['duration']);
  const maximum = number ? maxOf(schema?.properties?.[number], resolve) ?? (number === 'seed' ? SEED_MAXIMUM : undefined) : undefined;
  add('number', number, maximum !== undefined && maximum >= NUMBER_VALUE ? maximum + 1 : NUMBER_VALUE, 'too_big');

  add('string', pick((t) => t.kind === 'string', ['promptText', 'negativePrompt']), 12345, 'invalid_type');

  cases.push({ variant: 'invalid unknown key', body: { ...minimal, notAField: 1 }, expect: { code: 'unrecognized_keys', path: [] } });
  return cases;
}

/** Preferred names first, then required fields (already in the minimal body), then the rest. */
function rank(name, field, preferred) {
  const i = preferred.indexOf(name);
  return i >= 0 ? i : preferred.length + (field.required ? 0 : 1);
}

/** The largest number a catalog schema (or one of its anyOf branches) allows, if it says. */
function maxOf(s, resolve) {
  s = resolve(s);
  if (!s) return undefined;
  if (s.anyOf) {
    const maxima = s.anyOf.map((b) => maxOf(b, resolve)).filter((m) => m !== undefined);
    return maxima.length ? Math.max(...maxima) : undefined;
  }
  return s.maximum ?? s.exclusiveMaximum;
}
