// A mergeable latency sketch with bounded relative error (the DDSketch idea: logarithmic buckets,
// so every quantile is within `relativeAccuracy` of a value actually seen). Mergeable means
// per-minute rollups can be added up over any window and still give honest percentiles, which
// averaging percentiles never does.
//
// Values are non-negative milliseconds. Most sketches in a graph hold few distinct buckets (an
// edge seen 20 times in a minute), so buckets start as a short sorted array and switch to one dense
// Float64Array over the occupied range once they pass SPARSE_LIMIT: merging and summarizing
// 10,000 sparse edge sketches stays cheap, and a busy one is at most ~1,100 buckets at 1%
// (1 µs … 1 h), typically ~350 (1 ms … 1 s).

export interface SketchJson {
  /** Relative accuracy the sketch was built with (e.g. 0.01). */
  a: number;
  /** Count of values ≤ MIN_VALUE_MS (zeros). */
  z: number;
  /** Index of counts[0]. */
  o: number;
  c: number[];
  n: number;
  sum: number;
  min: number;
  max: number;
}

/** Smaller values (sub-nanosecond) are counted as zero. */
const MIN_VALUE_MS = 1e-6;
/** Distinct buckets kept in the Map before switching to the dense array. */
const SPARSE_LIMIT = 48;

export class LatencySketch {
  readonly relativeAccuracy: number;
  private readonly gamma: number;
  private readonly logGamma: number;
  /** Sparse form: bucket indexes ascending and their counts; undefined once dense. */
  private sk: number[] | undefined = [];
  private sv: number[] = [];
  private counts: Float64Array = new Float64Array(0);
  private offset = 0;
  private zeroCount = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** summary() memo, dropped on every change: a live graph rebuilt every few seconds re-summarizes only what moved. */
  private memo: Summary | undefined;

  constructor(relativeAccuracy = 0.01) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) throw new RangeError(`relativeAccuracy must be in (0,1), got ${relativeAccuracy}`);
    this.relativeAccuracy = relativeAccuracy;
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
  }

  /** Adds `weight` observations of `valueMs`. Negative and non-finite values are ignored. */
  add(valueMs: number, weight = 1): void {
    if (!(valueMs >= 0) || !Number.isFinite(valueMs) || !(weight > 0)) return;
    this.memo = undefined;
    this.count += weight;
    this.sum += valueMs * weight;
    if (valueMs < this.min) this.min = valueMs;
    if (valueMs > this.max) this.max = valueMs;
    if (valueMs <= MIN_VALUE_MS) {
      this.zeroCount += weight;
      return;
    }
    this.addBucket(Math.ceil(Math.log(valueMs) / this.logGamma), weight);
  }

  private addBucket(i: number, w: number): void {
    const sk = this.sk;
    if (sk) {
      // Binary search; values cluster, so the common case is a hit or an append.
      let lo = 0;
      let hi = sk.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sk[mid] < i) lo = mid + 1;
        else hi = mid;
      }
      if (lo < sk.length && sk[lo] === i) this.sv[lo] += w;
      else {
        sk.splice(lo, 0, i);
        this.sv.splice(lo, 0, w);
        if (sk.length > SPARSE_LIMIT) this.densify();
      }
      return;
    }
    this.ensure(i, i);
    this.counts[i - this.offset] += w;
  }

  private densify(): void {
    const sk = this.sk!;
    const sv = this.sv;
    this.sk = undefined;
    this.sv = [];
    if (sk.length === 0) return;
    this.ensure(sk[0], sk[sk.length - 1]);
    for (let j = 0; j < sk.length; j++) this.counts[sk[j] - this.offset] += sv[j];
  }

  private ensure(lo: number, hi: number): void {
    const len = this.counts.length;
    if (len === 0) {
      const pad = 4; // a little headroom either side: neighbouring values are the common case
      this.counts = new Float64Array(hi - lo + 1 + 2 * pad);
      this.offset = lo - pad;
      return;
    }
    const curHi = this.offset + len - 1;
    if (lo >= this.offset && hi <= curHi) return;
    const newLo = Math.min(lo, this.offset);
    const newHi = Math.max(hi, curHi);
    // Grow by at least half again so a drifting range does not reallocate on every value.
    const grow = Math.max(newHi - newLo + 1, Math.ceil(len * 1.5));
    const extra = grow - (newHi - newLo + 1);
    const start = lo < this.offset ? newLo - extra : newLo;
    const next = new Float64Array(grow);
    next.set(this.counts, this.offset - start);
    this.counts = next;
    this.offset = start;
  }

  merge(other: LatencySketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) throw new RangeError('cannot merge sketches of different accuracy');
    if (other.count === 0) return;
    this.memo = undefined;
    this.count += other.count;
    this.sum += other.sum;
    this.zeroCount += other.zeroCount;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    if (!other.sk && this.sk) this.densify();
    if (!this.sk && !other.sk) {
      const oc = other.counts;
      let first = -1;
      let last = -1;
      for (let k = 0; k < oc.length; k++) {
        if (oc[k] === 0) continue;
        if (first < 0) first = k;
        last = k;
      }
      if (first < 0) return;
      this.ensure(other.offset + first, other.offset + last);
      const shift = other.offset - this.offset;
      for (let k = first; k <= last; k++) this.counts[k + shift] += oc[k];
      return;
    }
    if (other.sk && this.sk) {
      // Both sparse: one linear merge of two sorted lists (no per-bucket search and splice).
      const ak = this.sk;
      const av = this.sv;
      const bk = other.sk;
      const bv = other.sv;
      if (ak.length === 0) {
        this.sk = bk.slice();
        this.sv = bv.slice();
        return;
      }
      // Rollups of one edge mostly hit the same buckets minute after minute: add in place when
      // every bucket of `other` exists here (one forward sweep), allocate only when some do not.
      let x0 = 0;
      let allHit = true;
      for (let y = 0; y < bk.length; y++) {
        while (x0 < ak.length && ak[x0] < bk[y]) x0++;
        if (x0 >= ak.length || ak[x0] !== bk[y]) {
          allHit = false;
          break;
        }
      }
      if (allHit) {
        x0 = 0;
        for (let y = 0; y < bk.length; y++) {
          while (ak[x0] < bk[y]) x0++;
          av[x0] += bv[y];
        }
        return;
      }
      const k: number[] = [];
      const v: number[] = [];
      let x = 0;
      let y = 0;
      while (x < ak.length || y < bk.length) {
        if (y >= bk.length || (x < ak.length && ak[x] < bk[y])) {
          k.push(ak[x]);
          v.push(av[x++]);
        } else if (x >= ak.length || bk[y] < ak[x]) {
          k.push(bk[y]);
          v.push(bv[y++]);
        } else {
          k.push(ak[x]);
          v.push(av[x++] + bv[y++]);
        }
      }
      this.sk = k;
      this.sv = v;
      if (k.length > SPARSE_LIMIT) this.densify();
    } else if (other.sk) {
      const ok = other.sk;
      const ov = other.sv;
      for (let j = 0; j < ok.length; j++) this.addBucket(ok[j], ov[j]);
    } else {
      const oc = other.counts;
      for (let k = 0; k < oc.length; k++) if (oc[k] !== 0) this.addBucket(k + other.offset, oc[k]);
    }
  }

  /** Several quantiles (each 0 ≤ q ≤ 1, ascending) in one pass; 0 for an empty sketch. */
  quantiles(qs: readonly number[]): number[] {
    const out = new Array<number>(qs.length).fill(0);
    if (this.count === 0) return out;
    const n1 = this.count - 1;
    let qi = 0;
    while (qi < qs.length && qs[qi] <= 0) out[qi++] = this.min;
    let seen = this.zeroCount;
    while (qi < qs.length && qs[qi] < 1 && qs[qi] * n1 < seen) out[qi++] = Math.max(0, this.min);
    if (qi < qs.length && qs[qi] < 1) {
      // Two tight loops rather than one with a sparse/dense branch per bucket: this runs for every
      // node and edge of every graph build.
      const g = this.gamma;
      const scale = 2 / (g + 1);
      const sk = this.sk;
      if (sk) {
        const sv = this.sv;
        for (let j = 0; j < sk.length; j++) {
          seen += sv[j];
          if (seen <= qs[qi] * n1) continue;
          const v = Math.min(this.max, Math.max(this.min, scale * Math.pow(g, sk[j])));
          while (qi < qs.length && qs[qi] < 1 && seen > qs[qi] * n1) out[qi++] = v;
          if (qi >= qs.length || qs[qi] >= 1) break;
        }
      } else {
        const dense = this.counts;
        for (let j = 0; j < dense.length; j++) {
          const c = dense[j];
          if (c === 0) continue;
          seen += c;
          if (seen <= qs[qi] * n1) continue;
          // The bucket's value that minimizes relative error to anything in (gamma^(i-1), gamma^i].
          const v = Math.min(this.max, Math.max(this.min, scale * Math.pow(g, j + this.offset)));
          while (qi < qs.length && qs[qi] < 1 && seen > qs[qi] * n1) out[qi++] = v;
          if (qi >= qs.length || qs[qi] >= 1) break;
        }
      }
    }
    while (qi < qs.length) out[qi++] = this.max;
    return out;
  }

  /** The q-quantile (0 ≤ q ≤ 1) in ms; 0 for an empty sketch. */
  quantile(q: number): number {
    return this.quantiles([q])[0];
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  /** p50/p75/p95/p99 in ms, rounded to µs. The returned object is shared: do not mutate it. */
  summary(): Summary {
    if (this.memo) return this.memo;
    const q = this.quantiles(SUMMARY_QS);
    this.memo = { p50Ms: round3(q[0]), p75Ms: round3(q[1]), p95Ms: round3(q[2]), p99Ms: round3(q[3]) };
    return this.memo;
  }

  clone(): LatencySketch {
    const s = new LatencySketch(this.relativeAccuracy);
    s.merge(this);
    return s;
  }

  /** Compact, JSON-safe form for rollup storage (occupied range only). */
  toJSON(): SketchJson {
    let o = 0;
    let c: number[] = [];
    if (this.sk) {
      const sk = this.sk;
      if (sk.length) {
        o = sk[0];
        c = new Array<number>(sk[sk.length - 1] - o + 1).fill(0);
        for (let j = 0; j < sk.length; j++) c[sk[j] - o] = this.sv[j];
      }
    } else {
      const d = this.counts;
      let first = 0;
      let last = d.length - 1;
      while (first <= last && d[first] === 0) first++;
      while (last >= first && d[last] === 0) last--;
      o = this.offset + first;
      c = first <= last ? Array.from(d.subarray(first, last + 1)) : [];
    }
    return { a: this.relativeAccuracy, z: this.zeroCount, o, c, n: this.count, sum: this.sum, min: this.count ? this.min : 0, max: this.count ? this.max : 0 };
  }

  /** Inverse of toJSON; a malformed value yields an error, not a throw. */
  static fromJSON(j: unknown): LatencySketch | { error: string } {
    const o = j as Partial<SketchJson> | null;
    if (!o || typeof o !== 'object') return { error: 'sketch: not an object' };
    if (typeof o.a !== 'number' || !(o.a > 0 && o.a < 1)) return { error: 'sketch: bad accuracy' };
    if (!Array.isArray(o.c) || o.c.some((x) => typeof x !== 'number' || !(x >= 0))) return { error: 'sketch: bad counts' };
    for (const k of ['z', 'o', 'n', 'sum', 'min', 'max'] as const) if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) return { error: `sketch: bad ${k}` };
    const s = new LatencySketch(o.a);
    s.zeroCount = o.z!;
    s.count = o.n!;
    s.sum = o.sum!;
    s.min = o.n ? o.min! : Infinity;
    s.max = o.n ? o.max! : -Infinity;
    for (let k = 0; k < o.c.length; k++) if (o.c[k] > 0) s.addBucket(o.o! + k, o.c[k]);
    return s;
  }
}

const SUMMARY_QS = [0.5, 0.75, 0.95, 0.99] as const;

export interface Summary {
  readonly p50Ms: number;
  readonly p75Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Rates can be tiny (one call an hour); six decimals keep them honest. */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
