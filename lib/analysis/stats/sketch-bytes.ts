// LatencySketch ⇄ bytes, for rollup rows (a per-minute, per-edge sketch is stored once and merged
// thousands of times by window queries). Built on the sketch's own toJSON/fromJSON so the bucket
// layout stays the sketch's business; this file only packs it: a fixed header, then the occupied
// buckets as (gap, count) varint pairs — a sketch of a few calls is ~60 bytes instead of kilobytes.
//
// Layout (little-endian): u8 version=1 | u8 flags (1 = integer counts) | f64 accuracy | f64 zeros
// | f64 n | f64 sum | f64 min | f64 max | i32 first index | u32 buckets | buckets × (varint gap,
// varint count or f64 count).
import { LatencySketch, type SketchJson } from './sketch.ts';

const VERSION = 1;
const HEADER = 2 + 6 * 8 + 4 + 4;

export function encodeSketch(s: LatencySketch): Uint8Array {
  const j = s.toJSON();
  let nonZero = 0;
  let integral = true;
  for (const c of j.c) {
    if (c === 0) continue;
    nonZero++;
    if (!Number.isInteger(c) || c > 0xffffffff) integral = false;
  }
  const buf = new Uint8Array(HEADER + nonZero * (integral ? 10 : 13));
  const dv = new DataView(buf.buffer);
  buf[0] = VERSION;
  buf[1] = integral ? 1 : 0;
  let p = 2;
  for (const v of [j.a, j.z, j.n, j.sum, j.min, j.max]) {
    dv.setFloat64(p, v, true);
    p += 8;
  }
  dv.setInt32(p, j.o, true);
  dv.setUint32(p + 4, nonZero, true);
  p += 8;
  let prev = -1;
  for (let k = 0; k < j.c.length; k++) {
    const c = j.c[k];
    if (c === 0) continue;
    p = writeVarint(buf, p, k - prev - 1);
    prev = k;
    if (integral) p = writeVarint(buf, p, c);
    else {
      dv.setFloat64(p, c, true);
      p += 8;
    }
  }
  return buf.subarray(0, p);
}

/** Inverse of encodeSketch; damaged bytes give an error value, never a throw. */
export function decodeSketch(bytes: Uint8Array): LatencySketch | { error: string } {
  if (bytes.length < HEADER) return { error: 'sketch bytes: too short' };
  if (bytes[0] !== VERSION) return { error: `sketch bytes: unknown version ${bytes[0]}` };
  const integral = bytes[1] === 1;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 2;
  const f: number[] = [];
  for (let i = 0; i < 6; i++, p += 8) f.push(dv.getFloat64(p, true));
  const first = dv.getInt32(p, true);
  const count = dv.getUint32(p + 4, true);
  p += 8;
  const idx: number[] = [];
  const vals: number[] = [];
  let at = -1;
  for (let i = 0; i < count; i++) {
    const gap = readVarint(bytes, p);
    if (!gap) return { error: 'sketch bytes: truncated' };
    p = gap.next;
    at += gap.value + 1;
    if (integral) {
      const v = readVarint(bytes, p);
      if (!v) return { error: 'sketch bytes: truncated' };
      p = v.next;
      vals.push(v.value);
    } else {
      if (p + 8 > bytes.length) return { error: 'sketch bytes: truncated' };
      vals.push(dv.getFloat64(p, true));
      p += 8;
    }
    idx.push(at);
  }
  const c: number[] = count > 0 ? new Array(idx[idx.length - 1] + 1).fill(0) : [];
  for (let i = 0; i < idx.length; i++) c[idx[i]] = vals[i];
  const j: SketchJson = { a: f[0], z: f[1], n: f[2], sum: f[3], min: f[4], max: f[5], o: first, c };
  return LatencySketch.fromJSON(j);
}

/** Merges encoded sketches of one accuracy into one; damaged entries are skipped and counted. */
export function mergeSketchBytes(a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): { bytes: Uint8Array | null; damaged: number } {
  let damaged = 0;
  let out: LatencySketch | undefined;
  for (const x of [a, b]) {
    if (!x || x.length === 0) continue;
    const s = decodeSketch(x);
    if ('error' in s) {
      damaged++;
      continue;
    }
    if (!out) out = s;
    else if (out.relativeAccuracy === s.relativeAccuracy) out.merge(s);
    else damaged++;
  }
  return { bytes: out ? encodeSketch(out) : null, damaged };
}

function writeVarint(buf: Uint8Array, p: number, v: number): number {
  while (v >= 0x80) {
    buf[p++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  buf[p++] = v;
  return p;
}

function readVarint(buf: Uint8Array, p: number): { value: number; next: number } | undefined {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (p >= buf.length) return undefined;
    const b = buf[p++];
    v += (b & 0x7f) * mul;
    if (b < 0x80) return { value: v, next: p };
    mul *= 0x80;
  }
  return undefined;
}

/**
 * Adds many encoded sketches straight into one dense bucket array, without a LatencySketch per
 * input: a window query merges hundreds of thousands of rollup cells, and object churn per cell
 * costs more than the arithmetic. `toSketch()` gives the merged sketch.
 */
export class SketchBytesMerger {
  private counts = new Float64Array(0);
  private offset = 0;
  private accuracy = 0;
  private zeros = 0;
  private n = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;
  /** Inputs skipped: damaged, or of another accuracy than the first. */
  damaged = 0;

  get count(): number {
    return this.n;
  }

  add(bytes: Uint8Array | null | undefined): void {
    if (!bytes || bytes.length === 0) return;
    if (bytes.length < HEADER || bytes[0] !== VERSION) {
      this.damaged++;
      return;
    }
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const a = dv.getFloat64(2, true);
    if (this.accuracy !== 0 && a !== this.accuracy) {
      this.damaged++;
      return;
    }
    const integral = bytes[1] === 1;
    const buckets = dv.getUint32(2 + 48 + 4, true);
    const first = dv.getInt32(2 + 48, true);
    // Pass 1 validates and finds the index range (no allocation): a damaged cell adds nothing.
    let p = HEADER;
    let at = first - 1;
    for (let i = 0; i < buckets; i++) {
      const gap = varint(bytes, p);
      if (gap < 0) {
        this.damaged++;
        return;
      }
      at += gap + 1;
      p = varintEnd;
      if (integral) {
        if (varint(bytes, p) < 0) {
          this.damaged++;
          return;
        }
        p = varintEnd;
      } else if ((p += 8) > bytes.length) {
        this.damaged++;
        return;
      }
    }
    if (!(a > 0 && a < 1)) {
      this.damaged++;
      return;
    }
    this.accuracy = a;
    // Pass 2 adds.
    if (buckets > 0) this.ensure(first, at);
    const c = this.counts;
    const off = this.offset;
    p = HEADER;
    at = first - 1;
    for (let i = 0; i < buckets; i++) {
      at += varint(bytes, p) + 1;
      p = varintEnd;
      if (integral) {
        c[at - off] += varint(bytes, p);
        p = varintEnd;
      } else {
        c[at - off] += dv.getFloat64(p, true);
        p += 8;
      }
    }
    this.zeros += dv.getFloat64(2 + 8, true);
    const n = dv.getFloat64(2 + 16, true);
    this.n += n;
    this.sum += dv.getFloat64(2 + 24, true);
    if (n > 0) {
      const mn = dv.getFloat64(2 + 32, true);
      const mx = dv.getFloat64(2 + 40, true);
      if (mn < this.min) this.min = mn;
      if (mx > this.max) this.max = mx;
    }
  }

  private ensure(lo: number, hi: number): void {
    const len = this.counts.length;
    if (len > 0 && lo >= this.offset && hi < this.offset + len) return;
    // Latencies of one edge spread over a few hundred buckets: start with room on both sides and
    // grow by half again, so merging thousands of cells reallocates a handful of times.
    const pad = len === 0 ? 64 : Math.max(32, len >> 1);
    const growDown = len === 0 || lo < this.offset;
    const growUp = len === 0 || hi >= this.offset + len;
    const newLo = (len === 0 ? lo : Math.min(lo, this.offset)) - (growDown ? pad : 0);
    const newHi = (len === 0 ? hi : Math.max(hi, this.offset + len - 1)) + (growUp ? pad : 0);
    const next = new Float64Array(newHi - newLo + 1);
    if (len > 0) next.set(this.counts, this.offset - newLo);
    this.counts = next;
    this.offset = newLo;
  }

  /** The merged sketch (empty, at `fallbackAccuracy`, when nothing was added). */
  toSketch(fallbackAccuracy: number): LatencySketch {
    if (this.accuracy === 0) return new LatencySketch(fallbackAccuracy);
    const c = this.counts;
    let first = 0;
    let last = c.length - 1;
    while (first <= last && c[first] === 0) first++;
    while (last >= first && c[last] === 0) last--;
    const s = LatencySketch.fromJSON({
      a: this.accuracy,
      z: this.zeros,
      o: this.offset + first,
      c: first <= last ? Array.from(c.subarray(first, last + 1)) : [],
      n: this.n,
      sum: this.sum,
      min: this.n ? this.min : 0,
      max: this.n ? this.max : 0,
    });
    return 'error' in s ? new LatencySketch(this.accuracy) : s;
  }
}

/** End of the varint `varint()` last read (module state: the merge loop must not allocate). */
export let varintEnd = 0;

/** The varint at `p`, or -1 when truncated or too long; sets varintEnd. */
export function varint(buf: Uint8Array, p: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < 8; i++) {
    if (p >= buf.length) return -1;
    const b = buf[p++];
    v += (b & 0x7f) * mul;
    if (b < 0x80) {
      varintEnd = p;
      return v;
    }
    mul *= 0x80;
  }
  return -1;
}
