// Attribute maps, in two forms:
// - self-contained (keys inline): resources, scopes, descriptors — rows that are themselves
//   dictionary entries and must decode without other tables;
// - dictionary form (span, event, link, point, log attributes): each entry is either a
//   reference to an interned (key, value) pair, or a key id plus an inline value. Entry
//   header = id * 2 + (1 if pair reference).
import type { Attributes } from '../../model/index.ts';
import type { ByteReader, ByteWriter } from './bytes.ts';
import { readValue, setKey, writeValue } from './value.ts';

export interface AttrEncoder {
  keyId(key: string): number;
  /**
   * Entry header for key=value: pairId * 2 + 1 when the pair is (or is now) interned, else
   * keyId * 2 (and the caller writes the value inline). One call per attribute: this is the
   * hottest path of ingest.
   */
  entryHeader(key: string, value: unknown): number;
}

export interface AttrDecoder {
  key(id: number): string;
  pair(id: number): readonly [string, Attributes[string]];
}

export function writeAttributesInline(w: ByteWriter, attrs: Attributes | undefined): void {
  if (!attrs) {
    w.uvarint(0);
    return;
  }
  const keys = Object.keys(attrs);
  w.uvarint(keys.length);
  for (const k of keys) {
    w.string(k);
    writeValue(w, attrs[k]);
  }
}

export function readAttributesInline(r: ByteReader): Attributes {
  const n = r.uvarint();
  const out: Attributes = {};
  for (let i = 0; i < n; i++) {
    const k = r.string();
    setKey(out, k, readValue(r));
  }
  return out;
}

export function writeAttributes(w: ByteWriter, attrs: Attributes | undefined, dict: AttrEncoder): void {
  if (!attrs) {
    w.uvarint(0);
    return;
  }
  const keys = Object.keys(attrs);
  w.uvarint(keys.length);
  for (const k of keys) {
    const v = attrs[k];
    const h = dict.entryHeader(k, v);
    w.uvarint(h);
    if (h % 2 === 0) writeValue(w, v);
  }
}

export function readAttributes(r: ByteReader, dict: AttrDecoder): Attributes {
  const n = r.uvarint();
  const out: Attributes = {};
  for (let i = 0; i < n; i++) {
    const h = r.uvarint();
    if (h % 2 === 1) {
      const [k, v] = dict.pair((h - 1) / 2);
      setKey(out, k, v);
    } else {
      setKey(out, dict.key(h / 2), readValue(r));
    }
  }
  return out;
}
