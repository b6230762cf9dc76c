// Rollup sketch bytes: round trip, merging in the upsert, the byte merger of window queries, and
// damaged input as an error value.
import { describe, expect, it } from 'vitest';
import { decodeSketch, encodeSketch, mergeSketchBytes, SketchBytesMerger } from '../../lib/analysis/stats/sketch-bytes.ts';
import { LatencySketch } from '../../lib/analysis/stats/sketch.ts';

function sketch(values: number[], accuracy = 0.01): LatencySketch {
  const s = new LatencySketch(accuracy);
  for (const v of values) s.add(v);
  return s;
}

const VALUES_A = [0, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597];
const VALUES_B = [0.0001, 7, 7, 7, 120, 4000, 65_000];

describe('sketch bytes', () => {
  it('round-trips every statistic', () => {
    const s = sketch(VALUES_A);
    const d = decodeSketch(encodeSketch(s));
    if ('error' in d) throw new Error(d.error);
    expect(d.toJSON()).toEqual(s.toJSON());
    expect(d.summary()).toEqual(s.summary());
  });

  it('round-trips an empty sketch and fractional weights', () => {
    const empty = decodeSketch(encodeSketch(new LatencySketch()));
    if ('error' in empty) throw new Error(empty.error);
    expect(empty.count).toBe(0);
    const w = new LatencySketch();
    w.add(10, 0.5);
    w.add(20, 2.25);
    const d = decodeSketch(encodeSketch(w));
    if ('error' in d) throw new Error(d.error);
    expect(d.toJSON()).toEqual(w.toJSON());
  });

  it('is small for a few calls', () => {
    expect(encodeSketch(sketch([12, 13, 15])).length).toBeLessThan(70);
  });

  it('merges two encoded sketches like LatencySketch.merge', () => {
    const want = sketch(VALUES_A);
    want.merge(sketch(VALUES_B));
    const r = mergeSketchBytes(encodeSketch(sketch(VALUES_A)), encodeSketch(sketch(VALUES_B)));
    expect(r.damaged).toBe(0);
    const got = decodeSketch(r.bytes!);
    if ('error' in got) throw new Error(got.error);
    expect(got.toJSON()).toEqual(want.toJSON());
    expect(mergeSketchBytes(null, encodeSketch(sketch(VALUES_B))).bytes).toEqual(encodeSketch(sketch(VALUES_B)));
    expect(mergeSketchBytes(null, null).bytes).toBeNull();
  });

  it('merges many cells with the byte merger exactly as sketch merging does', () => {
    const want = new LatencySketch();
    const m = new SketchBytesMerger();
    for (let i = 0; i < 50; i++) {
      const cell = sketch([i, i * 3.7, 1000 / (i + 1)]);
      want.merge(cell);
      m.add(encodeSketch(cell));
    }
    const got = m.toSketch(0.01);
    expect(got.count).toBe(want.count);
    expect(got.summary()).toEqual(want.summary());
    expect(got.sum).toBeCloseTo(want.sum, 6);
    expect(m.damaged).toBe(0);
  });

  it('answers damaged bytes with an error value and skips them in the merger', () => {
    const good = encodeSketch(sketch(VALUES_A));
    expect(decodeSketch(good.subarray(0, 10))).toEqual({ error: 'sketch bytes: too short' });
    expect(decodeSketch(good.subarray(0, good.length - 1))).toEqual({ error: 'sketch bytes: truncated' });
    const v2 = Uint8Array.from(good);
    v2[0] = 9;
    expect(decodeSketch(v2)).toEqual({ error: 'sketch bytes: unknown version 9' });
    const m = new SketchBytesMerger();
    m.add(good.subarray(0, good.length - 1));
    m.add(encodeSketch(sketch([1], 0.02)));
    expect(m.damaged).toBe(1);
    // The first readable cell (2%) sets the accuracy; 1% cells are then foreign.
    m.add(good);
    expect(m.damaged).toBe(2);
    expect(m.count).toBe(1);
  });
});
