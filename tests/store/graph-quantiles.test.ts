// SketchScratch.quantiles finds quantiles above the median from the top cell down (integral
// counts): it must give exactly LatencySketch.quantiles for any set of quantiles, any shape of
// sketch (few cells or hundreds, many zeros, fractional weights), read from blocks or added whole.
import { describe, expect, it } from 'vitest';
import { LatencySketch } from '../../lib/analysis/stats/sketch.ts';
import { ROLLUP_ACCURACY } from '../../lib/live/delta.ts';
import { BlockWriter, SketchScratch } from '../../lib/store/rollups/graph-block.ts';
import { BlockMerge } from '../../lib/store/rollups/graph-merge.ts';
import { rng } from './helpers.ts';

const GAMMA = (1 + ROLLUP_ACCURACY) / (1 - ROLLUP_ACCURACY);

function qsets(r: () => number): number[][] {
  const sets = [[0.5, 0.75, 0.95, 0.99], [0, 0.5, 0.75, 0.95, 0.99, 1], [0.99], [0.51, 0.6], [0.2, 0.2, 0.9, 0.9], [1], [0, 1], [0.999999, 1]];
  for (let i = 0; i < 6; i++) {
    const n = 1 + Math.floor(r() * 6);
    sets.push(Array.from({ length: n }, () => (r() < 0.1 ? Math.round(r()) : r())).sort((a, b) => a - b));
  }
  return sets;
}

describe('SketchScratch.quantiles', () => {
  it('equal LatencySketch.quantiles for any quantiles and any sketch', () => {
    const r = rng(19);
    for (let round = 0; round < 150; round++) {
      const ref = new LatencySketch(ROLLUP_ACCURACY);
      const n = [1, 2, 5, 60, 400, 3000][round % 6];
      const fractional = round % 5 === 4;
      const zeros = round % 7 === 3 ? 0.6 : 0.03;
      for (let i = 0; i < n; i++) {
        const v = r() < zeros ? 0 : Math.exp(r() * (round % 3 === 0 ? 2 : 14) - 4);
        ref.add(v, fractional ? 0.25 + r() * 3 : 1 + Math.floor(r() * 3));
      }
      const sets = qsets(r);
      const check = (sc: SketchScratch, how: string) => {
        for (const qs of sets) {
          const got = new Array<number>(qs.length).fill(-1);
          sc.quantiles(qs, GAMMA, got);
          expect(got, `${how}: round ${round}, n ${n}, qs ${qs.join(',')}`).toEqual(ref.quantiles(qs));
        }
      };
      const direct = new SketchScratch();
      direct.addSketch(ref);
      check(direct, 'added whole');
      if (fractional) continue;
      // The same sketch split in two blocks, merged from their cells (what a window query does).
      const j = ref.toJSON();
      const part = (c: number[], z: number) => {
        const s = LatencySketch.fromJSON({ ...j, z, c, n: z + c.reduce((a, b) => a + b, 0), sum: 0 });
        if ('error' in s) throw new Error(s.error);
        return s;
      };
      const halves = [part(j.c.map((c) => Math.floor(c / 2)), 0), part(j.c.map((c) => c - Math.floor(c / 2)), j.z)];
      const bodies = halves.map((h) => {
        const sc = new SketchScratch();
        sc.addSketch(h);
        const w = new BlockWriter(ROLLUP_ACCURACY);
        w.section();
        w.edge({ key: 1, calls: 1, errors: 0, paired: 0, unpaired: 0, peer: 0, traceIds: [] }, sc, undefined);
        w.section();
        w.section();
        return w.finish();
      });
      let merged = 0;
      new BlockMerge(bodies, ROLLUP_ACCURACY).edges((e) => {
        merged++;
        expect(e.lat.n).toBe(ref.count);
        check(e.lat, 'merged from blocks');
      });
      expect(merged).toBe(1);
    }
  });
});
