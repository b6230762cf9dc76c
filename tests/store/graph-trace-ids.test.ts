// A window query reads example trace ids as bytes (BlockMerge 'bytes' mode, TraceIdBytes): the
// same ids in the same order as the string mode the writer uses — duplicates across blocks, the
// five-id cap, the first-three-blocks rule, non-ASCII ids.
import { describe, expect, it } from 'vitest';
import { ROLLUP_ACCURACY } from '../../lib/live/delta.ts';
import { BlockWriter, SketchScratch } from '../../lib/store/rollups/graph-block.ts';
import { BlockMerge } from '../../lib/store/rollups/graph-merge.ts';
import { rng } from './helpers.ts';

const POOL = ['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'ünï', 'ünï', '日本', 'x"y', '', 'g7'];

describe('trace ids as bytes', () => {
  it('are the ids the string mode reads, in order', () => {
    const r = rng(31);
    for (let round = 0; round < 200; round++) {
      const blocks = 1 + Math.floor(r() * 6);
      const bodies = Array.from({ length: blocks }, () => {
        const w = new BlockWriter(ROLLUP_ACCURACY);
        const sc = new SketchScratch();
        w.section();
        for (let key = 0; key < 4; key++) {
          if (r() < 0.3) continue;
          const ids = Array.from({ length: Math.floor(r() * 7) }, () => POOL[Math.floor(r() * POOL.length)]);
          w.edge({ key, calls: 1, errors: 0, paired: 0, unpaired: 0, peer: 0, traceIds: ids }, sc, undefined);
        }
        w.section();
        w.section();
        return w.finish();
      });
      const strings: string[][] = [];
      new BlockMerge(bodies, ROLLUP_ACCURACY, 'strings').edges((e) => strings.push(e.traceIds));
      const bytes: string[][] = [];
      new BlockMerge(bodies, ROLLUP_ACCURACY, 'bytes').edges((e) => {
        expect(e.traceIds).toEqual([]);
        expect(e.ids.n).toBe(e.ids.strings().length);
        bytes.push(e.ids.strings());
      });
      expect(bytes).toEqual(strings);
    }
  });
});
