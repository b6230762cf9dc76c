// A JSON writer straight into UTF-8 bytes, for responses of a known shape and many numbers (the
// graph: 10,000 edges of ~12 numbers). JSON.stringify spends most of a 3.7 MB body on
// shortest-round-trip double formatting and on field names; here the API's numbers, rounded to 3
// or 6 decimals (round3, round6), are written as the decimal of an integer — for those that is
// the shortest form — and constant text is copied from bytes encoded once. Output is byte for
// byte what JSON.stringify gives (tests compare them).

const utf8 = new TextEncoder();
const P10 = [1, 10, 100, 1000, 1e4, 1e5, 1e6];

/**
 * ".xyz" without trailing zeros for each thousandth 0–999 as one little-endian 32-bit word (zero
 * padded; written whole, FRAC3_LEN[f] bytes kept: "" for 0). FRAC3_DIGITS: "xyz" in full.
 */
const FRAC3 = new Uint32Array(1000);
const FRAC3_LEN = new Uint8Array(1000);
const FRAC3_DIGITS = new Uint32Array(1000);
const word = (t: string): number => {
  let v = 0;
  for (let i = t.length - 1; i >= 0; i--) v = v * 256 + t.charCodeAt(i);
  return v;
};
for (let f = 0; f < 1000; f++) {
  const digits = String(f).padStart(3, '0');
  const t = f === 0 ? '' : `.${digits}`.replace(/0+$/, '');
  FRAC3[f] = word(t);
  FRAC3_LEN[f] = t.length;
  FRAC3_DIGITS[f] = word(digits);
}
/** "00"–"99" as 16-bit little-endian words: two digits per store. */
const DIGITS2 = new Uint16Array(100);
for (let i = 0; i < 100; i++) DIGITS2[i] = word(String(i).padStart(2, '0'));

/** Constant JSON text (field names, punctuation) encoded once, also as 32-bit words. */
export interface Lit {
  bytes: Uint8Array;
  /** The bytes four at a time (little-endian), then the last 0–3 in `tail`. */
  words: Uint32Array;
  tail: Uint8Array;
}

export function lit(s: string): Lit {
  const bytes = utf8.encode(s);
  const words = new Uint32Array(bytes.length >> 2);
  for (let i = 0; i < words.length; i++) words[i] = (bytes[4 * i] | (bytes[4 * i + 1] << 8) | (bytes[4 * i + 2] << 16) | (bytes[4 * i + 3] << 24)) >>> 0;
  return { bytes, words, tail: bytes.subarray(4 * words.length) };
}

export class JsonBytes {
  buf: Uint8Array<ArrayBuffer>;
  private dv: DataView;
  p = 0;

  constructor(size = 1 << 16) {
    this.buf = new Uint8Array(size);
    this.dv = new DataView(this.buf.buffer);
  }

  /**
   * Room for n more bytes. The writers below do not check: a caller reserves once for a whole
   * record (its constant text, numbers at 24 bytes each, strings at 6 bytes per character).
   */
  reserve(n: number): void {
    if (this.p + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.p + n + 4096));
    next.set(this.buf.subarray(0, this.p));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  /** ASCII text needing no escapes (punctuation, field names); checks room itself. */
  ascii(s: string): void {
    this.reserve(s.length);
    const b = this.buf;
    let p = this.p;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.p = p;
  }

  raw(src: Uint8Array): void {
    const b = this.buf;
    let p = this.p;
    // Short pieces: a loop beats the call into TypedArray.set.
    for (let i = 0; i < src.length; i++) b[p++] = src[i];
    this.p = p;
  }

  /**
   * Bytes [from, to) of src (`view` is a DataView of the same bytes), four per load and store (TypedArray.set costs more than the copy for
   * the short pieces a row has); the caller reserved room.
   */
  copy(src: Uint8Array, view: DataView, from: number, to: number): void {
    const dv = this.dv;
    let p = this.p;
    let q = from;
    for (; q + 4 <= to; q += 4, p += 4) dv.setUint32(p, view.getUint32(q, true), true);
    const b = this.buf;
    for (; q < to; q++) b[p++] = src[q];
    this.p = p;
  }

  /** A constant piece, four bytes per store (twice as fast as bytewise, measured). */
  lit(l: Lit): void {
    const dv = this.dv;
    const w = l.words;
    let p = this.p;
    for (let i = 0; i < w.length; i++, p += 4) dv.setUint32(p, w[i], true);
    const t = l.tail;
    const b = this.buf;
    for (let i = 0; i < t.length; i++) b[p++] = t[i];
    this.p = p;
  }

  /** A JSON string: printable ASCII without quotes or backslashes inline, anything else via JSON.stringify. */
  str(s: string): void {
    const n = s.length;
    const b = this.buf;
    const start = this.p;
    let p = start;
    b[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.p = start;
        this.text(JSON.stringify(s));
        return;
      }
      b[p++] = c;
    }
    b[p++] = 0x22;
    this.p = p;
  }

  /** Any JSON text, encoded as UTF-8 (checks room itself). */
  text(s: string): void {
    this.reserve(s.length * 3);
    this.p += utf8.encodeInto(s, this.buf.subarray(this.p)).written;
  }

  /** A value of any shape, as JSON.stringify writes it (for rare, small parts; checks room itself). */
  value(v: unknown): void {
    this.text(JSON.stringify(v));
  }

  num(v: number): void {
    if (v >= 0 && v < 0x7fffffff && (v | 0) === v) return this.small(v);
    if (Number.isInteger(v)) {
      if (v > -0x20000000000000 && v < 0x20000000000000) return this.fixed(v, 0);
    } else if (v - v === 0) {
      // A decimal with at most 15 significant digits round-trips, and no shorter or other
      // decimal of that length maps to the same double: it is what JSON.stringify prints.
      const a = v < 0 ? -v : v;
      let k = Math.round(v * 1000);
      if (k / 1000 === v && a < 1e11) return this.fixed(k, 3);
      k = Math.round(v * 1e6);
      if (k / 1e6 === v && a < 1e8) return this.fixed(k, 6);
    }
    const s = JSON.stringify(v);
    for (let i = 0; i < s.length; i++) this.buf[this.p++] = s.charCodeAt(i);
  }

  /** A count: num() without its tests when it is a non-negative integer below 2^31. */
  int(v: number): void {
    if (v >= 0 && (v | 0) === v) this.small(v);
    else this.num(v);
  }

  /** A value rounded to thousandths (round3): num() with the common case first. */
  dec3(v: number): void {
    const k = Math.round(v * 1000);
    if (k / 1000 === v && k >= 0 && k < 0x7fffffff) {
      const int = (k / 1000) | 0;
      const f = k - int * 1000;
      this.small(int);
      // One store of four bytes (reserve() left room), FRAC3_LEN[f] of them kept.
      this.dv.setUint32(this.p, FRAC3[f], true);
      this.p += FRAC3_LEN[f];
    } else this.num(v);
  }

  /**
   * k / 1000 for an integer k (a value rounded to thousandths, kept as its thousandths): dec3()
   * without the division and its check.
   */
  milli(k: number): void {
    if (k >= 0 && k < 0x7fffffff) {
      const int = (k / 1000) | 0;
      const f = k - int * 1000;
      this.small(int);
      this.dv.setUint32(this.p, FRAC3[f], true);
      this.p += FRAC3_LEN[f];
    } else this.num(k / 1000);
  }

  /**
   * A value rounded to millionths (round6; rates): num() with the common case first. Below 2^31
   * millionths the decimal is written from integers, as fixed(k, 6) would, without its float
   * remainders. (k ≥ 1: JSON.stringify writes values below 1e-6 with an exponent.)
   */
  dec6(v: number): void {
    const k = Math.round(v * 1e6);
    if (k / 1e6 === v && k >= 1 && k < 0x7fffffff) {
      const int = (k / 1e6) | 0;
      const f = k - int * 1e6;
      this.small(int);
      const hi = (f / 1000) | 0;
      const lo = f - hi * 1000;
      const dv = this.dv;
      if (lo === 0) {
        dv.setUint32(this.p, FRAC3[hi], true);
        this.p += FRAC3_LEN[hi];
      } else {
        // "." and all three digits of the thousandths, then the rest without its dot.
        this.buf[this.p] = 0x2e;
        dv.setUint32(this.p + 1, FRAC3_DIGITS[hi], true);
        dv.setUint32(this.p + 4, FRAC3[lo] >>> 8, true);
        this.p += 3 + FRAC3_LEN[lo];
      }
    } else this.num(v);
  }

  /** A non-negative integer below 2^31, in integer arithmetic, two digits per step. */
  private small(v: number): void {
    const b = this.buf;
    if (v < 10) {
      b[this.p++] = 0x30 + v;
      return;
    }
    const n = v < 100 ? 2 : v < 1000 ? 3 : v < 1e4 ? 4 : v < 1e5 ? 5 : v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
    const dv = this.dv;
    let p = this.p + n;
    while (v >= 100) {
      const q = (v / 100) | 0;
      p -= 2;
      dv.setUint16(p, DIGITS2[v - q * 100], true);
      v = q;
    }
    if (v >= 10) dv.setUint16(p - 2, DIGITS2[v], true);
    else b[p - 1] = 0x30 + v;
    this.p += n;
  }

  /** k / 10^d (k an integer) in shortest decimal form: no trailing zeros, no exponent. */
  private fixed(k: number, d: number): void {
    const b = this.buf;
    if (k < 0) {
      b[this.p++] = 0x2d;
      k = -k;
    }
    const scale = P10[d];
    const int = Math.floor(k / scale);
    let frac = k - int * scale;
    if (int < 0x7fffffff) this.small(int);
    else {
      let n = 0;
      for (let x = int; x >= 1; x = Math.floor(x / 10)) n++;
      let p = this.p + n - 1;
      for (let x = int; x >= 1; x = Math.floor(x / 10)) b[p--] = 0x30 + (x % 10);
      this.p += n;
    }
    if (frac === 0) return;
    let digits = d;
    while (frac % 10 === 0) {
      frac /= 10;
      digits--;
    }
    let p = this.p;
    b[p++] = 0x2e;
    for (let i = digits - 1; i >= 0; i--) {
      const q = Math.floor(frac / 10);
      b[p + i] = 0x30 + frac - q * 10;
      frac = q;
    }
    this.p = p + digits;
  }

  /** The bytes written (a view: valid until the writer is used again). */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.buf.subarray(0, this.p);
  }
}
