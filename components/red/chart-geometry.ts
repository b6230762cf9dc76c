// RED chart geometry, pure: d3 computes scales, ticks, paths and the hovered point; the
// React component only draws what this returns.
import { area, bisector, line, scaleLinear, scaleTime, timeFormat } from 'd3';

export interface ChartSeries<P> {
  key: string;
  label: string;
  color: string;
  value: (p: P) => number;
  /** Filled under the line (for a single-series rate chart). */
  fill?: boolean;
  /** Points where the value means nothing (latency of a bucket with no requests) leave a gap. */
  defined?: (p: P) => boolean;
}

export interface ChartGeometry {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
  paths: { key: string; color: string; line: string; area?: string }[];
  x(timeMs: number): number;
  y(value: number): number;
  /** Pixel → epoch ms, for the hover crosshair. */
  invert(px: number): number;
}

export const CHART_MARGIN = { top: 10, right: 14, bottom: 22, left: 56 };

export function chartGeometry<P extends { timeMs: number }>(points: readonly P[], series: readonly ChartSeries<P>[], width: number, height: number, yFormat: (v: number) => string, domainMs?: [number, number]): ChartGeometry {
  const m = CHART_MARGIN;
  const innerW = Math.max(10, width - m.left - m.right);
  const innerH = Math.max(10, height - m.top - m.bottom);
  const t0 = domainMs?.[0] ?? points[0]?.timeMs ?? 0;
  const t1 = domainMs?.[1] ?? points[points.length - 1]?.timeMs ?? 1;
  const x = scaleTime().domain([new Date(t0), new Date(t1 > t0 ? t1 : t0 + 60_000)]).range([m.left, m.left + innerW]);
  let max = 0;
  for (const p of points) for (const s of series) {
    const v = s.value(p);
    if (Number.isFinite(v) && v > max) max = v;
  }
  const y = scaleLinear().domain([0, max > 0 ? max : 1]).nice(4).range([m.top + innerH, m.top]);
  const fmt = timeFormat(t1 - t0 > 2 * 24 * 3600_000 ? '%b %d' : t1 - t0 > 12 * 3600_000 ? '%b %d %H:%M' : '%H:%M');
  const xTicks = x.ticks(Math.max(2, Math.floor(innerW / 90))).map((d) => ({ x: x(d), label: fmt(d) }));
  const yTicks = y.ticks(4).map((v) => ({ y: y(v), label: yFormat(v) }));
  const paths = series.map((s) => {
    const val = (p: P) => {
      const v = s.value(p);
      return Number.isFinite(v) ? v : 0;
    };
    const defined = s.defined ?? (() => true);
    const l = line<P>().defined(defined).x((p) => x(new Date(p.timeMs))).y((p) => y(val(p)));
    const a = s.fill ? area<P>().defined(defined).x((p) => x(new Date(p.timeMs))).y0(m.top + innerH).y1((p) => y(val(p))) : null;
    return { key: s.key, color: s.color, line: l(points as P[]) ?? '', area: a ? (a(points as P[]) ?? '') : undefined };
  });
  return { width, height, margin: m, xTicks, yTicks, paths, x: (t) => x(new Date(t)), y: (v) => y(v), invert: (px) => x.invert(px).getTime() };
}

/** Index of the point nearest to time `t` (points sorted by time), or -1 when there are none. */
export function nearestIndex(points: readonly { timeMs: number }[], t: number): number {
  if (points.length === 0) return -1;
  const i = bisector((p: { timeMs: number }) => p.timeMs).center(points as { timeMs: number }[], t);
  return Math.max(0, Math.min(points.length - 1, i));
}
