// Time windows as the URL carries them: a preset (`range=1h`) that slides with the clock, or a
// fixed custom window (`from`/`to`, epoch ms or RFC 3339). Pure: the caller passes `now`.

export interface TimeWindowPreset {
  id: string;
  label: string;
  ms: number;
}

export const TIME_WINDOW_PRESETS: readonly TimeWindowPreset[] = [
  { id: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { id: '1h', label: 'Last 1 hour', ms: 60 * 60_000 },
  { id: '6h', label: 'Last 6 hours', ms: 6 * 60 * 60_000 },
  { id: '24h', label: 'Last 24 hours', ms: 24 * 60 * 60_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 24 * 60 * 60_000 },
];

export const DEFAULT_RANGE = '1h';

export type TimeWindowSpec =
  | { kind: 'preset'; preset: TimeWindowPreset }
  | { kind: 'custom'; fromMs: number; toMs: number };

export interface ResolvedWindow {
  fromMs: number;
  toMs: number;
}

/** Epoch ms or RFC 3339; undefined for anything else (a bad link falls back to the default). */
export function parseTimeParam(value: string | null | undefined): number | undefined {
  if (value == null || value === '') return undefined;
  // Epoch ms, fractions tolerated (a hand-edited or computed link), rounded to whole ms.
  if (/^\d{1,16}(\.\d+)?$/.test(value)) return Math.round(Number(value));
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

export function presetById(id: string | null | undefined): TimeWindowPreset | undefined {
  return TIME_WINDOW_PRESETS.find((p) => p.id === id);
}

/** Reads `range`, `from`, `to`; a valid custom window wins over a preset. */
export function parseTimeWindow(params: { get(name: string): string | null }): TimeWindowSpec {
  const fromMs = parseTimeParam(params.get('from'));
  const toMs = parseTimeParam(params.get('to'));
  if (fromMs !== undefined && toMs !== undefined && fromMs < toMs) return { kind: 'custom', fromMs, toMs };
  const preset = presetById(params.get('range')) ?? presetById(DEFAULT_RANGE)!;
  return { kind: 'preset', preset };
}

export function resolveTimeWindow(spec: TimeWindowSpec, nowMs: number): ResolvedWindow {
  if (spec.kind === 'custom') return { fromMs: spec.fromMs, toMs: spec.toMs };
  return { fromMs: nowMs - spec.preset.ms, toMs: nowMs };
}

/** The URL patch that selects a window (the other form's keys are cleared). */
export function timeWindowParams(spec: TimeWindowSpec): Record<string, string | null> {
  if (spec.kind === 'custom') return { range: null, from: String(Math.round(spec.fromMs)), to: String(Math.round(spec.toMs)) };
  return { range: spec.preset.id, from: null, to: null };
}

/**
 * A window around data that lies outside the current one (imported traces are often old):
 * the span padded by 5% each side, at least one minute wide, so a "show the last data" link
 * frames it.
 */
export function windowAround(firstMs: number, lastMs: number): ResolvedWindow {
  const lo = Math.min(firstMs, lastMs);
  const hi = Math.max(firstMs, lastMs);
  const pad = Math.max((hi - lo) * 0.05, 30_000);
  return { fromMs: Math.floor(lo - pad), toMs: Math.ceil(hi + pad) };
}

/** Polling granularity: a sliding window is re-anchored to `now` rounded to this, so query keys stay stable between refetches. */
export const LIVE_REFRESH_MS = 4_000;

export function describeWindow(spec: TimeWindowSpec, format: (ms: number) => string): string {
  if (spec.kind === 'preset') return spec.preset.label;
  return `${format(spec.fromMs)} → ${format(spec.toMs)}`;
}
