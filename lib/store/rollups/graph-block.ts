// The graph of one rollup bucket as ONE blob: every edge and node of the bucket with its counters
// and latency sketch cells, keyed by integer ids of the rollup_keys dictionary. A window query
// reads O(tiers) blobs instead of one SQLite row per edge per minute (measured: ~5.6 µs per row
// read and ~11 µs per row merged as sketch objects; at 10,000 edges that alone is seconds).
//
// Layout (varints are LEB128, f64 little-endian):
//   u8 format=2 | f64 accuracy
//   varint edges | per edge, ascending key: varint key gap | varint entry bytes | varint calls,
//     errors, paired, unpaired | varint peer (0, or name key + 1) | u8 trace ids, each u8 length
//     + UTF-8 | sketch | u8 has server sketch [| sketch]
//   varint nodes | per node, ascending key: varint key gap | varint entry bytes | u8 kind code |
//     varint calls, errors | sketch
//   varint operations | ascending operation keys as gaps (distinct operations per service)
// sketch: u8 flags (1 = integral counts, 2 = dense) | zeros (varint or f64) | then either
//   sparse: varint cells | [zigzag varint first index | per cell: its gap from the previous cell
//   (0 for the first) and count — integral counts as one byte (gap << 3 | count) when gap < 16
//   and count < 8, else 0x80 + varint gap + varint count; other counts as varint gap + f64], or dense (integral only, when smaller: a busy sketch fills
//   its range): varint width | zigzag varint first index | u8 bytes per count (1, 2, 4) | width
//   counts | then f64 min, f64 max when it holds anything.
// A sketch here is the bucket counts of LatencySketch (lib/analysis/stats/sketch.ts), so merged
// cells give exactly the quantiles a merged LatencySketch would.
import { exactQuantiles, type IntegralCells } from '../../analysis/stats/exact-quantiles.ts';
import type { LatencySketch } from '../../analysis/stats/sketch.ts';

export const BLOCK_FORMAT = 2;
/** Block tiers in minutes; each divides the next, so a window is covered by whole blocks. */
export const GRAPH_TIERS = [1, 5, 15, 60, 360, 1440] as const;
export const NODE_KINDS = ['service', 'database', 'queue', 'external', 'client'] as const;
export const MAX_BLOCK_TRACE_IDS = 5;

// ---- bytes ---------------------------------------------------------------------------------

export class ByteWriter {
  buf: Uint8Array;
  private dv: DataView;
  p = 0;

  constructor(size = 1 << 16) {
    this.buf = new Uint8Array(size);
    this.dv = new DataView(this.buf.buffer);
  }

  ensure(n: number): void {
    if (this.p + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.p + n + 1024));
    next.set(this.buf.subarray(0, this.p));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.p++] = v;
  }

  varint(v: number): void {
    this.ensure(10);
    const b = this.buf;
    while (v >= 0x80) {
      b[this.p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[this.p++] = v;
  }

  f64(v: number): void {
    this.ensure(8);
    this.dv.setFloat64(this.p, v, true);
    this.p += 8;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.p);
    this.p += src.length;
  }

  /** The written bytes as a copy of exact length (the buffer is reused). */
  take(): Uint8Array {
    return this.buf.slice(0, this.p);
  }
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** Reads a block; every read past the end or malformed sets `bad` instead of throwing. */
export class ByteReader {
  readonly dv: DataView;
  p = 0;
  bad = false;

  constructor(readonly buf: Uint8Array) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  u8(): number {
    if (this.p >= this.buf.length) {
      this.bad = true;
      return 0;
    }
    return this.buf[this.p++];
  }

  varint(): number {
    const b = this.buf;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.p >= b.length) break;
      const x = b[this.p++];
      v += (x & 0x7f) * mul;
      if (x < 0x80) return v;
      mul *= 0x80;
    }
    this.bad = true;
    return 0;
  }

  f64(): number {
    if (this.p + 8 > this.buf.length) {
      this.bad = true;
      this.p = this.buf.length;
      return 0;
    }
    const v = this.dv.getFloat64(this.p, true);
    this.p += 8;
    return v;
  }

  str(len: number): string {
    if (this.p + len > this.buf.length) {
      this.bad = true;
      this.p = this.buf.length;
      return '';
    }
    const b = this.buf;
    const end = this.p + len;
    let ascii = true;
    for (let i = this.p; i < end; i++) if (b[i] >= 0x80) ascii = false;
    // Trace ids are short ASCII (hex): one call instead of a TextDecoder round trip (blocks come
    // from SQLite as Buffers, whose latin1 decoding is the cheapest such call).
    const s = !ascii
      ? utf8d.decode(b.subarray(this.p, end))
      : b instanceof Buffer
        ? b.toString('latin1', this.p, end)
        : String.fromCharCode.apply(null, b.subarray(this.p, end) as unknown as number[]);
    this.p = end;
    return s;
  }
}

const varintBytes = (v: number): number => (v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5);
const zigzag = (v: number): number => (v < 0 ? -2 * v - 1 : 2 * v);
/**
 * A cell index from its zigzag varint, in small-integer arithmetic: an index computed by division
 * is a float, and every cell access after it paid for that (measured: 3x the merge loop). Indexes
 * past ±2^29 exist only in damaged bytes and map far outside the scratch.
 */
const cellIndex = (z: number): number => (z < 0x40000000 ? ((z >>> 1) ^ -(z & 1)) - SCRATCH_LO : -0x40000000);

// ---- sketch cells --------------------------------------------------------------------------

/** Cell indexes a scratch holds: values from 1e-6 ms (index ≈ -690 at 1%) to far beyond an hour. */
const SCRATCH_LO = -2048;
const SCRATCH_SIZE = 8192;
/**
 * Cells a scratch lists while it holds few. Past about 16 the list no longer pays: quantiles
 * scan the range unless n² < 2 × range, and testing every added cell costs more than a reset
 * over the range (a 5-minute window's 26 cells per sketch: a fifth of the merge, measured).
 */
const TOUCH_LIMIT = 16;

let valuesGamma = 0;
let valuesTable = new Float64Array(0);
/**
 * The value each cell stands for (LatencySketch.quantiles: the point of least relative error in
 * (gamma^(i-1), gamma^i]), computed the same way, once per gamma instead of a pow per quantile.
 */
function cellValues(gamma: number): Float64Array {
  if (gamma !== valuesGamma) {
    const scale = 2 / (gamma + 1);
    valuesTable = new Float64Array(SCRATCH_SIZE);
    for (let i = 0; i < SCRATCH_SIZE; i++) valuesTable[i] = scale * Math.pow(gamma, i + SCRATCH_LO);
    valuesGamma = gamma;
  }
  return valuesTable;
}

/**
 * Adds sketch cells into one dense array (no object per input), then reads quantiles from it or
 * writes it back as cells. One scratch serves every sketch of a query in turn: reset() clears only
 * the touched range.
 */
export class SketchScratch implements IntegralCells {
  readonly counts = new Float64Array(SCRATCH_SIZE);
  /** Cell values of the quantiles being read (exactQuantiles). */
  private valueTable: Float64Array = new Float64Array(0);
  /**
   * Cells touched, while there are few: a minute's edge holds a handful of cells spread over a
   * range of hundreds, so quantiles and reset visit these instead of the range. -1 = too many.
   */
  private readonly touched = new Int32Array(TOUCH_LIMIT);
  private nTouched = 0;
  lo = SCRATCH_SIZE;
  hi = -1;
  zeros = 0;
  n = 0;
  min = Infinity;
  max = -Infinity;
  integral = true;
  /** Inputs that could not be read (damaged bytes): skipped, counted by the caller. */
  damaged = 0;
  /**
   * Some damaged input left cells and n out of step (cells dropped or half added): quantiles then
   * take the one scan that never relies on n = zeros + cells.
   */
  private uneven = false;

  private touch(i: number): void {
    if (this.nTouched < 0) return;
    if (this.nTouched >= TOUCH_LIMIT) {
      this.nTouched = -1;
      return;
    }
    this.touched[this.nTouched++] = i;
  }

  reset(): void {
    if (this.nTouched >= 0) {
      for (let k = 0; k < this.nTouched; k++) this.counts[this.touched[k]] = 0;
    } else if (this.hi >= this.lo) this.counts.fill(0, this.lo, this.hi + 1);
    this.nTouched = 0;
    this.lo = SCRATCH_SIZE;
    this.hi = -1;
    this.zeros = 0;
    this.n = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.integral = true;
    this.uneven = false;
  }

  get empty(): boolean {
    return this.n === 0;
  }

  /** Adds a LatencySketch (the live analyzer's delta). */
  addSketch(s: LatencySketch): void {
    const j = s.toJSON();
    if (j.n === 0) return;
    const base = j.o - SCRATCH_LO;
    if (base < 0 || base + j.c.length > SCRATCH_SIZE) {
      this.damaged++;
      return;
    }
    const c = this.counts;
    for (let k = 0; k < j.c.length; k++) {
      const v = j.c[k];
      if (v === 0) continue;
      const i = base + k;
      if (c[i] === 0) this.touch(i);
      c[i] += v;
      if (i < this.lo) this.lo = i;
      if (i > this.hi) this.hi = i;
      if (!Number.isInteger(v)) this.integral = false;
    }
    if (!Number.isInteger(j.z)) this.integral = false;
    this.zeros += j.z;
    this.n += j.n;
    if (j.min < this.min) this.min = j.min;
    if (j.max > this.max) this.max = j.max;
  }

  /**
   * Adds the sketch cells at r.p and moves past them. One pass with the varints decoded inline:
   * this loop is most of a window query's CPU. Cells outside the scratch (only damaged bytes give
   * them) are dropped and the sketch counted as damaged; r.bad is set when the bytes run out.
   */
  addCells(r: ByteReader): void {
    const damagedBefore = this.damaged;
    const buf = r.buf;
    const len = buf.length;
    let p = r.p;
    if (p >= len) {
      r.bad = true;
      return;
    }
    const flags = buf[p++];
    const integral = (flags & 1) === 1;
    let zeros: number;
    // Single-byte varints (no zeros, a few cells) are the rule: read them without a call.
    if (integral && p < len && buf[p] < 0x80) zeros = buf[p++];
    else {
      r.p = p;
      zeros = integral ? r.varint() : r.f64();
      if (!(zeros >= 0 && zeros < Infinity)) r.bad = true;
      p = r.p;
    }
    r.p = p;
    if ((flags & 2) !== 0) return this.addDense(r, zeros);
    let cells: number;
    if (p < len && buf[p] < 0x80) cells = buf[p++];
    else {
      cells = r.varint();
      p = r.p;
    }
    if (r.bad) return;
    let total = zeros;
    // Until the cells, zeros and n are all in, a return on damaged bytes leaves them out of step.
    const wasUneven = this.uneven;
    this.uneven = true;
    if (cells > 0) {
      // The first cell's index: a zigzag varint of one or two bytes (|index| < 8192) inline.
      let z: number;
      if (p + 1 < len && buf[p] < 0x80) z = buf[p++];
      else if (p + 1 < len && buf[p + 1] < 0x80) {
        z = (buf[p] & 0x7f) | (buf[p + 1] << 7);
        p += 2;
      } else {
        r.p = p;
        z = r.varint();
        p = r.p;
      }
      let at = cellIndex(z);
      const c = this.counts;
      const lo = at;
      let ok = at >= 0;
      if (integral) {
        // The common case, in its own loop: integral counts, most cells one byte (gap and count).
        // The touched list pays off only for a few cells in all (reset and quantiles then visit
        // them instead of the range): once this sketch could take it past its limit, give it up
        // before the loop rather than test every cell of a busy window on the way there.
        if (this.nTouched >= 0 && this.nTouched + cells > TOUCH_LIMIT) this.nTouched = -1;
        let tracking = this.nTouched >= 0;
        let k = 0;
        // A busy window's cells, with no list to keep and bytes enough for every cell in its
        // longest usual form (5 bytes): the loop with nothing in it but decoding and adding. The
        // index only grows, so one test after the loop tells whether any cell left the scratch
        // (typed array stores out of range do nothing). Anything unusual ends it before the cell.
        if (!tracking && at >= 0 && at < SCRATCH_SIZE && p + 5 * cells <= len) {
          let pos = at;
          for (; k < cells; k++) {
            const x = buf[p];
            if (x < 0x80) {
              // The first cell's gap is 0 as written; it is not read (as in the loops below).
              if (k > 0) pos += (x >> 3) + 1;
              const v = x & 7;
              c[pos] += v;
              total += v;
              p++;
              continue;
            }
            if (x !== 0x80) break;
            let q = p + 1;
            let gap = buf[q++];
            if (gap >= 0x80) {
              const g1 = buf[q++];
              if (g1 >= 0x80) break;
              gap = (gap & 0x7f) | (g1 << 7);
            }
            let v = buf[q++];
            if (v >= 0x80) {
              const v1 = buf[q++];
              if (v1 >= 0x80) break;
              v = (v & 0x7f) | (v1 << 7);
            }
            if (k > 0) pos += gap + 1;
            c[pos] += v;
            total += v;
            p = q;
          }
          if (pos >= SCRATCH_SIZE) ok = false;
          at = pos;
        }
        // Cells in their usual forms — one byte (gap < 16, count < 8), or 0x80 + one- or two-byte
        // varint gap and count (a third of a minute block's cells: sparse sketches have wide gaps)
        // — decoded inline. Anything else, or a cell that would leave the scratch, ends this loop
        // before the cell is taken, and the checked loop below goes on from it.
        if (k < cells && at >= 0 && at < SCRATCH_SIZE) {
          for (; k < cells; k++) {
            if (p >= len) break;
            const x = buf[p];
            let q = p + 1;
            let gap: number;
            let v: number;
            if (x < 0x80) {
              gap = x >> 3;
              v = x & 7;
            } else {
              if (x !== 0x80 || q + 1 >= len) break;
              const g0 = buf[q++];
              if (g0 < 0x80) gap = g0;
              else {
                const g1 = buf[q++];
                if (g1 >= 0x80 || q >= len) break;
                gap = (g0 & 0x7f) | (g1 << 7);
              }
              const v0 = buf[q++];
              if (v0 < 0x80) v = v0;
              else {
                if (q >= len) break;
                const v1 = buf[q++];
                if (v1 >= 0x80) break;
                v = (v0 & 0x7f) | (v1 << 7);
              }
            }
            const next = k > 0 ? at + gap + 1 : at;
            if (next >= SCRATCH_SIZE) break;
            at = next;
            p = q;
            if (tracking && v !== 0 && c[at] === 0) {
              this.touch(at);
              tracking = this.nTouched >= 0;
            }
            c[at] += v;
            total += v;
          }
        }
        for (; k < cells; k++) {
          let gap: number;
          let v: number;
          const x = p < len ? buf[p++] : 0;
          if (x < 0x80) {
            gap = x >> 3;
            v = x & 7;
          } else {
            if (p >= len) break;
            r.p = p;
            gap = r.varint();
            v = r.varint();
            if (r.bad) {
              // Cells added so far must still be cleared by reset().
              this.bound(lo, at);
              return;
            }
            p = r.p;
          }
          if (k > 0) at += gap + 1;
          if (at >= 0 && at < SCRATCH_SIZE) {
            if (tracking && v !== 0 && c[at] === 0) {
              this.touch(at);
              tracking = this.nTouched >= 0;
            }
            c[at] += v;
          } else ok = false;
          total += v;
        }
      } else {
        for (let k = 0; k < cells; k++) {
          r.p = p;
          const gap = r.varint();
          const v = r.f64();
          if (!(v >= 0 && v < Infinity)) r.bad = true;
          if (r.bad) {
            this.bound(lo, at);
            return;
          }
          p = r.p;
          if (k > 0) at += gap + 1;
          if (at >= 0 && at < SCRATCH_SIZE) {
            if (c[at] === 0 && v !== 0) this.touch(at);
            c[at] += v;
          } else ok = false;
          total += v;
        }
      }
      this.bound(lo, at);
      if (p > len) {
        r.p = len;
        r.bad = true;
        return;
      }
      if (!ok) this.damaged++;
    }
    let mn = 0;
    let mx = 0;
    if (total > 0) {
      if (p + 16 > len) {
        r.p = len;
        r.bad = true;
        return;
      }
      mn = r.dv.getFloat64(p, true);
      mx = r.dv.getFloat64(p + 8, true);
      p += 16;
    }
    r.p = p;
    if (!integral) this.integral = false;
    this.uneven = wasUneven || this.damaged > damagedBefore;
    this.zeros += zeros;
    this.n += total;
    if (total > 0) {
      if (mn < this.min) this.min = mn;
      if (mx > this.max) this.max = mx;
    }
  }

  /** Widens the range reset() and quantiles() visit to [lo, hi], clamped to the scratch. */
  private bound(lo: number, hi: number): void {
    const a = Math.max(0, lo);
    const b = Math.min(SCRATCH_SIZE - 1, hi);
    if (a < this.lo) this.lo = a;
    if (b > this.hi) this.hi = b;
  }

  /** The fixed-width form (write() picks it for busy sketches): one typed loop, no varints. */
  private addDense(r: ByteReader, zeros: number): void {
    const width = r.varint();
    const first = cellIndex(r.varint());
    const bpc = r.u8();
    const buf = r.buf;
    let p = r.p;
    const end = p + width * bpc;
    if (r.bad || end > buf.length || (bpc !== 1 && bpc !== 2 && bpc !== 4)) {
      r.bad = true;
      return;
    }
    const inRange = first >= 0 && first + width <= SCRATCH_SIZE;
    let total = zeros;
    if (inRange && width > 0) {
      const c = this.counts;
      // Dense means many cells: no use listing them.
      this.nTouched = -1;
      if (bpc === 1) {
        for (let k = 0; k < width; k++) {
          const v = buf[p + k];
          c[first + k] += v;
          total += v;
        }
      } else if (bpc === 2) {
        for (let k = 0; k < width; k++, p += 2) {
          const v = buf[p] | (buf[p + 1] << 8);
          c[first + k] += v;
          total += v;
        }
      } else {
        for (let k = 0; k < width; k++, p += 4) {
          const v = (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16)) + buf[p + 3] * 0x1000000;
          c[first + k] += v;
          total += v;
        }
      }
      if (first < this.lo) this.lo = first;
      if (first + width - 1 > this.hi) this.hi = first + width - 1;
    } else if (width > 0) this.damaged++;
    r.p = end;
    const mn = total > 0 ? r.f64() : 0;
    const mx = total > 0 ? r.f64() : 0;
    if (r.bad) {
      // The counts are in, n is not.
      this.uneven = true;
      return;
    }
    this.zeros += zeros;
    this.n += total;
    if (total > 0) {
      if (mn < this.min) this.min = mn;
      if (mx > this.max) this.max = mx;
    }
  }

  /**
   * The cells as LatencySketch JSON (for LatencySketch.fromJSON). Blocks keep no sum of values, so
   * `sum` is 0: quantiles are exact, the mean is not available.
   */
  toJson(accuracy: number): { a: number; z: number; o: number; c: number[]; n: number; sum: number; min: number; max: number } {
    const c = this.hi >= this.lo ? Array.from(this.counts.subarray(this.lo, this.hi + 1)) : [];
    return { a: accuracy, z: this.zeros, o: this.hi >= this.lo ? this.lo + SCRATCH_LO : 0, c, n: this.n, sum: 0, min: this.n ? this.min : 0, max: this.n ? this.max : 0 };
  }

  /**
   * Whether to visit the touched cells rather than the index range: sorting them (insertion sort,
   * ~n²/4 moves) must cost less than scanning the range (a merged quiet edge: ~35 cells over ~230).
   */
  private useTouched(): boolean {
    const n = this.nTouched;
    return n >= 0 && n * n < 2 * (this.hi - this.lo + 1);
  }

  /** Sorts the touched cells (few: insertion sort) so they can stand in for the range scan. */
  private sortTouched(): void {
    const t = this.touched;
    for (let i = 1; i < this.nTouched; i++) {
      const v = t[i];
      let j = i - 1;
      while (j >= 0 && t[j] > v) {
        t[j + 1] = t[j];
        j--;
      }
      t[j + 1] = v;
    }
  }

  write(w: ByteWriter): void {
    const c = this.counts;
    let cells = 0;
    let sparseBytes = 0;
    let maxCount = 0;
    let prev = -1;
    // Few cells (a pass's delta, a quiet edge): visit just those, not the whole index range.
    const sparse = this.useTouched();
    if (sparse) this.sortTouched();
    const t = this.touched;
    const first = sparse ? 0 : this.lo;
    const last = sparse ? this.nTouched - 1 : this.hi;
    for (let k = first; k <= last; k++) {
      const i = sparse ? t[k] : k;
      const v = c[i];
      if (v === 0) continue;
      cells++;
      const gap = prev < 0 ? 0 : i - prev - 1;
      sparseBytes += gap < 16 && v < 8 ? 1 : 1 + varintBytes(gap) + varintBytes(v);
      if (v > maxCount) maxCount = v;
      prev = i;
    }
    const integral = this.integral;
    const width = cells > 0 ? this.hi - this.lo + 1 : 0;
    const bpc = maxCount < 0x100 ? 1 : maxCount < 0x10000 ? 2 : 4;
    // A busy sketch fills most of its range: fixed-width counts are then smaller and add without
    // varint decoding (a coarse block holds thousands of them).
    // (Never for a handful of cells: those are cheaper to merge and scan as a list.)
    const dense = integral && cells > 16 && maxCount < 2 ** 32 && width * bpc < sparseBytes;
    w.u8((integral ? 1 : 0) | (dense ? 2 : 0));
    if (integral) w.varint(this.zeros);
    else w.f64(this.zeros);
    if (dense) {
      w.varint(width);
      w.varint(zigzag(this.lo + SCRATCH_LO));
      w.u8(bpc);
      w.ensure(width * bpc);
      const b = w.buf;
      let p = w.p;
      for (let i = this.lo; i <= this.hi; i++) {
        const v = c[i];
        b[p] = v & 0xff;
        if (bpc > 1) b[p + 1] = (v >>> 8) & 0xff;
        if (bpc > 2) {
          b[p + 2] = (v >>> 16) & 0xff;
          b[p + 3] = (v >>> 24) & 0xff;
        }
        p += bpc;
      }
      w.p = p;
    } else {
      w.varint(cells);
      prev = -1;
      for (let k = first; k <= last; k++) {
        const i = sparse ? t[k] : k;
        const v = c[i];
        if (v === 0) continue;
        if (prev < 0) w.varint(zigzag(i + SCRATCH_LO));
        const gap = prev < 0 ? 0 : i - prev - 1;
        prev = i;
        if (!integral) {
          w.varint(gap);
          w.f64(v);
        } else if (gap < 16 && v < 8) w.u8((gap << 3) | v);
        else {
          w.u8(0x80);
          w.varint(gap);
          w.varint(v);
        }
      }
    }
    if (this.n > 0) {
      w.f64(this.min);
      w.f64(this.max);
    }
  }

  /**
   * Quantiles (ascending qs) exactly as LatencySketch.quantiles computes them over the same
   * cells, so a window's percentiles do not depend on which tiers answered it.
   */
  quantiles(qs: readonly number[], gamma: number, out: number[]): void {
    for (let i = 0; i < qs.length; i++) out[i] = 0;
    if (this.n === 0) return;
    const n1 = this.n - 1;
    let qi = 0;
    while (qi < qs.length && qs[qi] <= 0) out[qi++] = this.min;
    let seen = this.zeros;
    while (qi < qs.length && qs[qi] < 1 && qs[qi] * n1 < seen) out[qi++] = Math.max(0, this.min);
    if (qi < qs.length && qs[qi] < 1) {
      const values = cellValues(gamma);
      const c = this.counts;
      let target = qs[qi] * n1;
      if (this.useTouched()) {
        this.sortTouched();
        const t = this.touched;
        for (let k = 0; k < this.nTouched; k++) {
          const i = t[k];
          seen += c[i];
          if (seen <= target) continue;
          qi = this.answered(qs, qi, seen, n1, values[i], out);
          if (qi >= qs.length || qs[qi] >= 1) break;
          target = qs[qi] * n1;
        }
      } else {
        // Integral counts sum exactly in any order: see exactQuantiles.
        if (this.integral && !this.uneven) qi = this.exactQuantiles(qs, qi, n1, values, out);
        else {
          // The range scan: empty cells add 0, so the sum only crosses a target at a filled cell;
          // no test per cell besides the crossing.
          const hi = this.hi;
          for (let i = this.lo; i <= hi; i++) {
            seen += c[i];
            if (seen <= target) continue;
            qi = this.answered(qs, qi, seen, n1, values[i], out);
            if (qi >= qs.length || qs[qi] >= 1) break;
            target = qs[qi] * n1;
          }
        }
      }
    }
    while (qi < qs.length) out[qi++] = this.max;
  }

  /**
   * At a cell where the running count passed the next target: every quantile it answers gets
   * the cell's value (clamped to min/max). Returns the index of the next quantile.
   */
  private answered(qs: readonly number[], qi: number, seen: number, n1: number, value: number, out: number[]): number {
    const x = Math.min(this.max, Math.max(this.min, value));
    while (qi < qs.length && qs[qi] < 1 && seen > qs[qi] * n1) out[qi++] = x;
    return qi;
  }

  /** Quantiles qs[from…] below 1 for integral counts (exact-quantiles.ts). Returns the first q not answered. */
  private exactQuantiles(qs: readonly number[], from: number, n1: number, values: Float64Array, out: number[]): number {
    this.valueTable = values;
    return exactQuantiles(this, qs, from, n1, out);
  }

  /** For exactQuantiles: every cell added is counted in n. */
  get total(): number {
    return this.n;
  }

  value(i: number): number {
    return this.valueTable[i];
  }
}

// ---- entries -------------------------------------------------------------------------------

/** One edge of a block, as the writer assembles it. */
export interface EdgeEntry {
  key: number;
  calls: number;
  errors: number;
  paired: number;
  unpaired: number;
  /** rollup_keys id of the peer name + 1; 0 for none. */
  peer: number;
  traceIds: string[];
}

export interface NodeEntry {
  key: number;
  kind: number;
  calls: number;
  errors: number;
}

export function nodeKindCode(kind: string): number {
  const i = (NODE_KINDS as readonly string[]).indexOf(kind);
  return i < 0 ? 0 : i;
}

/**
 * Writes a block entry by entry, in ascending key order per section: edges(), then nodes(), then
 * operations(). Sketches are written from a scratch (the caller fills it per entry).
 */
export class BlockWriter {
  private readonly w = new ByteWriter();
  private readonly entry = new ByteWriter(1024);
  private prev = -1;
  private countAt = 0;
  private count = 0;

  constructor(accuracy: number) {
    this.w.u8(BLOCK_FORMAT);
    this.w.f64(accuracy);
  }

  /** Starts a section: its entry count is patched in at the end (fixed 5-byte varint). */
  section(): void {
    if (this.count >= 0 && this.countAt > 0) this.patchCount();
    this.w.ensure(5);
    this.countAt = this.w.p;
    this.w.p += 5;
    this.count = 0;
    this.prev = -1;
  }

  private patchCount(): void {
    let v = this.count;
    const b = this.w.buf;
    for (let i = 0; i < 5; i++) {
      b[this.countAt + i] = (v & 0x7f) | (i < 4 ? 0x80 : 0);
      v = Math.floor(v / 0x80);
    }
  }

  private begin(key: number): ByteWriter {
    if (key <= this.prev) throw new RangeError(`block keys must ascend (${key} after ${this.prev})`);
    this.w.varint(key - this.prev - 1);
    this.prev = key;
    this.count++;
    this.entry.p = 0;
    return this.entry;
  }

  private end(): void {
    this.w.varint(this.entry.p);
    this.w.bytes(this.entry.buf.subarray(0, this.entry.p));
  }

  edge(e: EdgeEntry, lat: SketchScratch, srv: SketchScratch | undefined): void {
    const x = this.begin(e.key);
    x.varint(e.calls);
    x.varint(e.errors);
    x.varint(e.paired);
    x.varint(e.unpaired);
    x.varint(e.peer);
    const ids = e.traceIds.length > MAX_BLOCK_TRACE_IDS ? e.traceIds.slice(0, MAX_BLOCK_TRACE_IDS) : e.traceIds;
    x.u8(ids.length);
    for (const id of ids) {
      x.ensure(id.length * 3 + 1);
      const lenAt = x.p++;
      const { written } = utf8.encodeInto(id.slice(0, 80), x.buf.subarray(x.p));
      x.buf[lenAt] = written;
      x.p += written;
    }
    lat.write(x);
    if (srv && !srv.empty) {
      x.u8(1);
      srv.write(x);
    } else x.u8(0);
    this.end();
  }

  /** An entry of another block as it is: its fields, bytes [from, to) of buf. */
  entryBytes(key: number, buf: Uint8Array, from: number, to: number): void {
    this.begin(key);
    const w = this.w;
    w.varint(to - from);
    w.ensure(to - from);
    w.buf.set(buf.subarray(from, to), w.p);
    w.p += to - from;
  }

  node(n: NodeEntry, lat: SketchScratch): void {
    const x = this.begin(n.key);
    x.u8(n.kind);
    x.varint(n.calls);
    x.varint(n.errors);
    lat.write(x);
    this.end();
  }

  operation(key: number): void {
    if (key <= this.prev) throw new RangeError(`block keys must ascend (${key} after ${this.prev})`);
    this.w.varint(key - this.prev - 1);
    this.prev = key;
    this.count++;
  }

  finish(): Uint8Array {
    this.patchCount();
    return this.w.take();
  }
}

/** The accuracy a block's sketches were built with, or 0 when the header is unreadable. */
export function blockAccuracy(body: Uint8Array): number {
  if (body.length < 9 || body[0] !== BLOCK_FORMAT) return 0;
  const a = new DataView(body.buffer, body.byteOffset, body.byteLength).getFloat64(1, true);
  return a > 0 && a < 1 ? a : 0;
}

/**
 * Walks one section of a block entry by entry. After next() returns true, `key` is the entry's
 * key and the reader `r` stands at its fields; `end` is where the entry stops, so a consumer may
 * read some fields and jump to `end`.
 */
export class SectionCursor {
  key = -1;
  end = 0;
  left = 0;

  constructor(readonly r: ByteReader) {
    this.left = r.varint();
  }

  next(): boolean {
    const r = this.r;
    // Whatever the consumer read of the previous entry, the next one starts at its end.
    if (this.key >= 0) r.p = this.end;
    if (this.left <= 0 || r.bad) return false;
    this.left--;
    this.key += r.varint() + 1;
    const len = r.varint();
    this.end = r.p + len;
    if (r.bad || this.end > r.buf.length) {
      r.bad = true;
      return false;
    }
    return true;
  }

  /** Moves past the rest of the section (for a section whose entries are not wanted). */
  skipRest(): void {
    while (this.next());
  }
}

/** Reads the operation keys section (ascending). */
export function readOperationKeys(r: ByteReader, out: (key: number) => void): void {
  let n = r.varint();
  let key = -1;
  while (n-- > 0 && !r.bad) {
    key += r.varint() + 1;
    out(key);
  }
}

/** Reads an edge entry's trace ids (at r.p) into `into`, keeping at most `max` distinct. */
export function readTraceIds(r: ByteReader, into: string[], max: number): void {
  const n = r.u8();
  const b = r.buf;
  for (let i = 0; i < n && !r.bad; i++) {
    const len = r.u8();
    const at = r.p;
    if (into.length >= max || at + len > b.length) {
      r.p += len;
      if (r.p > b.length) r.bad = true;
      continue;
    }
    // The same few ids recur minute after minute: compare bytes before making a string.
    let dup = false;
    for (let j = 0; j < into.length && !dup; j++) {
      const have = into[j];
      if (have.length !== len || have.charCodeAt(len - 1) !== b[at + len - 1]) continue;
      let k = 0;
      while (k < len && have.charCodeAt(k) === b[at + k]) k++;
      dup = k === len;
    }
    if (dup) r.p += len;
    else into.push(r.str(len));
  }
}

/**
 * An edge's example trace ids as bytes (each a u8 length and its UTF-8, as in a block), so a window
 * query makes no string per id: the JSON writer copies the bytes.
 */
export class TraceIdBytes {
  bytes = new Uint8Array(256);
  view = new DataView(this.bytes.buffer);
  /** Bytes used. */
  p = 0;
  /** Ids held. */
  n = 0;

  reset(): void {
    this.p = 0;
    this.n = 0;
  }

  grow(need: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, need));
    next.set(this.bytes.subarray(0, this.p));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  /** The ids as strings (what readTraceIds would have given). */
  strings(): string[] {
    return traceIdStrings(this.bytes, 0, this.p);
  }
}

/** The ids of [from, to) of an id list in block form (u8 length + bytes, repeated) as strings. */
export function traceIdStrings(b: Uint8Array, from: number, to: number): string[] {
  const out: string[] = [];
  const r = new ByteReader(b.subarray(0, to));
  r.p = from;
  while (r.p < to && !r.bad) out.push(r.str(r.u8()));
  return out;
}

/**
 * readTraceIds into bytes. The same ids in the same order: an id is a duplicate when its bytes
 * equal one held and are ASCII and not empty (readTraceIds compares a held string's characters,
 * from the last, with the bytes: a non-ASCII or empty id never matches).
 */
export function readTraceIdBytes(r: ByteReader, into: TraceIdBytes, max: number): void {
  const n = r.u8();
  const b = r.buf;
  const bv = r.dv;
  for (let i = 0; i < n && !r.bad; i++) {
    const len = r.u8();
    const at = r.p;
    r.p += len;
    if (into.n >= max || r.p > b.length) {
      if (r.p > b.length) r.bad = true;
      continue;
    }
    // The same ids recur block after block: compared (and checked for ASCII: equal bytes count
    // as the same id only then) four bytes at a time.
    let dup = false;
    const have = into.bytes;
    const hv = into.view;
    for (let q = 0; len > 0 && q < into.p && !dup; q += have[q] + 1) {
      if (have[q] !== len) continue;
      let k = 0;
      let high = 0;
      for (; k + 4 <= len; k += 4) {
        const x = bv.getUint32(at + k, true);
        if (hv.getUint32(q + 1 + k, true) !== x) break;
        high |= x;
      }
      if (k + 4 <= len) continue;
      for (; k < len; k++) {
        const x = b[at + k];
        if (have[q + 1 + k] !== x) break;
        high |= x;
      }
      dup = k === len && (high & 0x80808080) === 0;
    }
    if (dup) continue;
    if (into.p + len + 1 > have.length) into.grow(into.p + len + 1);
    const to = into.bytes;
    const tv = into.view;
    let p = into.p;
    to[p++] = len;
    let k = 0;
    for (; k + 4 <= len; k += 4, p += 4) tv.setUint32(p, bv.getUint32(at + k, true), true);
    for (; k < len; k++) to[p++] = b[at + k];
    into.p = p;
    into.n++;
  }
}

export function skipTraceIds(r: ByteReader): void {
  const n = r.u8();
  for (let i = 0; i < n && !r.bad; i++) {
    const len = r.u8();
    r.p += len;
  }
  if (r.p > r.buf.length) r.bad = true;
}
