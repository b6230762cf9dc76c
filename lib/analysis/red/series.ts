// A RED time series for one service (or one of its operations) over trace trees, with a step.
import { LatencySketch } from '../stats/sketch.ts';
import type { TraceTree } from '../trace/tree.ts';
import { point } from './accumulator.ts';
import type { RedPoint } from './types.ts';

export interface RedSeriesQuery {
  service: string;
  operation?: string;
  stepMs: number;
  /** Epoch ms, inclusive / exclusive; requests starting outside are ignored. */
  fromMs?: number;
  toMs?: number;
  /** Emit zero points for empty buckets between fromMs and toMs (both required). Default true. */
  fill?: boolean;
}

/** Largest number of buckets a query may ask for (a 1 ms step over a month is a mistake, not a chart). */
export const MAX_SERIES_POINTS = 10_000;

export function redSeries(trees: Iterable<TraceTree>, q: RedSeriesQuery): RedPoint[] | { error: string } {
  if (!(q.stepMs > 0)) return { error: `stepMs must be > 0, got ${q.stepMs}` };
  if (q.fromMs !== undefined && q.toMs !== undefined) {
    if (q.toMs <= q.fromMs) return { error: 'toMs must be after fromMs' };
    if ((q.toMs - q.fromMs) / q.stepMs > MAX_SERIES_POINTS) return { error: `more than ${MAX_SERIES_POINTS} points: use a larger step` };
  }
  const buckets = new Map<number, { calls: number; errors: number; lat: LatencySketch }>();
  for (const tree of trees) {
    for (const n of tree.nodes) {
      if ((n.kind !== 'server' && n.kind !== 'consumer') || n.service !== q.service) continue;
      if (q.operation !== undefined && n.span.name !== q.operation) continue;
      const startMs = Number(n.span.startNs / 1_000_000n);
      if (q.fromMs !== undefined && startMs < q.fromMs) continue;
      if (q.toMs !== undefined && startMs >= q.toMs) continue;
      const b = Math.floor(startMs / q.stepMs) * q.stepMs;
      let c = buckets.get(b);
      if (!c) {
        if (buckets.size >= MAX_SERIES_POINTS) continue;
        buckets.set(b, (c = { calls: 0, errors: 0, lat: new LatencySketch() }));
      }
      c.calls++;
      if (n.span.status.code === 'error') c.errors++;
      c.lat.add(n.span.durationNs / 1e6);
    }
  }
  if (q.fill !== false && q.fromMs !== undefined && q.toMs !== undefined) {
    for (let b = Math.floor(q.fromMs / q.stepMs) * q.stepMs; b < q.toMs; b += q.stepMs) {
      if (!buckets.has(b)) buckets.set(b, { calls: 0, errors: 0, lat: new LatencySketch() });
    }
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([t, c]) => point(t, c, q.stepMs));
}
