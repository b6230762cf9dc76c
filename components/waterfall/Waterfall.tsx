'use client';
// The virtualized waterfall: only the rows in the viewport (plus a few) exist in the DOM, so a
// 100,000-span trace costs the same to scroll as a 100-span one. Row maths lives in rows.ts and
// geometry.ts; this component only draws.
import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { TraceSpanJson } from '../../lib/query/types.ts';
import { barGeometry, formatDuration, rowWindow, scrollToRow, timeTicks, zoomToSelection } from './geometry.ts';
import type { RowModel } from './rows.ts';
import styles from './waterfall.module.css';

export const ROW_PX = 24;
const INDENT_PX = 14;
/** Deeper rows stop indenting: a 500-deep chain must not push names out of the column. */
const MAX_INDENT_DEPTH = 24;

export interface WaterfallProps {
  spans: readonly TraceSpanJson[];
  model: RowModel;
  visible: Int32Array;
  colors: Map<string, string>;
  collapsed: ReadonlySet<number>;
  selected: number;
  matches: ReadonlySet<number>;
  highlights: ReadonlySet<number>;
  criticalMode: boolean;
  view: [number, number];
  scrollRequest: { index: number; seq: number } | null;
  onZoom: (v: [number, number] | null) => void;
  onToggle: (index: number) => void;
  onSelect: (index: number) => void;
}

/** Position of a row index in the (ascending) visible list, or -1. */
export function positionOf(visible: Int32Array, index: number): number {
  let lo = 0;
  let hi = visible.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (visible[mid] === index) return mid;
    if (visible[mid] < index) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function Waterfall(p: WaterfallProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [size, setSize] = useState({ w: 1000, h: 600 });
  const [drag, setDrag] = useState<{ x0: number; x1: number } | null>(null);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setSize({ w: el.clientWidth, h: el.clientHeight });
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    measure();
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = scroller.current;
    if (!el || !p.scrollRequest) return;
    const pos = positionOf(p.visible, p.scrollRequest.index);
    if (pos < 0) return;
    const next = scrollToRow(pos, el.scrollTop, el.clientHeight, ROW_PX);
    if (next !== el.scrollTop) el.scrollTop = next;
    setScrollTop(el.scrollTop);
    // Only a new request (seq) scrolls; a re-render must not pull the view back.
  }, [p.scrollRequest?.seq]);

  const nameW = Math.round(Math.min(520, Math.max(260, size.w * 0.36)));
  const timeW = Math.max(50, size.w - nameW - 12);
  const [v0, v1] = p.view;
  const ticks = timeTicks(v0, v1, timeW, Math.max(2, Math.floor(timeW / 120)));
  const { start, end } = rowWindow(scrollTop, size.h, ROW_PX, p.visible.length);

  const onKeyDown = (e: React.KeyboardEvent) => {
    const pos = p.selected >= 0 ? positionOf(p.visible, p.selected) : -1;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = Math.max(0, Math.min(p.visible.length - 1, pos + (e.key === 'ArrowDown' ? 1 : -1)));
      if (p.visible.length > 0) p.onSelect(p.visible[next]);
    } else if (e.key === 'ArrowLeft' && p.selected >= 0) {
      e.preventDefault();
      if (p.model.childCount[p.selected] > 0 && !p.collapsed.has(p.selected)) p.onToggle(p.selected);
      else if (p.spans[p.selected].parentIndex >= 0) p.onSelect(p.spans[p.selected].parentIndex);
    } else if (e.key === 'ArrowRight' && p.selected >= 0 && p.collapsed.has(p.selected)) {
      e.preventDefault();
      p.onToggle(p.selected);
    }
  };

  const rows = [];
  for (let pos = start; pos < end; pos++) {
    const i = p.visible[pos];
    rows.push(
      <Row
        key={i}
        index={i}
        top={pos * ROW_PX}
        span={p.spans[i]}
        model={p.model}
        color={p.colors.get(p.spans[i].service) ?? '#5b9cff'}
        collapsed={p.collapsed.has(i)}
        selected={p.selected === i}
        match={p.matches.has(i)}
        highlight={p.highlights.has(i)}
        criticalMode={p.criticalMode}
        v0={v0}
        v1={v1}
        nameW={nameW}
        timeW={timeW}
        onToggle={p.onToggle}
        onSelect={p.onSelect}
      />,
    );
  }

  const axisX = (e: React.MouseEvent) => e.clientX - e.currentTarget.getBoundingClientRect().left;
  return (
    <>
      <div className={styles.axis}>
        <div className={styles.axisName} style={{ width: nameW }}>
          <span>Service · operation</span>
          <span className="muted">{p.visible.length.toLocaleString()} rows</span>
        </div>
        <div
          className={styles.axisTime}
          data-testid="time-axis"
          title="Drag to zoom into a time range"
          onMouseDown={(e) => setDrag({ x0: axisX(e), x1: axisX(e) })}
          onMouseMove={(e) => drag && setDrag({ ...drag, x1: axisX(e) })}
          onMouseUp={() => {
            if (drag) {
              const z = zoomToSelection(v0, v1, timeW, drag.x0, drag.x1);
              if (z) p.onZoom(z);
            }
            setDrag(null);
          }}
          onMouseLeave={() => setDrag(null)}
        >
          {ticks.map((t) => (
            <div key={t.label} className={styles.tick} style={{ left: t.x }}>
              {t.label}
            </div>
          ))}
          {drag && Math.abs(drag.x1 - drag.x0) > 2 ? <div className={styles.mmDrag} style={{ left: Math.min(drag.x0, drag.x1), width: Math.abs(drag.x1 - drag.x0) }} /> : null}
        </div>
      </div>
      <div
        ref={scroller}
        className={styles.scroller}
        tabIndex={0}
        role="tree"
        aria-label="Spans"
        data-testid="waterfall"
        onKeyDown={onKeyDown}
        onScroll={(e) => {
          const el = e.currentTarget;
          cancelAnimationFrame(frame.current);
          frame.current = requestAnimationFrame(() => setScrollTop(el.scrollTop));
        }}
      >
        <div style={{ height: p.visible.length * ROW_PX, position: 'relative' }}>
          {/* Viewport-tall, following the scroll: content-tall lines cost paint on every frame. */}
          {ticks.map((t) => (
            <div key={t.label} className={styles.gridline} style={{ left: nameW + t.x, top: scrollTop, height: Math.max(0, Math.min(size.h, p.visible.length * ROW_PX - scrollTop)) }} />
          ))}
          {rows}
        </div>
      </div>
    </>
  );
}

interface RowProps {
  index: number;
  top: number;
  span: TraceSpanJson;
  model: RowModel;
  color: string;
  collapsed: boolean;
  selected: boolean;
  match: boolean;
  highlight: boolean;
  criticalMode: boolean;
  v0: number;
  v1: number;
  nameW: number;
  timeW: number;
  onToggle: (i: number) => void;
  onSelect: (i: number) => void;
}

const Row = memo(function Row(r: RowProps) {
  const s = r.span;
  const hasKids = r.model.childCount[r.index] > 0;
  const isErr = s.status.code === 'error';
  const bar = barGeometry(s.offsetMs, s.durationMs, r.v0, r.v1, r.timeW);
  const dim = r.criticalMode && !s.onCriticalPath;
  const hiddenCount = r.collapsed ? r.model.subtreeEnd[r.index] - r.index - 1 : 0;
  const cls = [styles.row, r.selected ? styles.rowSel : '', r.highlight ? styles.rowHl : '', r.match ? styles.rowMatch : ''].join(' ');
  const barCls = [styles.bar, isErr ? styles.barErr : '', r.criticalMode && s.onCriticalPath ? styles.barCrit : '', dim ? styles.barDim : '', bar.clippedStart ? styles.clipL : '', bar.clippedEnd ? styles.clipR : ''].join(' ');
  const label = formatDuration(s.durationMs);
  // Right of the bar when there is room, else inside a wide bar, else left of it.
  const labelPlace = bar.x + bar.width + 70 < r.timeW ? 'right' : bar.width > 80 ? 'inside' : 'left';
  const labelStyle =
    labelPlace === 'right' ? { left: bar.x + bar.width + 8 } : labelPlace === 'inside' ? { right: r.timeW - bar.x - bar.width + 8, color: '#0b0e14', fontWeight: 600 } : { right: r.timeW - bar.x + 10 };
  return (
    <div
      className={cls}
      style={{ top: r.top }}
      role="treeitem"
      aria-selected={r.selected}
      aria-expanded={hasKids ? !r.collapsed : undefined}
      aria-level={s.depth + 1}
      data-span-id={s.spanId}
      data-critical={s.onCriticalPath ? '1' : undefined}
      data-error={isErr ? '1' : undefined}
      data-highlight={r.highlight ? '1' : undefined}
      onClick={() => r.onSelect(r.index)}
    >
      <div className={styles.name} style={{ width: r.nameW, paddingLeft: 4 + Math.min(s.depth, MAX_INDENT_DEPTH) * INDENT_PX }}>
        <span className={styles.svcEdge} style={{ background: r.color }} />
        {hasKids ? (
          <button
            type="button"
            className={styles.toggle}
            aria-label={r.collapsed ? 'Expand' : 'Collapse'}
            data-testid="row-toggle"
            onClick={(e) => {
              e.stopPropagation();
              r.onToggle(r.index);
            }}
          >
            {r.collapsed ? '▶' : '▼'}
          </button>
        ) : (
          <span className={styles.leaf} />
        )}
        {isErr ? (
          <span className={styles.errMark} title="Error status" aria-label="error">
            !
          </span>
        ) : r.collapsed && r.model.descendantError[r.index] ? (
          <span className={styles.errBelow} title="An error below" />
        ) : null}
        <span className={styles.svcName} title={s.service.length > 300 ? undefined : s.service}>
          {s.service.length > 200 ? s.service.slice(0, 200) + '…' : s.service}
        </span>
        <span className={styles.opName} title={s.name.length > 300 ? undefined : s.name}>
          {s.name.length > 300 ? s.name.slice(0, 300) + '…' : s.name}
        </span>
        {hiddenCount > 0 ? <span className={styles.hidden}>+{hiddenCount.toLocaleString()}</span> : null}
      </div>
      <div className={styles.timeline}>
        {bar.hidden ? null : (
          <>
            <div className={barCls} style={{ left: bar.x, width: bar.width, background: r.color }} />
            <span className={styles.durLabel} style={labelStyle}>
              {label}
            </span>
          </>
        )}
      </div>
    </div>
  );
});
