// The duration-over-time scatter of the trace search: d3 computes scales and ticks here, React
// draws the circles. Pure: the caller passes the window and the plot size.
import { scaleLinear, scaleLog, scaleTime, timeFormat } from 'd3';

export interface ScatterInput {
  traceId: string;
  startMs: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
}

export interface ScatterPoint {
  traceId: string;
  x: number;
  y: number;
  r: number;
  error: boolean;
}

export interface ScatterLayout {
  points: ScatterPoint[];
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
  /** Plot-x → epoch ms, for the brush. */
  invertX(px: number): number;
}

export const SCATTER_MARGIN = { top: 10, right: 16, bottom: 24, left: 56 };

export function scatterLayout(
  traces: readonly ScatterInput[],
  window: { fromMs: number; toMs: number },
  width: number,
  height: number,
  formatMs: (ms: number) => string,
): ScatterLayout {
  const w = Math.max(1, width - SCATTER_MARGIN.left - SCATTER_MARGIN.right);
  const h = Math.max(1, height - SCATTER_MARGIN.top - SCATTER_MARGIN.bottom);
  const x = scaleTime().domain([new Date(window.fromMs), new Date(window.toMs)]).range([0, w]);
  const durations = traces.map((t) => Math.max(t.durationMs, 0.001));
  const lo = durations.length ? Math.min(...durations) : 1;
  const hi = durations.length ? Math.max(...durations) : 1000;
  // Latency spans decades: a log axis keeps fast and slow traces both readable.
  const useLog = hi / lo > 50;
  const y = useLog
    ? scaleLog().domain([lo * 0.8, hi * 1.25]).range([h, 0]).nice()
    : scaleLinear().domain([0, hi * 1.1 || 1]).range([h, 0]).nice();
  const maxSpans = Math.max(1, ...traces.map((t) => t.spanCount));
  const points = traces.map((t) => ({
    traceId: t.traceId,
    x: x(new Date(t.startMs)),
    y: y(Math.max(t.durationMs, 0.001)),
    r: 3 + 5 * Math.sqrt(t.spanCount / maxSpans),
    error: t.errorCount > 0,
  }));
  const spanMs = window.toMs - window.fromMs;
  const tickFormat = timeFormat(spanMs <= 2 * 60_000 ? '%H:%M:%S' : spanMs <= 24 * 3_600_000 ? '%H:%M' : '%b %d %H:%M');
  const xTicks = x.ticks(Math.max(2, Math.floor(w / 110))).map((d) => ({ x: x(d), label: tickFormat(d) }));
  const yValues = useLog ? (y as ReturnType<typeof scaleLog>).ticks(4) : (y as ReturnType<typeof scaleLinear>).ticks(4);
  const yTicks = dedupeLabels(yValues.map((v) => ({ y: y(v), label: formatMs(v) })));
  return { points, xTicks, yTicks, invertX: (px) => x.invert(px).getTime() };
}

/** Log ticks repeat labels after rounding ("1 ms" twice); keep the first of each. */
function dedupeLabels(ticks: { y: number; label: string }[]): { y: number; label: string }[] {
  const seen = new Set<string>();
  return ticks.filter((t) => (seen.has(t.label) ? false : (seen.add(t.label), true)));
}
