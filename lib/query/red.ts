// RED from rollup rows: totals, per-step series with empty buckets filled, impact ranking.
// Same definitions as lib/analysis/red (calls = SERVER + CONSUMER spans; impact = total request
// time = latency × rate × window; self time = exclusive time of requests + time outside any).
import type { LatencySketch } from '../analysis/stats/sketch.ts';
import type { NodeRow, OpRow } from '../store/rollups/reader.ts';
import { MINUTE_MS, type AlignedWindow } from './buckets.ts';
import { SketchBytesMerger } from '../analysis/stats/sketch-bytes.ts';
import { ROLLUP_ACCURACY } from '../live/delta.ts';
import { errorRate, perSecond, round3 } from './sketches.ts';
import type { RedPointJson, RedStatsJson } from './types.ts';

export class RedCell {
  calls = 0;
  errors = 0;
  selfMs = 0;
  looseMs = 0;
  private readonly bytes = new SketchBytesMerger();
  private merged: LatencySketch | undefined;

  add(row: { calls: number; errors: number; latency: Uint8Array; self_ms: number; loose_ms?: number }): void {
    this.calls += row.calls;
    this.errors += row.errors;
    this.selfMs += row.self_ms;
    this.looseMs += row.loose_ms ?? 0;
    this.bytes.add(row.latency);
    this.merged = undefined;
  }

  get damaged(): number {
    return this.bytes.damaged;
  }

  get lat(): LatencySketch {
    return (this.merged ??= this.bytes.toSketch(ROLLUP_ACCURACY));
  }

  stats(seconds: number): RedStatsJson {
    const totalMs = this.lat.sum;
    const self = this.selfMs + this.looseMs;
    return {
      calls: this.calls,
      errors: this.errors,
      errorRate: errorRate(this.calls, this.errors),
      ratePerSec: perSecond(this.calls, seconds),
      meanMs: round3(this.lat.mean()),
      ...this.lat.summary(),
      selfTimeMs: round3(Math.max(0, self)),
      meanSelfTimeMs: this.calls ? round3(Math.max(0, this.selfMs) / this.calls) : 0,
      selfTimeShare: totalMs > 0 ? round3(Math.min(1, Math.max(0, this.selfMs) / totalMs)) : 0,
      impactMs: round3(totalMs),
      impactRank: 0,
    };
  }
}

/** Series over the window at `stepMs`, every step present (zeros where nothing happened). */
export class Series {
  private readonly cells = new Map<number, RedCell>();
  constructor(
    private readonly w: AlignedWindow,
    readonly stepMs: number,
  ) {}

  private start(bucketMinute: number): number {
    return Math.floor((bucketMinute * MINUTE_MS) / this.stepMs) * this.stepMs;
  }

  add(row: NodeRow | (OpRow & { bucket: number })): void {
    const t = this.start(row.bucket);
    let c = this.cells.get(t);
    if (!c) this.cells.set(t, (c = new RedCell()));
    c.add(row);
  }

  points(): RedPointJson[] {
    const out: RedPointJson[] = [];
    const first = Math.floor(this.w.fromMs / this.stepMs) * this.stepMs;
    const secs = this.stepMs / 1000;
    for (let t = first; t < this.w.toMs; t += this.stepMs) {
      const c = this.cells.get(t);
      if (!c) {
        out.push({ timeMs: t, calls: 0, errors: 0, ratePerSec: 0, errorRate: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0 });
        continue;
      }
      out.push({
        timeMs: t,
        calls: c.calls,
        errors: c.errors,
        ratePerSec: perSecond(c.calls, secs),
        errorRate: errorRate(c.calls, c.errors),
        p50Ms: round3(c.lat.quantile(0.5)),
        p95Ms: round3(c.lat.quantile(0.95)),
        p99Ms: round3(c.lat.quantile(0.99)),
      });
    }
    return out;
  }
}

/** Largest impact first; ties by key. Sets impactRank. */
export function rankByImpact<T extends RedStatsJson>(rows: T[], key: (r: T) => string): T[] {
  rows.sort((a, b) => b.impactMs - a.impactMs || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  rows.forEach((r, i) => (r.impactRank = i + 1));
  return rows;
}

/** Hour rows can feed a series only when every step boundary is an hour boundary. */
export const seriesCanUseHours = (stepMs: number): boolean => stepMs % (60 * MINUTE_MS) === 0;
