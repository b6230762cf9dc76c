// OTLP/JSON value helpers: AnyValue, attribute lists, 64-bit integers, enums. JSON is lenient by
// design (WIRE.md): lowerCamelCase or snake_case keys, int64 as strings or numbers, unknown fields
// ignored. Anything that cannot be read throws JsonShapeError, which the decoders turn into a
// per-item rejection (inside an item) or a 400 (at the envelope).
import type { AttributeValue, Attributes } from '../model/index.ts';

export class JsonShapeError extends Error {}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a field by its lowerCamelCase name or its snake_case twin. */
export function field(o: Obj, camel: string, snake?: string): unknown {
  const v = o[camel];
  if (v !== undefined) return v;
  return snake !== undefined ? o[snake] : undefined;
}

export function arrayField(o: Obj, camel: string, snake?: string): unknown[] {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new JsonShapeError(`${camel} must be an array`);
  return v;
}

export function stringField(o: Obj, camel: string, snake?: string): string | undefined {
  const v = field(o, camel, snake);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new JsonShapeError(`${camel} must be a string`);
  return v;
}

const INT_RE = /^-?\d+$/;

/** A 64-bit integer sent as a JSON string or number → number when safe, else bigint. */
export function int64(v: unknown, what: string): number | bigint {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new JsonShapeError(`${what} must be an integer`);
    return Math.trunc(v);
  }
  if (typeof v === 'string') {
    const s = v.trim();
    if (!INT_RE.test(s)) throw new JsonShapeError(`${what} must be an integer, got ${JSON.stringify(v.slice(0, 40))}`);
    const n = Number(s);
    if (Number.isSafeInteger(n)) return n;
    return BigInt(s);
  }
  throw new JsonShapeError(`${what} must be an integer`);
}

/** Epoch nanoseconds (fixed64) → bigint; absent → 0n. */
export function nanos(v: unknown, what: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new JsonShapeError(`${what} must be a non-negative integer`);
    return BigInt(Math.trunc(v));
  }
  if (typeof v === 'string') {
    const s = v.trim();
    if (!/^\d+$/.test(s)) throw new JsonShapeError(`${what} must be a non-negative integer, got ${JSON.stringify(v.slice(0, 40))}`);
    return BigInt(s);
  }
  throw new JsonShapeError(`${what} must be an integer`);
}

/** Small non-negative counts (uint32 / uint64 counters) as numbers; absent → 0. */
export function count(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  const n = int64(v, what);
  return typeof n === 'bigint' ? Number(n) : n;
}

/** An enum sent as an integer (the spec) or as its proto name (some hand-written senders). */
export function enumValue(v: unknown, names: readonly string[], what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    if (/^\d+$/.test(v)) return Number(v);
    const i = names.indexOf(v);
    if (i >= 0) return i;
  }
  throw new JsonShapeError(`${what} must be an integer enum`);
}

export function double(v: unknown, what: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    // proto3 JSON spells non-finite doubles as strings.
    if (v === 'NaN') return NaN;
    if (v === 'Infinity') return Infinity;
    if (v === '-Infinity') return -Infinity;
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw new JsonShapeError(`${what} must be a number`);
}

export function anyValue(v: unknown, depth = 0): AttributeValue {
  if (depth > 64) throw new JsonShapeError('AnyValue nested too deeply');
  if (!isObj(v)) {
    if (v === undefined || v === null) return null;
    throw new JsonShapeError('AnyValue must be an object');
  }
  let x: unknown;
  if ((x = field(v, 'stringValue', 'string_value')) !== undefined && x !== null) {
    if (typeof x !== 'string') throw new JsonShapeError('stringValue must be a string');
    return x;
  }
  if ((x = field(v, 'intValue', 'int_value')) !== undefined && x !== null) return int64(x, 'intValue');
  if ((x = field(v, 'boolValue', 'bool_value')) !== undefined && x !== null) {
    if (typeof x !== 'boolean') throw new JsonShapeError('boolValue must be a boolean');
    return x;
  }
  if ((x = field(v, 'doubleValue', 'double_value')) !== undefined && x !== null) return double(x, 'doubleValue');
  if ((x = field(v, 'arrayValue', 'array_value')) !== undefined && x !== null) {
    if (!isObj(x)) throw new JsonShapeError('arrayValue must be an object');
    return arrayField(x, 'values').map((e) => anyValue(e, depth + 1));
  }
  if ((x = field(v, 'kvlistValue', 'kvlist_value')) !== undefined && x !== null) {
    if (!isObj(x)) throw new JsonShapeError('kvlistValue must be an object');
    return attributes(arrayField(x, 'values'), depth + 1);
  }
  if ((x = field(v, 'bytesValue', 'bytes_value')) !== undefined && x !== null) {
    if (typeof x !== 'string') throw new JsonShapeError('bytesValue must be a base64 string');
    return new Uint8Array(Buffer.from(x, 'base64'));
  }
  return null;
}

export function attributes(list: unknown, depth = 0): Attributes {
  const out: Attributes = {};
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw new JsonShapeError('attributes must be an array of {key, value}');
  for (const kv of list) {
    if (!isObj(kv)) throw new JsonShapeError('attribute must be an object {key, value}');
    const key = kv.key;
    if (typeof key !== 'string') throw new JsonShapeError('attribute key must be a string');
    out[key] = anyValue(kv.value, depth);
  }
  return out;
}

const HEX_RE = /^[0-9a-fA-F]*$/;

/** A hex id as sent; returns [lowercased, isHex]. Non-strings are not ids at all. */
export function hexId(v: unknown, what: string): [string, boolean] {
  if (v === undefined || v === null) return ['', true];
  if (typeof v !== 'string') throw new JsonShapeError(`${what} must be a hex string`);
  const ok = HEX_RE.test(v);
  return [ok ? v.toLowerCase() : v, ok];
}
