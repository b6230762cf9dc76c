'use client';
// Duration over time for the search results: d3 computes scales and the brush, React draws the
// dots. Brushing narrows the time window (the URL's from/to); clicking a dot opens the trace.
import { brushX, select } from 'd3';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TraceSummaryJson } from '../../lib/query/types.ts';
import { formatDuration } from '../waterfall/geometry.ts';
import { SCATTER_MARGIN, scatterLayout } from './scatter-layout.ts';
import styles from './traces.module.css';

const HEIGHT = 200;

export function DurationScatter({
  traces,
  window,
  onBrush,
  onOpen,
}: {
  traces: readonly TraceSummaryJson[];
  window: { fromMs: number; toMs: number };
  onBrush: (fromMs: number, toMs: number) => void;
  onOpen: (traceId: string) => void;
}) {
  const svgRef = useRef<SVGSVGElement>(null);
  const brushRef = useRef<SVGGElement>(null);
  const [width, setWidth] = useState(900);
  const [hover, setHover] = useState<{ t: TraceSummaryJson; x: number; y: number } | null>(null);

  useEffect(() => {
    const el = svgRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth || 900));
    ro.observe(el);
    setWidth(el.clientWidth || 900);
    return () => ro.disconnect();
  }, []);

  const layout = useMemo(() => scatterLayout(traces, window, width, HEIGHT, formatDuration), [traces, window, width]);
  const byId = useMemo(() => new Map(traces.map((t) => [t.traceId, t])), [traces]);
  const plotW = Math.max(1, width - SCATTER_MARGIN.left - SCATTER_MARGIN.right);
  const plotH = HEIGHT - SCATTER_MARGIN.top - SCATTER_MARGIN.bottom;

  // The brush owns its own small DOM (d3's interaction); React owns everything else.
  const invert = useRef(layout.invertX);
  invert.current = layout.invertX;
  const brushCb = useRef(onBrush);
  brushCb.current = onBrush;
  useEffect(() => {
    const g = brushRef.current;
    if (!g) return;
    const brush = brushX<unknown>()
      .extent([
        [0, 0],
        [plotW, plotH],
      ])
      .on('end', (event: { selection: [number, number] | null; sourceEvent?: unknown }) => {
        if (!event.selection || !event.sourceEvent) return;
        const [x0, x1] = event.selection;
        select(g).call(brush.move as never, null);
        if (x1 - x0 >= 3) brushCb.current(invert.current(x0), invert.current(x1));
      });
    const sel = select(g);
    sel.call(brush as never);
    return () => {
      sel.on('.brush', null);
      sel.selectAll('*').remove();
    };
  }, [plotW, plotH]);

  return (
    <div className={styles.scatterCard} data-testid="trace-scatter">
      <div className={styles.scatterHead}>
        <span>Duration over time</span>
        <span className={styles.hint}>drag across the chart to narrow the time window · click a dot to open the trace</span>
        <span className={styles.legend}>
          <span>
            <span className="dot" style={{ background: '#5b9cff' }} /> ok
          </span>
          <span>
            <span className="dot" style={{ background: '#f2495c' }} /> has errors
          </span>
        </span>
      </div>
      <svg ref={svgRef} className={styles.scatter} height={HEIGHT} role="img" aria-label="Trace duration over time">
        <g transform={`translate(${SCATTER_MARGIN.left},${SCATTER_MARGIN.top})`}>
          {layout.yTicks.map((t) => (
            <g key={`y${t.label}`}>
              <line className={styles.grid} x1={0} x2={plotW} y1={t.y} y2={t.y} />
              <text className={styles.axis} x={-8} y={t.y + 4} textAnchor="end">
                {t.label}
              </text>
            </g>
          ))}
          {layout.xTicks.map((t) => (
            <text key={`x${t.x}`} className={styles.axis} x={t.x} y={plotH + 16} textAnchor="middle">
              {t.label}
            </text>
          ))}
          <g ref={brushRef} />
          {layout.points.map((p) => (
            <circle
              key={p.traceId}
              className={p.error ? styles.dotErr : styles.dot}
              cx={p.x}
              cy={p.y}
              r={p.r}
              data-trace-id={p.traceId}
              onMouseEnter={() => {
                const t = byId.get(p.traceId);
                if (t) setHover({ t, x: p.x + SCATTER_MARGIN.left, y: p.y + SCATTER_MARGIN.top });
              }}
              onMouseLeave={() => setHover(null)}
              onClick={() => onOpen(p.traceId)}
            />
          ))}
        </g>
      </svg>
      {hover ? (
        <div className={styles.tooltip} style={{ left: Math.min(hover.x + 14, width - 260), top: hover.y + 4 }}>
          <strong>{hover.t.rootService}</strong> {hover.t.rootName}
          <div className="muted">
            {formatDuration(hover.t.durationMs)} · {hover.t.spanCount} spans{hover.t.errorCount ? ` · ${hover.t.errorCount} errors` : ''}
          </div>
        </div>
      ) : null}
    </div>
  );
}
