import { describe, expect, it } from 'vitest';
import { LatencySketch } from '../../lib/analysis/stats/sketch.ts';

// Deterministic PRNG so the accuracy test cannot flake.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function exact(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

describe('LatencySketch', () => {
  it('is within 1% relative error on a heavy-tailed distribution', () => {
    const r = rng(42);
    const sk = new LatencySketch(0.01);
    const values: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const v = Math.exp(r() * 3) * (r() < 0.02 ? 200 : 1); // log-uniform 1..20 ms with a 2% slow tail
      values.push(v);
      sk.add(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999]) {
      const want = exact(values, q);
      expect(Math.abs(sk.quantile(q) - want) / want).toBeLessThanOrEqual(0.0101);
    }
    expect(sk.count).toBe(100_000);
    expect(sk.quantile(0)).toBe(values[0]);
    expect(sk.quantile(1)).toBe(values[values.length - 1]);
  });

  it('merged sketches equal one sketch over all values (per-minute rollups)', () => {
    const r = rng(7);
    const whole = new LatencySketch();
    const parts = [new LatencySketch(), new LatencySketch(), new LatencySketch()];
    for (let i = 0; i < 30_000; i++) {
      const v = i % 3 === 2 ? 5000 * r() : 0.05 + r(); // the third part lives in a far range
      whole.add(v);
      parts[i % 3].add(v);
    }
    const merged = new LatencySketch();
    for (const p of parts) merged.merge(p);
    for (const q of [0.5, 0.9, 0.99]) expect(merged.quantile(q)).toBe(whole.quantile(q));
    expect(merged.count).toBe(whole.count);
  });

  it('merging many small (sparse) sketches, and sparse into dense, equals one sketch', () => {
    const r = rng(11);
    const whole = new LatencySketch();
    const small: LatencySketch[] = [];
    for (let i = 0; i < 200; i++) {
      const s = new LatencySketch();
      for (let k = 0; k < 5; k++) {
        const v = 1 + r() * (i < 100 ? 50 : 5000);
        s.add(v);
        whole.add(v);
      }
      small.push(s);
    }
    const merged = new LatencySketch();
    for (const s of small) merged.merge(s);
    const dense = new LatencySketch();
    dense.merge(small[0]);
    for (let i = 0; i < 1000; i++) dense.add(1 + i); // forces the dense form
    for (const s of small.slice(1)) dense.merge(s);
    const denseWant = whole.clone();
    for (let i = 0; i < 1000; i++) denseWant.add(1 + i);
    for (const q of [0.1, 0.5, 0.9, 0.99]) {
      expect(merged.quantile(q)).toBe(whole.quantile(q));
      expect(dense.quantile(q)).toBe(denseWant.quantile(q));
    }
    expect(merged.count).toBe(1000);
    // Same buckets again (the in-place path): counts double, quantiles stay.
    const again = small[3].clone();
    again.merge(small[3]);
    const twice = new LatencySketch();
    for (const s of [small[3], small[3]]) twice.merge(s);
    expect(again.count).toBe(10);
    for (const q of [0.1, 0.5, 0.9]) expect(again.quantile(q)).toBe(twice.quantile(q));
    expect(again.toJSON().c.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('handles zeros, single values, empty and bad input', () => {
    const s = new LatencySketch();
    expect(s.quantile(0.5)).toBe(0);
    s.add(0);
    s.add(-1);
    s.add(NaN);
    s.add(Infinity);
    expect(s.count).toBe(1);
    expect(s.quantile(0.99)).toBe(0);
    const one = new LatencySketch();
    one.add(123.4);
    expect(one.summary().p99Ms).toBe(123.4);
    expect(() => new LatencySketch(0)).toThrow(RangeError);
    expect(() => s.merge(new LatencySketch(0.02))).toThrow(RangeError);
  });

  it('round-trips through JSON and rejects malformed JSON as a value', () => {
    const s = new LatencySketch();
    for (let i = 1; i <= 1000; i++) s.add(i);
    const back = LatencySketch.fromJSON(JSON.parse(JSON.stringify(s)));
    expect(back).toBeInstanceOf(LatencySketch);
    const b = back as LatencySketch;
    for (const q of [0.1, 0.5, 0.99]) expect(b.quantile(q)).toBe(s.quantile(q));
    expect(LatencySketch.fromJSON({ a: 0.01, c: ['x'] })).toEqual({ error: 'sketch: bad counts' });
    expect(LatencySketch.fromJSON(null)).toEqual({ error: 'sketch: not an object' });
  });

  it('stays small: a 1 ms … 1 s sketch serializes to a few hundred buckets', () => {
    const s = new LatencySketch();
    for (let v = 1; v <= 1000; v *= 1.001) s.add(v);
    expect(s.toJSON().c.length).toBeLessThan(400);
  });
});
