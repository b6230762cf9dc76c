// A small JSON Schema validator (draft-04/07 keywords these tests' schemas use): type, enum,
// const, properties, required, additionalProperties, items, min/maxItems, uniqueItems, pattern,
// minLength, minimum/maximum, anyOf/oneOf/allOf, $ref to #/definitions. No package needed, and
// an unknown keyword is an error rather than silently ignored, so a schema cannot pass by accident.
type Schema = Record<string, unknown>;

const KNOWN = new Set([
  '$schema', '$id', 'id', 'title', 'description', 'default', 'format', 'definitions', 'type', 'enum', 'const', 'properties', 'required',
  'additionalProperties', 'items', 'minItems', 'maxItems', 'uniqueItems', 'pattern', 'minLength', 'minimum', 'maximum', 'anyOf', 'oneOf', 'allOf', '$ref',
]);

export function validate(schema: Schema, value: unknown): string[] {
  const errors: string[] = [];
  check(schema, schema, value, '$', errors);
  return errors;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(t: string, v: unknown): boolean {
  const actual = typeOf(v);
  return t === actual || (t === 'number' && actual === 'integer');
}

function resolve(root: Schema, ref: string): Schema {
  const m = /^#\/(definitions|\$defs)\/(.+)$/.exec(ref);
  if (!m) throw new Error(`unsupported $ref ${ref}`);
  const defs = root[m[1]] as Record<string, Schema> | undefined;
  const s = defs?.[m[2]];
  if (!s) throw new Error(`unresolved $ref ${ref}`);
  return s;
}

function check(root: Schema, s: Schema, v: unknown, path: string, errors: string[]): void {
  for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`schema keyword not supported by this validator: ${k} at ${path}`);
  if (typeof s.$ref === 'string') {
    check(root, resolve(root, s.$ref), v, path, errors);
  }
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    if (!types.some((t) => typeMatches(t, v))) {
      errors.push(`${path}: expected ${types.join('|')}, got ${typeOf(v)}`);
      return;
    }
  }
  if (s.enum !== undefined && !(s.enum as unknown[]).some((e) => JSON.stringify(e) === JSON.stringify(v))) errors.push(`${path}: ${JSON.stringify(v)} not in enum`);
  if (s.const !== undefined && JSON.stringify(s.const) !== JSON.stringify(v)) errors.push(`${path}: expected ${JSON.stringify(s.const)}`);
  if (typeof v === 'string') {
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) errors.push(`${path}: ${JSON.stringify(v)} does not match ${s.pattern}`);
    if (typeof s.minLength === 'number' && [...v].length < s.minLength) errors.push(`${path}: shorter than ${s.minLength}`);
  }
  if (typeof v === 'number') {
    if (typeof s.minimum === 'number' && v < s.minimum) errors.push(`${path}: ${v} < minimum ${s.minimum}`);
    if (typeof s.maximum === 'number' && v > s.maximum) errors.push(`${path}: ${v} > maximum ${s.maximum}`);
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === 'number' && v.length < s.minItems) errors.push(`${path}: fewer than ${s.minItems} items`);
    if (typeof s.maxItems === 'number' && v.length > s.maxItems) errors.push(`${path}: more than ${s.maxItems} items`);
    if (s.uniqueItems === true) {
      const seen = new Set(v.map((x) => JSON.stringify(x)));
      if (seen.size !== v.length) errors.push(`${path}: items are not unique`);
    }
    if (s.items && typeof s.items === 'object') v.forEach((x, i) => check(root, s.items as Schema, x, `${path}[${i}]`, errors));
  }
  if (typeOf(v) === 'object') {
    const o = v as Record<string, unknown>;
    const props = (s.properties ?? {}) as Record<string, Schema>;
    for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) errors.push(`${path}: missing required ${r}`);
    for (const [k, x] of Object.entries(o)) {
      if (props[k]) check(root, props[k], x, `${path}.${k}`, errors);
      else if (s.additionalProperties === false) errors.push(`${path}: unexpected property ${k}`);
      else if (s.additionalProperties && typeof s.additionalProperties === 'object') check(root, s.additionalProperties as Schema, x, `${path}.${k}`, errors);
    }
  }
  const sub = (list: Schema[]) => list.map((x) => {
    const e: string[] = [];
    check(root, x, v, path, e);
    return e;
  });
  if (Array.isArray(s.allOf)) for (const e of sub(s.allOf as Schema[])) errors.push(...e);
  if (Array.isArray(s.anyOf)) {
    const results = sub(s.anyOf as Schema[]);
    if (!results.some((e) => e.length === 0)) errors.push(`${path}: matches none of anyOf (${results.map((e) => e[0]).join('; ')})`);
  }
  if (Array.isArray(s.oneOf)) {
    const ok = sub(s.oneOf as Schema[]).filter((e) => e.length === 0).length;
    if (ok !== 1) errors.push(`${path}: matches ${ok} of oneOf, expected exactly 1`);
  }
}
