'use client';
// One RED chart: d3 scales and paths from chart-geometry.ts, drawn as SVG by React, with a
// crosshair shared between the charts of a page (hoverTime is lifted to the page).
import { useEffect, useRef, useState } from 'react';
import type { RedPointJson } from '../../lib/query/types.ts';
import { formatDateTime } from '../ui/format.ts';
import { chartGeometry, nearestIndex, type ChartSeries } from './chart-geometry.ts';

interface Props {
  title: string;
  points: readonly RedPointJson[];
  series: readonly ChartSeries<RedPointJson>[];
  yFormat(v: number): string;
  domainMs: [number, number];
  hoverTime: number | null;
  onHoverTime(t: number | null): void;
  height?: number;
  testId?: string;
}

export function TimeSeriesChart({ title, points, series, yFormat, domainMs, hoverTime, onHoverTime, height = 190, testId }: Props) {
  const wrap = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(480);
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver((e) => setWidth(Math.max(200, e[0].contentRect.width)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const g = chartGeometry(points, series, width, height, yFormat, domainMs);
  const idx = hoverTime === null ? -1 : nearestIndex(points, hoverTime);
  const hp = idx >= 0 ? points[idx] : null;
  const hx = hp ? g.x(hp.timeMs) : 0;
  const bottom = height - g.margin.bottom;
  return (
    <div className="card" data-testid={testId}>
      <div className="card-head">
        <span className="card-title">{title}</span>
        <span className="chart-legend">
          {series.map((s) => (
            <span key={s.key} className="legend-item">
              <span className="swatch" style={{ background: s.color }} />
              {s.label}
            </span>
          ))}
        </span>
      </div>
      <div className="chart" ref={wrap}>
        <svg
          width={width}
          height={height}
          onMouseMove={(e) => {
            const r = (e.currentTarget as SVGSVGElement).getBoundingClientRect();
            const px = e.clientX - r.left;
            if (px < g.margin.left || px > width - g.margin.right) return onHoverTime(null);
            onHoverTime(g.invert(px));
          }}
          onMouseLeave={() => onHoverTime(null)}
        >
          <g className="grid">
            {g.yTicks.map((t) => (
              <line key={t.y} x1={g.margin.left} x2={width - g.margin.right} y1={t.y} y2={t.y} />
            ))}
          </g>
          <g className="axis">
            {g.yTicks.map((t) => (
              <text key={t.y} x={g.margin.left - 8} y={t.y} dy="0.32em" textAnchor="end">
                {t.label}
              </text>
            ))}
            <line x1={g.margin.left} x2={width - g.margin.right} y1={bottom} y2={bottom} />
            {g.xTicks.map((t) => (
              <text key={t.x} x={t.x} y={bottom + 15} textAnchor="middle">
                {t.label}
              </text>
            ))}
          </g>
          {g.paths.map((p) => (
            <g key={p.key}>
              {p.area ? <path d={p.area} fill={p.color} opacity={0.14} /> : null}
              <path d={p.line} fill="none" stroke={p.color} strokeWidth={1.6} strokeLinejoin="round" />
            </g>
          ))}
          {hp ? (
            <>
              <line className="crosshair" x1={hx} x2={hx} y1={g.margin.top} y2={bottom} />
              {series.filter((s) => !s.defined || s.defined(hp)).map((s) => (
                <circle key={s.key} cx={hx} cy={g.y(s.value(hp))} r={3.5} fill={s.color} stroke="var(--bg)" strokeWidth={1.5} />
              ))}
            </>
          ) : null}
        </svg>
        {hp ? (
          <div className="chart-tooltip" style={hx > width / 2 ? { right: width - hx + 10 } : { left: hx + 10 }}>
            <div className="muted">{formatDateTime(hp.timeMs)}</div>
            {series.map((s) => (
              <div key={s.key}>
                <span className="swatch" style={{ background: s.color, marginRight: 6 }} />
                {s.label}: <strong>{s.defined && !s.defined(hp) ? 'no requests' : yFormat(s.value(hp))}</strong>
              </div>
            ))}
          </div>
        ) : null}
      </div>
    </div>
  );
}
