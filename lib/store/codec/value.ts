// Typed OTLP AnyValue encoding. Integers and doubles keep their type: a JS number that is an
// integer is an int (as the model normalizes OTLP intValue), any other number a double; -0
// is a double so it comes back as -0. Bigints (ints outside the safe range) stay bigints.
import type { AttributeValue } from '../../model/index.ts';
import { ByteReader, ByteWriter } from './bytes.ts';

export const enum Tag {
  Null = 0,
  String = 1,
  False = 2,
  True = 3,
  Int = 4,
  Double = 5,
  Bytes = 6,
  Array = 7,
  KvList = 8,
  BigInt = 9,
}

export function isIntNumber(v: number): boolean {
  return Number.isSafeInteger(v) && !Object.is(v, -0);
}

export function writeValue(w: ByteWriter, v: AttributeValue): void {
  switch (typeof v) {
    case 'string':
      w.u8(Tag.String);
      w.string(v);
      return;
    case 'number':
      if (isIntNumber(v)) {
        w.u8(Tag.Int);
        w.svarint(v);
      } else {
        w.u8(Tag.Double);
        w.f64(v);
      }
      return;
    case 'boolean':
      w.u8(v ? Tag.True : Tag.False);
      return;
    case 'bigint':
      w.u8(Tag.BigInt);
      w.bigvarint(v);
      return;
    default:
      break;
  }
  if (v === null || v === undefined) {
    w.u8(Tag.Null);
  } else if (v instanceof Uint8Array) {
    w.u8(Tag.Bytes);
    w.bytes(v);
  } else if (Array.isArray(v)) {
    w.u8(Tag.Array);
    w.uvarint(v.length);
    for (const item of v) writeValue(w, item);
  } else if (typeof v === 'object') {
    const keys = Object.keys(v);
    w.u8(Tag.KvList);
    w.uvarint(keys.length);
    for (const k of keys) {
      w.string(k);
      writeValue(w, v[k]);
    }
  } else {
    throw new TypeError(`unsupported attribute value of type ${typeof v}`);
  }
}

export function readValue(r: ByteReader): AttributeValue {
  const tag = r.u8();
  switch (tag) {
    case Tag.Null:
      return null;
    case Tag.String:
      return r.string();
    case Tag.False:
      return false;
    case Tag.True:
      return true;
    case Tag.Int:
      return r.svarint();
    case Tag.Double:
      return r.f64();
    case Tag.Bytes:
      return new Uint8Array(r.bytes());
    case Tag.Array: {
      const n = r.uvarint();
      const out: AttributeValue[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = readValue(r);
      return out;
    }
    case Tag.KvList: {
      const n = r.uvarint();
      const out: Record<string, AttributeValue> = {};
      for (let i = 0; i < n; i++) {
        const k = r.string();
        setKey(out, k, readValue(r));
      }
      return out;
    }
    case Tag.BigInt:
      return r.bigvarint();
    default:
      throw new RangeError(`unknown value tag ${tag}`);
  }
}

/** Encodes one value on its own (dictionary rows). */
export function encodeValue(v: AttributeValue): Buffer {
  const w = new ByteWriter(64);
  writeValue(w, v);
  return w.copy();
}

export function decodeValue(b: Uint8Array): AttributeValue {
  return readValue(new ByteReader(b));
}

/**
 * Assigns a decoded key. Keys are attacker-controlled: `__proto__` must become an own
 * property, not replace the object's prototype.
 */
export function setKey(out: Record<string, AttributeValue>, k: string, v: AttributeValue): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}
