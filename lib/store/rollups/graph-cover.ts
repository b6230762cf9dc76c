// Which graph blocks answer a window: the coarsest block that fits wholly inside it where one
// exists, its children where not (not sealed yet, or never written). Blocks of one tier nest in
// the next, so the cover is exact: every minute of the window is counted once.
import { GRAPH_TIERS } from './graph-block.ts';

/**
 * Prefix blocks: the first k children of a bucket not sealed yet, as one block (k ≥ 2, fewer than
 * all): a 5-minute bucket's first k minutes, an hour's first k quarters, a day's first k 6-hour
 * blocks. A window's newest part is then one prefix per tier instead of up to all but one of the
 * bucket's children. A writer builds the 5-minute ones when it first writes minute bucket + k, the
 * others when it seals a child; it adds late deltas to them like to any block, keeps the longest
 * per bucket, and drops them when the bucket is sealed. Stored as graph blocks of res
 * prefixRes(tier, k) (negative).
 */
export const PREFIX_MIN = 2;

/**
 * Suffix blocks: a sealed bucket's children from child j to its end as one block (two children or
 * more, not all: 1 ≤ j ≤ children - 2), built when the bucket is sealed and given late deltas
 * like any block. A window's oldest part is then one suffix per tier instead of up to all but one
 * of a bucket's children. Stored as graph blocks of res suffixRes(tier, j).
 */
export const prefixRes = (tier: number, k: number): number => -(tier * 100 + k);
export const suffixRes = (tier: number, j: number): number => -(tier * 100 + 50 + j);
/** The res range [lo, hi] of a tier's prefix blocks, of its suffix blocks, of both. */
export const prefixCodes = (tier: number): [number, number] => [prefixRes(tier, 49), prefixRes(tier, 1)];
export const suffixCodes = (tier: number): [number, number] => [suffixRes(tier, 49), suffixRes(tier, 1)];
export const tierCodes = (tier: number): [number, number] => [suffixRes(tier, 49), prefixRes(tier, 1)];

/** The tier and child count of a prefix block's res, or undefined for any other res. */
export function prefixOf(res: number): { tier: number; k: number } | undefined {
  if (res >= 0 || -res % 100 >= 50) return undefined;
  return { tier: Math.floor(-res / 100), k: -res % 100 };
}

/** The tier and first child of a suffix block's res, or undefined for any other res. */
export function suffixOf(res: number): { tier: number; j: number } | undefined {
  if (res >= 0 || -res % 100 <= 50) return undefined;
  return { tier: Math.floor(-res / 100), j: (-res % 100) - 50 };
}

/** The tier below `tier` (its children's width; 0 for the minute tier). */
export function childTier(tier: number, tiers: readonly number[] = GRAPH_TIERS): number {
  const i = tiers.indexOf(tier);
  return i > 0 ? tiers[i - 1] : 0;
}

/** res minutes per bucket; buckets [from, to) in epoch minutes (a single bucket above the minute tier; res < 0: a prefix block). */
export interface BlockSpan {
  res: number;
  from: number;
  to: number;
}

/**
 * The blocks covering [fromMinute, toMinute), oldest first. `sealed(res, bucket)` says whether a
 * block above the minute tier exists; `prefix(res, bucket, most)` the children of the longest
 * prefix block of that bucket holding at most `most` children (0: none); `suffix(res, bucket, j)`
 * whether that bucket has a suffix block from child j. Minute blocks are returned as ranges
 * (read with one query).
 */
export function coverWindow(
  fromMinute: number,
  toMinute: number,
  sealed: (res: number, bucket: number) => boolean,
  tiers: readonly number[] = GRAPH_TIERS,
  prefix: (res: number, bucket: number, most: number) => number = () => 0,
  suffix: (res: number, bucket: number, j: number) => boolean = () => false,
): BlockSpan[] {
  const out: BlockSpan[] = [];
  const minutes = (a: number, b: number) => {
    const last = out[out.length - 1];
    if (last && last.res === 1 && last.to === a) last.to = b;
    else out.push({ res: 1, from: a, to: b });
  };
  // [x, end) inside the tier-k bucket starting at x: the bucket's block when whole and sealed,
  // else its longest prefix that fits and the rest from finer tiers.
  const bucket = (x: number, end: number, k: number): void => {
    const w = tiers[k];
    if (end === x + w && sealed(w, x)) {
      out.push({ res: w, from: x, to: x + w });
      return;
    }
    const c = tiers[k - 1];
    const j = prefix(w, x, Math.min(Math.floor((end - x) / c), w / c - 1));
    if (j >= PREFIX_MIN) {
      out.push({ res: prefixRes(w, j), from: x, to: x + j * c });
      return go(x + j * c, end, k - 1);
    }
    go(x, end, k - 1);
  };
  // [a, s): the end of the tier-k bucket that ends at s: its suffix from the first child boundary
  // at or after a, finer blocks before that.
  const tail = (a: number, s: number, k: number): void => {
    const w = tiers[k];
    const c = tiers[k - 1];
    const x = s - w;
    const at = Math.ceil(a / c) * c;
    const j = (at - x) / c;
    if (j >= 1 && j <= w / c - 2 && suffix(w, x, j)) {
      go(a, at, k - 1);
      out.push({ res: suffixRes(w, j), from: at, to: s });
      return;
    }
    go(a, s, k - 1);
  };
  const go = (a: number, b: number, k: number): void => {
    if (a >= b) return;
    if (k <= 0) return minutes(a, b);
    const w = tiers[k];
    const s = Math.ceil(a / w) * w;
    if (s >= b) return go(a, b, k - 1);
    if (a < s) tail(a, s, k);
    for (let x = s; x < b; x += w) bucket(x, Math.min(b, x + w), k);
  };
  go(fromMinute, toMinute, tiers.length - 1);
  return out;
}
