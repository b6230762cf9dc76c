// Rollup latency columns → merged sketches, and the small stats every response shares.
import { decodeSketch } from '../analysis/stats/sketch-bytes.ts';
import { LatencySketch, round3, round6 } from '../analysis/stats/sketch.ts';
import { ROLLUP_ACCURACY } from '../live/delta.ts';
import type { Percentiles } from './types.ts';

/** Adds an encoded sketch into `into`; a damaged or foreign one is skipped (counted by the caller). */
export function mergeBytes(into: LatencySketch, bytes: Uint8Array | null | undefined): boolean {
  if (!bytes || bytes.length === 0) return true;
  const s = decodeSketch(bytes);
  if ('error' in s || s.relativeAccuracy !== into.relativeAccuracy) return false;
  into.merge(s);
  return true;
}

export const newSketch = (): LatencySketch => new LatencySketch(ROLLUP_ACCURACY);

export function percentiles(s: LatencySketch): Percentiles {
  return s.summary();
}

export const errorRate = (calls: number, errors: number): number => (calls > 0 ? round3(errors / calls) : 0);
export const perSecond = (calls: number, seconds: number): number => round6(calls / seconds);
export { round3, round6 };
