// A minimal protobuf wire-format reader and writer, hand-written because the OTLP decoder is the
// ingest hot path: it decodes straight into lib/model objects with no intermediate message
// objects (protobufjs would build one, then we would copy it again).

/** Raised for structurally broken protobuf (truncated, bad wire type). Caught by the decoders. */
export class WireError extends Error {}

const KEY_CACHE_MASK = 4095;
// Shared by all readers of a thread; an entry is only ever replaced, never wrong (bytes are compared).
const keyCache: ({ bytes: Uint8Array; str: string } | undefined)[] = new Array(KEY_CACHE_MASK + 1);

/** Node's Buffer has these native slicers; @types/node does not declare them. */
interface NativeSlices {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}

export class ProtoReader {
  readonly buf: Buffer & NativeSlices;
  pos: number;
  private readonly view: DataView;

  constructor(data: Uint8Array) {
    this.buf = (Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)) as Buffer & NativeSlices;
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = 0;
  }

  /** A varint that fits 32 bits (tags, lengths, enums, uint32, int32 as two's complement). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    let b = buf[pos++];
    let v = b & 0x7f;
    if (b >= 0x80) {
      b = buf[pos++]; v |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        b = buf[pos++]; v |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = buf[pos++]; v |= (b & 0x7f) << 21;
          if (b >= 0x80) {
            b = buf[pos++]; v |= (b & 0x0f) << 28;
            // Negative int32 values are sign-extended to 10 bytes; the high bytes carry nothing.
            while (b >= 0x80) {
              if (pos >= buf.length) break;
              b = buf[pos++];
            }
          }
        }
      }
    }
    if (pos > buf.length) throw new WireError('truncated varint');
    this.pos = pos;
    return v >>> 0;
  }

  int32(): number {
    return this.uint32() | 0;
  }

  /** A 64-bit varint as [low, high] 32-bit halves (unsigned). */
  private varint64(): [number, number] {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    let b: number;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= buf.length) throw new WireError('truncated varint');
      b = buf[this.pos++];
      if (i < 4) {
        lo |= (b & 0x7f) << shift;
      } else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else {
        hi |= (b & 0x7f) << (shift - 32);
      }
      shift += 7;
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** int64: a number when safe, else bigint (model rule). */
  int64(): number | bigint {
    const [lo, hi] = this.varint64();
    return int64FromHalves(lo, hi);
  }

  /** uint64 as a number (counts; precision past 2^53 is not meaningful for them). */
  uint64Number(): number {
    const [lo, hi] = this.varint64();
    return hi * 4294967296 + lo;
  }

  sint32(): number {
    const n = this.uint32();
    return (n >>> 1) ^ -(n & 1);
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  fixed32(): number {
    if (this.pos + 4 > this.buf.length) throw new WireError('truncated fixed32');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.buf.length) throw new WireError('truncated fixed64');
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** fixed64 counts as a number. */
  fixed64Number(): number {
    if (this.pos + 8 > this.buf.length) throw new WireError('truncated fixed64');
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return hi * 4294967296 + lo;
  }

  sfixed64(): number | bigint {
    if (this.pos + 8 > this.buf.length) throw new WireError('truncated sfixed64');
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return int64FromHalves(lo, hi);
  }

  double(): number {
    if (this.pos + 8 > this.buf.length) throw new WireError('truncated double');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Length of a length-delimited field; returns its end offset after checking bounds. */
  delimitedEnd(): number {
    const len = this.uint32();
    const end = this.pos + len;
    if (end > this.buf.length) throw new WireError('length-delimited field runs past the end');
    return end;
  }

  string(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    if (end === start) return '';
    // Buffer's native slice methods, called directly: toString() adds a JS dispatch layer
    // that showed up as ~8% of decode time in profiles.
    return this.buf.utf8Slice(start, end);
  }

  bytes(): Uint8Array {
    const end = this.delimitedEnd();
    const out = new Uint8Array(this.buf.subarray(this.pos, end));
    this.pos = end;
    return out;
  }

  /** Bytes as lowercase hex, plus whether every byte was zero (an invalid OTLP id). */
  hex(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    if (end === start) return '';
    return this.buf.hexSlice(start, end);
  }

  /**
   * A string that repeats across messages (attribute keys, scope names). Returns one interned
   * instance per distinct value, so building attribute objects reuses V8's cached property
   * transitions instead of hashing a fresh string for every key of every span.
   */
  key(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    const len = end - start;
    if (len === 0) return '';
    if (len > 64) return this.buf.utf8Slice(start, end);
    const buf = this.buf;
    // Sampled hash (ends and middle): keys differ mostly at the ends; a collision only costs a miss.
    const mid = start + (len >> 1);
    let h = Math.imul(len ^ buf[start], 0x01000193);
    h = Math.imul(h ^ buf[end - 1], 0x01000193);
    h = Math.imul(h ^ buf[mid], 0x01000193);
    h = Math.imul(h ^ buf[end - 2 < start ? start : end - 2], 0x01000193);
    h = Math.imul(h ^ buf[start + 1 < end ? start + 1 : start], 0x01000193);
    h = Math.imul(h ^ buf[mid - 1 < start ? start : mid - 1], 0x01000193);
    h ^= h >>> 13;
    const slot = (h >>> 0) & KEY_CACHE_MASK;
    const hit = keyCache[slot];
    if (hit !== undefined && hit.bytes.length === len) {
      const b = hit.bytes;
      let same = true;
      for (let i = 0; i < len; i++) {
        if (b[i] !== buf[start + i]) { same = false; break; }
      }
      if (same) return hit.str;
    }
    const str = buf.utf8Slice(start, end);
    keyCache[slot] = { bytes: new Uint8Array(buf.subarray(start, end)), str }; // a copy: never pin the request buffer
    return str;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        while (true) {
          if (this.pos >= this.buf.length) throw new WireError('truncated varint');
          if (this.buf[this.pos++] < 0x80) break;
        }
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.delimitedEnd();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new WireError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > this.buf.length) throw new WireError('truncated field');
  }
}

export function int64FromHalves(lo: number, hi: number): number | bigint {
  if (hi < 0x200000) return hi * 4294967296 + lo;
  if (hi >= 0x80000000) {
    // Two's complement negative.
    const nlo = (~lo + 1) >>> 0;
    const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
    if (nhi < 0x200000) return -(nhi * 4294967296 + nlo);
    return -((BigInt(nhi) << 32n) | BigInt(nlo));
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Writer for the small response messages (partial success, google.rpc.Status). */
export class ProtoWriter {
  private parts: number[] = [];

  private varint(n: number): void {
    let v = n;
    while (v > 0x7f) {
      this.parts.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.parts.push(v);
  }

  tag(field: number, wireType: number): this {
    this.varint(field * 8 + wireType);
    return this;
  }

  uint(field: number, n: number): this {
    this.tag(field, 0);
    this.varint(n);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, Buffer.from(s, 'utf8'));
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    for (const x of b) this.parts.push(x);
    return this;
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}
