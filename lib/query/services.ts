// GET /api/v1/services: every service's RED over a window and its per-step sparkline, from the
// node rollup rows — without an object per row or a LatencySketch per cell. At 1,000 services a
// 15-minute window is 16,000 rows and 17,000 merged sketches; made the RedCell way (red.ts) the
// allocations alone cost more than the arithmetic. Rows are read as arrays, each latency blob is
// decoded once and added to two reusable dense sums (the service's total and its current step),
// and percentiles are read off the sums the way LatencySketch computes them, so every number is
// what RedCell and Series give (tests compare the two).
import { exactQuantiles, type IntegralCells } from '../analysis/stats/exact-quantiles.ts';
import { round3 } from '../analysis/stats/sketch.ts';
import { varint, varintEnd } from '../analysis/stats/sketch-bytes.ts';
import type { RollupReader } from '../store/rollups/reader.ts';
import { MINUTE_MS, type AlignedWindow } from './buckets.ts';
import { rankByImpact } from './red.ts';
import { errorRate, perSecond } from './sketches.ts';
import { JsonBytes, lit } from './json-bytes.ts';
import type { RedPointJson, ServicesResponse, ServiceSummaryJson } from './types.ts';

// The rollup latency blob (lib/analysis/stats/sketch-bytes.ts): u8 version=1 | u8 flags (1 =
// integer counts) | f64 accuracy, zeros, n, sum, min, max | i32 first index | u32 buckets |
// buckets × (varint gap, varint or f64 count).
const VERSION = 1;
const HEADER = 2 + 6 * 8 + 4 + 4;

/** One decoded blob (reused: one row at a time). */
class Decoded {
  idx = new Int32Array(256);
  val = new Float64Array(256);
  m = 0;
  accuracy = 0;
  integral = true;
  zeros = 0;
  n = 0;
  sum = 0;
  min = 0;
  max = 0;
  first = 0;
  last = 0;

  /** False for a blob SketchBytesMerger would skip as damaged. */
  read(b: Uint8Array): boolean {
    if (b.length < HEADER || b[0] !== VERSION) return false;
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const integral = b[1] === 1;
    const buckets = dv.getUint32(2 + 48 + 4, true);
    const first = dv.getInt32(2 + 48, true);
    if (buckets > this.idx.length) {
      if (buckets > b.length) return false;
      this.idx = new Int32Array(buckets);
      this.val = new Float64Array(buckets);
    }
    let p = HEADER;
    let at = first - 1;
    const len = b.length;
    for (let i = 0; i < buckets; i++) {
      const gap = varint(b, p);
      if (gap < 0) return false;
      p = varintEnd;
      at += gap + 1;
      // Only damaged bytes span this many buckets (a millisecond to a day is ~1,400).
      if (at - first > 1 << 20) return false;
      let v: number;
      if (integral) {
        v = varint(b, p);
        if (v < 0) return false;
        p = varintEnd;
      } else {
        if (p + 8 > len) return false;
        v = dv.getFloat64(p, true);
        p += 8;
      }
      this.idx[i] = at;
      this.val[i] = v;
    }
    const a = dv.getFloat64(2, true);
    if (!(a > 0 && a < 1)) return false;
    this.m = buckets;
    this.accuracy = a;
    this.integral = integral;
    this.first = first;
    this.last = at;
    this.zeros = dv.getFloat64(2 + 8, true);
    this.n = dv.getFloat64(2 + 16, true);
    this.sum = dv.getFloat64(2 + 24, true);
    this.min = dv.getFloat64(2 + 32, true);
    this.max = dv.getFloat64(2 + 40, true);
    return true;
  }
}

/**
 * Sums of decoded blobs, as SketchBytesMerger keeps them, reset and reused. `quantiles` gives
 * what LatencySketch.fromJSON(merger.toSketch()) would: an empty sketch when the sum is not a
 * valid one (no input, a non-finite field, a negative count).
 */
class Sum implements IntegralCells {
  counts = new Float64Array(512);
  private offset = 0;
  lo = 0;
  hi = -1;
  /** The cell value's base and scale, for value(). */
  private gamma = 1;
  private scale = 1;
  accuracy = 0;
  zeros = 0;
  n = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private fractional = false;
  /** Sum of the cells added (exact while every input is integral). */
  private cells = 0;

  reset(): void {
    if (this.hi >= this.lo) this.counts.fill(0, this.lo, this.hi + 1);
    this.lo = 0;
    this.hi = -1;
    this.accuracy = 0;
    this.zeros = this.n = this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.fractional = false;
    this.cells = 0;
  }

  add(d: Decoded): void {
    // The first accuracy wins; another one is skipped (SketchBytesMerger counts it as damaged).
    if (this.accuracy !== 0 && d.accuracy !== this.accuracy) return;
    this.accuracy = d.accuracy;
    if (d.m > 0) {
      this.ensure(d.first, d.last);
      const c = this.counts;
      const off = this.offset;
      let cells = 0;
      for (let i = 0; i < d.m; i++) {
        c[d.idx[i] - off] += d.val[i];
        cells += d.val[i];
      }
      this.cells += cells;
      if (d.first - off < this.lo || this.hi < this.lo) this.lo = d.first - off;
      if (d.last - off > this.hi) this.hi = d.last - off;
      if (!d.integral) this.fractional = true;
    }
    this.zeros += d.zeros;
    this.n += d.n;
    this.sum += d.sum;
    if (d.n > 0) {
      if (d.min < this.min) this.min = d.min;
      if (d.max > this.max) this.max = d.max;
    }
  }

  private ensure(lo: number, hi: number): void {
    const len = this.counts.length;
    if (this.hi < this.lo) {
      // Empty: re-centre the window on the first input.
      if (hi - lo + 1 > len) this.counts = new Float64Array(2 * (hi - lo + 1));
      this.offset = lo - ((this.counts.length - (hi - lo + 1)) >> 1);
      return;
    }
    if (lo >= this.offset && hi < this.offset + len) return;
    const newLo = Math.min(lo, this.offset + this.lo) - 64;
    const newHi = Math.max(hi, this.offset + this.hi) + 64;
    const next = new Float64Array(Math.max(len, newHi - newLo + 1));
    next.set(this.counts.subarray(this.lo, this.hi + 1), this.offset + this.lo - newLo);
    this.lo += this.offset - newLo;
    this.hi += this.offset - newLo;
    this.counts = next;
    this.offset = newLo;
  }

  /** Whether LatencySketch.fromJSON accepts the sum (else the merged sketch is empty). */
  private valid(): boolean {
    if (this.accuracy === 0) return false;
    if (!Number.isFinite(this.zeros) || !Number.isFinite(this.n) || !Number.isFinite(this.sum)) return false;
    if (this.n && (!Number.isFinite(this.min) || !Number.isFinite(this.max))) return false;
    if (this.fractional) for (let i = this.lo; i <= this.hi; i++) if (!(this.counts[i] >= 0)) return false;
    return true;
  }

  /** The merged sketch's count, sum and quantiles (ascending qs) as LatencySketch gives them. */
  stats(qs: readonly number[], out: number[]): { count: number; sum: number } {
    for (let i = 0; i < qs.length; i++) out[i] = 0;
    if (!this.valid() || this.n === 0) return { count: this.valid() ? this.n : 0, sum: this.valid() ? this.sum : 0 };
    const min = this.min;
    const max = this.max;
    const n1 = this.n - 1;
    let qi = 0;
    while (qi < qs.length && qs[qi] <= 0) out[qi++] = min;
    let seen = this.zeros;
    while (qi < qs.length && qs[qi] < 1 && qs[qi] * n1 < seen) out[qi++] = Math.max(0, min);
    if (qi < qs.length && qs[qi] < 1 && !this.fractional) qi = this.fromBothEnds(qs, qi, n1, out);
    if (qi < qs.length && qs[qi] < 1) {
      const g = (1 + this.accuracy) / (1 - this.accuracy);
      const scale = 2 / (g + 1);
      const c = this.counts;
      for (let i = this.lo; i <= this.hi; i++) {
        const v = c[i];
        if (!(v > 0)) continue;
        seen += v;
        if (seen <= qs[qi] * n1) continue;
        const x = Math.min(max, Math.max(min, scale * Math.pow(g, i + this.offset)));
        while (qi < qs.length && qs[qi] < 1 && seen > qs[qi] * n1) out[qi++] = x;
        if (qi >= qs.length || qs[qi] >= 1) break;
      }
    }
    while (qi < qs.length) out[qi++] = max;
    return { count: this.n, sum: this.sum };
  }

  /** Quantiles qs[from…] below 1 for integral counts, as SketchScratch finds them (exact-quantiles.ts). */
  private fromBothEnds(qs: readonly number[], from: number, n1: number, out: number[]): number {
    this.gamma = (1 + this.accuracy) / (1 - this.accuracy);
    this.scale = 2 / (this.gamma + 1);
    return exactQuantiles(this, qs, from, n1, out);
  }

  /** For exactQuantiles: cells are added exactly while every input is integral. */
  get total(): number {
    return this.zeros + this.cells;
  }

  value(i: number): number {
    return this.scale * Math.pow(this.gamma, i + this.offset);
  }
}

const SUMMARY_QS = [0.5, 0.75, 0.95, 0.99];
const POINT_QS = [0.5, 0.95, 0.99];

/** A step of one service: counters and its slot in the pool of sums. */
interface Step {
  t: number;
  calls: number;
  errors: number;
  sum: Sum;
}

/**
 * The services of a window: rows from `ranges` (node rollups of services), totals over them and a
 * series at `stepMs`; rates over `seconds`. Unranked order; the caller ranks.
 */
export function serviceSummaries(
  r: RollupReader,
  a: AlignedWindow,
  ranges: Parameters<RollupReader['serviceNodeRows']>[0],
  stepMs: number,
  seconds: number,
  opCounts: Map<string, number>,
): ServiceSummaryJson[] {
  const rows = r.serviceNodeRows(ranges);
  // Rows by service, in row order (sums in the order RedCell adds them).
  const byService = new Map<string, number[]>();
  for (let i = 0; i < rows.length; i++) {
    const name = rows[i][1];
    const list = byService.get(name);
    if (list) list.push(i);
    else byService.set(name, [i]);
  }
  const d = new Decoded();
  const total = new Sum();
  const pool: Step[] = [];
  const steps = new Map<number, Step>();
  const out4 = [0, 0, 0, 0];
  const out3 = [0, 0, 0];
  const first = Math.floor(a.fromMs / stepMs) * stepMs;
  const stepSecs = stepMs / 1000;
  const result: ServiceSummaryJson[] = [];
  for (const [name, list] of byService) {
    total.reset();
    let calls = 0;
    let errors = 0;
    let selfMs = 0;
    let looseMs = 0;
    steps.clear();
    for (const i of list) {
      const [bucket, , c, e, latency, self, loose] = rows[i];
      calls += c;
      errors += e;
      selfMs += self;
      looseMs += loose;
      const t = Math.floor((bucket * MINUTE_MS) / stepMs) * stepMs;
      let s = steps.get(t);
      if (!s) {
        // Steps (and their sums) are reused from service to service.
        s = pool[steps.size] ?? (pool[steps.size] = { t: 0, calls: 0, errors: 0, sum: new Sum() });
        s.t = t;
        s.calls = s.errors = 0;
        s.sum.reset();
        steps.set(t, s);
      }
      s.calls += c;
      s.errors += e;
      if (latency.length > 0 && d.read(latency)) {
        total.add(d);
        s.sum.add(d);
      }
    }
    const lat = total.stats(SUMMARY_QS, out4);
    const sparkline: RedPointJson[] = [];
    for (let t = first; t < a.toMs; t += stepMs) {
      const s = steps.get(t);
      if (!s) {
        sparkline.push({ timeMs: t, calls: 0, errors: 0, ratePerSec: 0, errorRate: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0 });
        continue;
      }
      s.sum.stats(POINT_QS, out3);
      sparkline.push({
        timeMs: t,
        calls: s.calls,
        errors: s.errors,
        ratePerSec: perSecond(s.calls, stepSecs),
        errorRate: errorRate(s.calls, s.errors),
        p50Ms: round3(out3[0]),
        p95Ms: round3(out3[1]),
        p99Ms: round3(out3[2]),
      });
    }
    const totalMs = lat.sum;
    result.push({
      name,
      calls,
      errors,
      errorRate: errorRate(calls, errors),
      ratePerSec: perSecond(calls, seconds),
      meanMs: round3(lat.count === 0 ? 0 : lat.sum / lat.count),
      p50Ms: round3(out4[0]),
      p75Ms: round3(out4[1]),
      p95Ms: round3(out4[2]),
      p99Ms: round3(out4[3]),
      selfTimeMs: round3(Math.max(0, selfMs + looseMs)),
      meanSelfTimeMs: calls ? round3(Math.max(0, selfMs) / calls) : 0,
      selfTimeShare: totalMs > 0 ? round3(Math.min(1, Math.max(0, selfMs) / totalMs)) : 0,
      impactMs: round3(totalMs),
      impactRank: 0,
      operations: opCounts.get(name) ?? 0,
      sparkline,
    });
  }
  return rankByImpact(result, (x) => x.name);
}

const SUMMARY_FIELDS = ['calls', 'errors', 'errorRate', 'ratePerSec', 'meanMs', 'p50Ms', 'p75Ms', 'p95Ms', 'p99Ms', 'selfTimeMs', 'meanSelfTimeMs', 'selfTimeShare', 'impactMs', 'impactRank', 'operations'] as const;
const POINT_FIELDS = ['calls', 'errors', 'ratePerSec', 'errorRate', 'p50Ms', 'p95Ms', 'p99Ms'] as const;
const SUMMARY_LITS = SUMMARY_FIELDS.map((f) => lit(`,"${f}":`));
const POINT_LITS = POINT_FIELDS.map((f) => lit(`,"${f}":`));
const SPARKLINE = lit(',"sparkline":[');
const POINT_OPEN = lit('{"timeMs":');
const NAME_OPEN = lit('{"name":');

/**
 * The services body as JSON bytes: exactly JSON.stringify(body) (tests compare them) for the
 * shape serviceSummaries makes, ~150 numbers per service written without JSON.stringify.
 */
export function servicesJson(body: ServicesResponse): Uint8Array<ArrayBuffer> {
  const w = new JsonBytes(1024 + body.services.length * (400 + 160 * (body.services[0]?.sparkline.length ?? 0)));
  w.ascii('{"window":');
  w.value(body.window);
  w.ascii(',"stepMs":');
  w.value(body.stepMs);
  w.ascii(',"services":[');
  body.services.forEach((s, i) => {
    w.reserve(64 + 6 * s.name.length + 24 * SUMMARY_FIELDS.length + 240);
    if (i > 0) w.ascii(',');
    w.lit(NAME_OPEN);
    w.str(s.name);
    for (let f = 0; f < SUMMARY_FIELDS.length; f++) {
      w.lit(SUMMARY_LITS[f]);
      w.num(s[SUMMARY_FIELDS[f]]);
    }
    w.lit(SPARKLINE);
    s.sparkline.forEach((pt, j) => {
      w.reserve(240);
      if (j > 0) w.ascii(',');
      w.lit(POINT_OPEN);
      w.num(pt.timeMs);
      for (let f = 0; f < POINT_FIELDS.length; f++) {
        w.lit(POINT_LITS[f]);
        w.num(pt[POINT_FIELDS[f]]);
      }
      w.ascii('}');
    });
    w.ascii(']}');
  });
  w.ascii('],"freshness":');
  w.value(body.freshness);
  w.ascii('}');
  return w.bytes();
}
