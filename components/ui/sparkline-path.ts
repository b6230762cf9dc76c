// The sparkline's geometry, pure so it can be tested: d3 computes, React draws.
import { area, line, scaleLinear } from 'd3';

export interface SparklineGeometry {
  line: string;
  area: string;
}

export function sparklineGeometry(values: readonly number[], width: number, height: number, pad = 1.5): SparklineGeometry | null {
  const finite = values.map((v) => (Number.isFinite(v) ? v : 0));
  if (finite.length === 0) return null;
  const series = finite.length === 1 ? [finite[0], finite[0]] : finite;
  const max = Math.max(...series);
  const x = scaleLinear().domain([0, series.length - 1]).range([pad, width - pad]);
  const y = scaleLinear().domain([0, max > 0 ? max : 1]).range([height - pad, pad]);
  const l = line<number>().x((_, i) => x(i)).y((v) => y(v));
  const a = area<number>().x((_, i) => x(i)).y0(height - pad).y1((v) => y(v));
  return { line: l(series) ?? '', area: a(series) ?? '' };
}
