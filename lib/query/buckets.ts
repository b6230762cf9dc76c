// A time window → the rollup rows that cover it: whole hours from the hour tier, the ragged ends
// from the minute tier, so a 7-day window reads ~170 hour rows per key instead of 10,080.
import type { BucketRange } from '../store/rollups/reader.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MINUTES = 60;

export interface AlignedWindow {
  /** Epoch minutes, [fromMinute, toMinute). */
  fromMinute: number;
  toMinute: number;
  fromMs: number;
  toMs: number;
}

/** Rollups are per minute: a window covers every minute it touches. */
export function alignWindow(fromMs: number, toMs: number): AlignedWindow {
  const fromMinute = Math.floor(fromMs / MINUTE_MS);
  const toMinute = Math.max(fromMinute + 1, Math.ceil(toMs / MINUTE_MS));
  return { fromMinute, toMinute, fromMs: fromMinute * MINUTE_MS, toMs: toMinute * MINUTE_MS };
}

export function planRanges(w: AlignedWindow, useHours = true): BucketRange[] {
  const hStart = Math.ceil(w.fromMinute / HOUR_MINUTES) * HOUR_MINUTES;
  const hEnd = Math.floor(w.toMinute / HOUR_MINUTES) * HOUR_MINUTES;
  if (!useHours || hEnd <= hStart) return [{ res: 1, from: w.fromMinute, to: w.toMinute }];
  return [
    { res: 1, from: w.fromMinute, to: hStart },
    { res: HOUR_MINUTES, from: hStart, to: hEnd },
    { res: 1, from: hEnd, to: w.toMinute },
  ].filter((r) => r.to > r.from);
}

/** Seconds the window's rates are computed over: up to now when the window reaches the future. */
export function rateSeconds(w: AlignedWindow, nowMs: number): number {
  const end = Math.min(w.toMs, Math.max(nowMs, w.fromMs + 1000));
  return Math.max(1, (end - w.fromMs) / 1000);
}
