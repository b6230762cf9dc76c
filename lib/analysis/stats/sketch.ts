// A mergeable latency sketch with bounded relative error (the DDSketch idea: logarithmic buckets,
// so every quantile is within `relativeAccuracy` of a value actually seen). Mergeable means
// per-minute rollups can be added up over any window and still give honest percentiles, which
// averaging percentiles never does.
//
// Values are non-negative milliseconds. Buckets are kept in one dense Float64Array over the
// occupied index range: a sketch of 1 µs … 1 h at 1% is at most ~1,100 buckets (9 KB), a typical
// endpoint's (1 ms … 1 s) ~350 (2.8 KB).

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

export class LatencySketch {
  readonly relativeAccuracy: number;
  private readonly gamma: number;
  private readonly logGamma: number;
  private counts: Float64Array = new Float64Array(0);
  private offset = 0;
  private zeroCount = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(relativeAccuracy = 0.01) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) throw new RangeError(`relativeAccuracy must be in (0,1), got ${relativeAccuracy}`);
    this.relativeAccuracy = relativeAccuracy;
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
  }

  /** Adds `weight` observations of `valueMs`. Negative and non-finite values are ignored. */
  add(valueMs: number, weight = 1): void {
    if (!(valueMs >= 0) || !Number.isFinite(valueMs) || !(weight > 0)) return;
    this.count += weight;
    this.sum += valueMs * weight;
    if (valueMs < this.min) this.min = valueMs;
    if (valueMs > this.max) this.max = valueMs;
    if (valueMs <= MIN_VALUE_MS) {
      this.zeroCount += weight;
      return;
    }
    const i = Math.ceil(Math.log(valueMs) / this.logGamma);
    this.ensure(i, i);
    this.counts[i - this.offset] += weight;
  }

  private ensure(lo: number, hi: number): void {
    const len = this.counts.length;
    if (len === 0) {
      // A little headroom either side: neighbouring values are the common case.
      const pad = 4;
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
    this.count += other.count;
    this.sum += other.sum;
    this.zeroCount += other.zeroCount;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
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
  }

  /** The q-quantile (0 ≤ q ≤ 1) in ms; 0 for an empty sketch. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const rank = q * (this.count - 1);
    let seen = this.zeroCount;
    if (rank < seen) return this.min < 0 ? 0 : this.min;
    const c = this.counts;
    for (let k = 0; k < c.length; k++) {
      seen += c[k];
      if (seen > rank) {
        // The bucket's value that minimizes relative error to anything in (gamma^(i-1), gamma^i].
        const v = (2 * Math.pow(this.gamma, k + this.offset)) / (this.gamma + 1);
        return Math.min(this.max, Math.max(this.min, v));
      }
    }
    return this.max;
  }

  mean(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  summary(): { p50Ms: number; p75Ms: number; p95Ms: number; p99Ms: number } {
    return { p50Ms: round3(this.quantile(0.5)), p75Ms: round3(this.quantile(0.75)), p95Ms: round3(this.quantile(0.95)), p99Ms: round3(this.quantile(0.99)) };
  }

  clone(): LatencySketch {
    const s = new LatencySketch(this.relativeAccuracy);
    s.merge(this);
    return s;
  }

  /** Compact, JSON-safe form for rollup storage (occupied range only). */
  toJSON(): SketchJson {
    const c = this.counts;
    let first = 0;
    let last = c.length - 1;
    while (first <= last && c[first] === 0) first++;
    while (last >= first && c[last] === 0) last--;
    return {
      a: this.relativeAccuracy,
      z: this.zeroCount,
      o: this.offset + first,
      c: first <= last ? Array.from(c.subarray(first, last + 1)) : [],
      n: this.count,
      sum: this.sum,
      min: this.count ? this.min : 0,
      max: this.count ? this.max : 0,
    };
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
    if (o.c.length > 0) {
      s.counts = Float64Array.from(o.c);
      s.offset = o.o!;
    }
    return s;
  }
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
