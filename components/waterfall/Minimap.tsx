'use client';
// The whole trace at a glance on one canvas (100,000 spans are 100,000 fillRects, ~10 ms), with
// the zoom window drawn over it. Drag across it to zoom; double-click to reset.
import { useEffect, useRef, useState } from 'react';
import type { TraceSpanJson } from '../../lib/query/types.ts';
import { zoomToSelection } from './geometry.ts';
import styles from './waterfall.module.css';

export function Minimap({
  spans,
  durationMs,
  colors,
  view,
  onZoom,
}: {
  spans: readonly TraceSpanJson[];
  durationMs: number;
  colors: Map<string, string>;
  view: [number, number];
  onZoom: (v: [number, number] | null) => void;
}) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [drag, setDrag] = useState<{ x0: number; x1: number } | null>(null);

  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    if (!c || width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    const h = 56;
    c.width = Math.round(width * dpr);
    c.height = Math.round(h * dpr);
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, h);
    const n = spans.length;
    if (n === 0 || !(durationMs > 0)) return;
    const k = width / durationMs;
    const rowH = Math.max(0.5, Math.min(4, (h - 4) / n));
    const yk = (h - 4) / n;
    // Group by colour: one fillStyle switch per service, not per span.
    const byColor = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const col = spans[i].status.code === 'error' ? '#f2495c' : (colors.get(spans[i].service) ?? '#5b9cff');
      let list = byColor.get(col);
      if (!list) byColor.set(col, (list = []));
      list.push(i);
    }
    for (const [col, list] of byColor) {
      ctx.fillStyle = col;
      for (const i of list) {
        const s = spans[i];
        ctx.fillRect(s.offsetMs * k, 2 + i * yk, Math.max(1, s.durationMs * k), rowH);
      }
    }
  }, [spans, durationMs, colors, width]);

  const xOf = (e: React.MouseEvent) => e.clientX - (wrap.current?.getBoundingClientRect().left ?? 0);
  const zoomed = view[0] > 0 || view[1] < durationMs;
  const k = durationMs > 0 ? width / durationMs : 0;
  const left = view[0] * k;
  const right = view[1] * k;

  return (
    <div
      ref={wrap}
      className={styles.minimap}
      data-testid="minimap"
      title="Drag to zoom into a time range; double-click to reset"
      onMouseDown={(e) => {
        const x = xOf(e);
        setDrag({ x0: x, x1: x });
      }}
      onMouseMove={(e) => {
        if (drag) setDrag({ ...drag, x1: xOf(e) });
      }}
      onMouseUp={() => {
        if (drag) onZoom(zoomToSelection(0, durationMs, width, drag.x0, drag.x1));
        setDrag(null);
      }}
      onMouseLeave={() => setDrag(null)}
      onDoubleClick={() => onZoom(null)}
    >
      <canvas ref={canvas} />
      {zoomed ? (
        <>
          <div className={styles.mmShade} style={{ left: 0, width: Math.max(0, left) }} />
          <div className={styles.mmShade} style={{ left: right, right: 0 }} />
          <div className={styles.mmWindow} style={{ left, width: Math.max(2, right - left) }} />
        </>
      ) : null}
      {drag && Math.abs(drag.x1 - drag.x0) > 2 ? <div className={styles.mmDrag} style={{ left: Math.min(drag.x0, drag.x1), width: Math.abs(drag.x1 - drag.x0) }} /> : null}
    </div>
  );
}
