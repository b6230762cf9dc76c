// Which graph blocks answer a window: the coarsest block that fits wholly inside it where one
// exists, its children where not (not sealed yet, or never written). Blocks of one tier nest in
// the next, so the cover is exact: every minute of the window is counted once.
import { GRAPH_TIERS } from './graph-block.ts';

/**
 * Prefix blocks: the finished minutes of a 5-minute bucket still being written as one block, so a
 * window's newest minutes are that block and the minute being written rather than up to five
 * minute blocks. Stored as res -k for the bucket's first k minutes (k = PREFIX_MIN…4); a writer
 * builds one when it first writes minute bucket + k (one merge per minute, not per pass), adds
 * late deltas to it like to any block, and drops them when the 5-minute block is sealed.
 */
export const PREFIX_TIER = 5;
export const PREFIX_MIN = 2;

/** res minutes per bucket; buckets [from, to) in epoch minutes (a single bucket above the minute tier; res -k: a prefix block). */
export interface BlockSpan {
  res: number;
  from: number;
  to: number;
}

/**
 * The blocks covering [fromMinute, toMinute), oldest first. `sealed(res, bucket)` says whether a
 * block above the minute tier exists; minute blocks are returned as ranges (read with one query).
 */
export function coverWindow(fromMinute: number, toMinute: number, sealed: (res: number, bucket: number) => boolean, tiers: readonly number[] = GRAPH_TIERS): BlockSpan[] {
  const out: BlockSpan[] = [];
  const minutes = (a: number, b: number) => {
    const last = out[out.length - 1];
    if (last && last.res === 1 && last.to === a) last.to = b;
    else out.push({ res: 1, from: a, to: b });
  };
  const go = (a: number, b: number, k: number): void => {
    if (a >= b) return;
    if (k <= 0) return minutes(a, b);
    const w = tiers[k];
    const s = Math.ceil(a / w) * w;
    const e = Math.floor(b / w) * w;
    if (e <= s) return go(a, b, k - 1);
    go(a, s, k - 1);
    for (let x = s; x < e; x += w) {
      if (sealed(w, x)) out.push({ res: w, from: x, to: x + w });
      else go(x, x + w, k - 1);
    }
    go(e, b, k - 1);
  };
  go(fromMinute, toMinute, tiers.length - 1);
  return out;
}
