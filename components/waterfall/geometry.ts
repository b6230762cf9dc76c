// Pixel geometry of the waterfall: where a span's bar sits for the current zoom window, which
// rows the viewport shows, and the time-axis ticks. Pure: d3 computes the ticks, React draws.
import { scaleLinear } from 'd3';

export interface Bar {
  /** Left edge in px from the start of the timeline column. */
  x: number;
  width: number;
  /** True when the span lies wholly outside the zoom window (draw nothing). */
  hidden: boolean;
  /** The bar was clipped on the left / right by the zoom window. */
  clippedStart: boolean;
  clippedEnd: boolean;
}

/** A bar is never narrower than this, so a 1 µs span in a 10 s trace is still visible and clickable. */
export const MIN_BAR_PX = 2;

/**
 * The bar of a span [offsetMs, offsetMs + durationMs] inside the zoom window [viewStartMs,
 * viewEndMs] drawn across `widthPx`. Zero-length windows and negative widths are treated as
 * empty, never as NaN.
 */
export function barGeometry(offsetMs: number, durationMs: number, viewStartMs: number, viewEndMs: number, widthPx: number): Bar {
  const span = viewEndMs - viewStartMs;
  const end = offsetMs + Math.max(0, durationMs);
  if (!(span > 0) || !(widthPx > 0) || end < viewStartMs || offsetMs > viewEndMs) {
    return { x: 0, width: 0, hidden: true, clippedStart: false, clippedEnd: false };
  }
  const k = widthPx / span;
  const clippedStart = offsetMs < viewStartMs;
  const clippedEnd = end > viewEndMs;
  const x0 = (Math.max(offsetMs, viewStartMs) - viewStartMs) * k;
  const x1 = (Math.min(end, viewEndMs) - viewStartMs) * k;
  let width = Math.max(MIN_BAR_PX, x1 - x0);
  let x = x0;
  if (x + width > widthPx) {
    x = Math.max(0, widthPx - width);
    width = Math.min(width, widthPx);
  }
  return { x, width, hidden: false, clippedStart, clippedEnd };
}

/** First and one-past-last entries of the visible-row list to render for a scroll position. */
export function rowWindow(scrollTop: number, viewportPx: number, rowPx: number, rows: number, overscan = 8): { start: number; end: number } {
  if (rows <= 0 || rowPx <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowPx);
  const count = Math.ceil(Math.max(0, viewportPx) / rowPx) + 1;
  const start = Math.max(0, Math.min(rows - 1, first - overscan));
  const end = Math.min(rows, first + count + overscan);
  return { start, end: Math.max(start, end) };
}

/** scrollTop that brings a row into view (centred when it is off screen; unchanged when visible). */
export function scrollToRow(position: number, scrollTop: number, viewportPx: number, rowPx: number): number {
  const top = position * rowPx;
  if (top >= scrollTop && top + rowPx <= scrollTop + viewportPx) return scrollTop;
  return Math.max(0, top - Math.floor(viewportPx / 2) + rowPx);
}

export interface Tick {
  x: number;
  label: string;
}

/** Human duration: 850 µs, 12.3 ms, 4.21 s, 2m 05s. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const a = Math.abs(ms);
  if (a === 0) return '0 ms';
  if (a < 1) return `${round(ms * 1000, a * 1000 < 10 ? 2 : a * 1000 < 100 ? 1 : 0)} µs`;
  if (a < 1000) return `${round(ms, a < 10 ? 2 : a < 100 ? 1 : 0)} ms`;
  if (a < 60_000) return `${round(ms / 1000, a < 10_000 ? 2 : 1)} s`;
  const m = Math.floor(a / 60_000);
  const s = Math.round((a % 60_000) / 1000);
  return `${ms < 0 ? '-' : ''}${m}m ${String(s).padStart(2, '0')}s`;
}

function round(v: number, digits: number): string {
  return Number(v.toFixed(digits)).toString();
}

/** Time-axis ticks across the zoom window; d3 picks round steps. */
export function timeTicks(viewStartMs: number, viewEndMs: number, widthPx: number, count = 6): Tick[] {
  if (!(viewEndMs > viewStartMs) || !(widthPx > 0)) return [];
  const scale = scaleLinear().domain([viewStartMs, viewEndMs]).range([0, widthPx]);
  return scale.ticks(count).map((t) => ({ x: scale(t), label: formatDuration(t) }));
}

/** The zoom window after dragging a selection [x0, x1] (px) on the current one; tiny drags are ignored. */
export function zoomToSelection(viewStartMs: number, viewEndMs: number, widthPx: number, x0: number, x1: number): [number, number] | null {
  const lo = Math.max(0, Math.min(x0, x1));
  const hi = Math.min(widthPx, Math.max(x0, x1));
  if (hi - lo < 3 || !(widthPx > 0)) return null;
  const k = (viewEndMs - viewStartMs) / widthPx;
  return [viewStartMs + lo * k, viewStartMs + hi * k];
}
