// Quantiles of a sketch with integral bucket counts, walked from both ends. Shared by the graph
// query's merged cells (store/rollups/graph-block.ts) and the services query (query/services.ts),
// which hold their cells differently but must answer exactly as LatencySketch does.

/** Cells lo…hi of a sketch: integral counts, `zeros` below them, `total` in all, clamped to [min, max]. */
export interface IntegralCells {
  readonly counts: Float64Array;
  readonly lo: number;
  readonly hi: number;
  readonly zeros: number;
  readonly total: number;
  readonly min: number;
  readonly max: number;
  /** Cell i's representative value. */
  value(i: number): number;
}

/**
 * Quantiles qs[from…] (those below 1, each at or above the zeros) into `out`. The answer for q is the cell i with cum(i) > q·(n-1) ≥ cum(i-1);
 * cum(i) = total - (counts above i) is exact, so it can be found from the top down as well as
 * from the bottom up. All but the lowest q walk down from the top cell; the lowest (the median)
 * is then found by a scan up from the bottom and one down from where the walk stopped, stepping
 * in turn: whichever meets it first. Latencies bunch at one end of their range, so one of the two
 * is short (measured: about a quarter of the cells a scan up from the bottom visits). Returns the
 * first q not answered.
 */
export function exactQuantiles(s: IntegralCells, qs: readonly number[], from: number, n1: number, out: number[]): number {
  let end = from;
  while (end < qs.length && qs[end] < 1) end++;
  const { counts: c, lo, total, min, max } = s;
  let i = s.hi;
  let above = 0;
  for (let j = end - 1; j > from; j--) {
    const t = qs[j] * n1;
    // No cell lifts the cumulative count past t (cannot happen with consistent counts): as the
    // upward scan, which then ends without an answer.
    if (total - above <= t) {
      out[j] = max;
      continue;
    }
    while (i > lo && total - above - c[i] > t) above += c[i--];
    out[j] = Math.min(max, Math.max(min, s.value(i)));
  }
  const t = qs[from] * n1;
  if (total - above <= t) {
    out[from] = max;
    return end;
  }
  // Invariants: cum(f - 1) = seen ≤ t < cum(i); both scans stop at the same cell.
  let f = lo;
  let seen = s.zeros;
  for (;;) {
    seen += c[f];
    if (seen > t) break;
    f++;
    if (total - above - c[i] <= t) {
      f = i;
      break;
    }
    above += c[i--];
  }
  out[from] = Math.min(max, Math.max(min, s.value(f)));
  return end;
}
