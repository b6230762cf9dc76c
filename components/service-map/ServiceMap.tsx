'use client';
// The map's drawing surface: React renders SVG elements, d3 computes layout (in a worker),
// scales and zoom. Zoom/pan move one <g> transform directly (no React render per frame), and
// labels appear only when readable (level of detail), which keeps 1,000 nodes / 5,000 edges usable.
import { select, zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { GraphEdgeJson, GraphNodeJson } from '../../lib/query/types.ts';
import { formatMs, formatPercent, formatRate } from '../ui/format.ts';
import { SEVERITY_COLOR, nodeBadgePosition, type Badge, type BadgeIndex } from './badges.ts';
import { CircuitBadgeLayer, drawCircuitBadges } from '../circuits/CircuitBadgeLayer.tsx';
import type { CircuitBadgeIndex } from '../circuits/edge-badges.ts';
import { buildScene, canvasRendererFor, drawScene, hitTest, type SceneEdge, type SceneNode } from './canvas-draw.ts';
import { bounds, type LayoutOutput } from './layout.ts';
import { EDGE_KIND_STYLE, ERROR_BANDS, NODE_KIND_STYLE, edgeWidthScale, errorColor, nodeRadiusScale, shapePath, shortLabel, showLabels } from './style.ts';
import { useLayout } from './use-layout.ts';
import { edgeEmphasised, edgeGeometry, type VisibleGraph } from './view-model.ts';

export interface LayoutInfo {
  ms: number | null;
  where: 'worker' | 'main' | null;
  nodes: number;
  edges: number;
}

export interface ServiceMapHandle {
  fit(): void;
  zoomTo(id: string): void;
}

interface Props {
  graph: VisibleGraph;
  badges: BadgeIndex;
  /** Circuit-breaker badges by `source->target` (components/circuits). */
  circuits?: CircuitBadgeIndex;
  selected: string | null;
  onSelect(id: string | null): void;
  /** Called with the layout time once a layout is drawn (the footer shows it). */
  onLayout?(info: LayoutInfo): void;
  /** Node to centre on when it changes (search "enter"). */
  zoomTarget?: { id: string; seq: number } | null;
  fitSeq?: number;
}

type Hover = { kind: 'node'; node: GraphNodeJson; x: number; y: number } | { kind: 'edge'; edge: GraphEdgeJson; x: number; y: number } | null;

export function ServiceMap({ graph, badges, circuits, selected, onSelect, onLayout, zoomTarget, fitSeq }: Props) {
  const wrapRef = useRef<HTMLDivElement>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const sceneRef = useRef<SVGGElement>(null);
  const zoomRef = useRef<ZoomBehavior<Element, unknown> | null>(null);
  const transformRef = useRef<ZoomTransform>(zoomIdentity);
  const drawRef = useRef<() => void>(() => {});
  const frame = useRef<number | null>(null);
  const [size, setSize] = useState({ w: 800, h: 600 });
  const [labels, setLabels] = useState(true);
  const [hover, setHover] = useState<Hover>(null);
  const fittedFor = useRef<string | null>(null);
  const canvasMode = canvasRendererFor(graph.nodes.length, graph.edges.length);

  const maxNodeRate = useMemo(() => Math.max(0, ...graph.nodes.map((n) => n.ratePerSec)), [graph.nodes]);
  const maxEdgeRate = useMemo(() => Math.max(0, ...graph.edges.map((e) => e.ratePerSec)), [graph.edges]);
  const radius = useMemo(() => nodeRadiusScale(maxNodeRate), [maxNodeRate]);
  const width = useMemo(() => edgeWidthScale(maxEdgeRate), [maxEdgeRate]);
  const layoutNodes = useMemo(() => graph.nodes.map((n) => ({ id: n.id, r: radius(n.ratePerSec), labelChars: shortLabel(n.name).length })), [graph.nodes, radius]);
  const { layout, ms, pending, error, where } = useLayout(layoutNodes, graph.edges);
  const scene = useMemo(() => (canvasMode && layout ? buildScene(graph, layout, radius, width) : null), [canvasMode, graph, layout, radius, width]);

  const nodeCount = graph.nodes.length;
  const updateLod = useCallback((k: number) => setLabels(showLabels(k, nodeCount)), [nodeCount]);

  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const ro = new ResizeObserver((entries) => {
      const r = entries[0].contentRect;
      setSize({ w: Math.max(200, r.width), h: Math.max(200, r.height) });
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Canvas: one draw per animation frame, however many zoom events arrive.
  const hoveredId = hover?.kind === 'node' ? hover.node.id : null;
  drawRef.current = () => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !scene) return;
    const t = transformRef.current;
    const started = performance.now();
    drawScene(ctx, scene, { transform: { x: t.x, y: t.y, k: t.k }, width: size.w, height: size.h, dpr: window.devicePixelRatio || 1, emphasised: graph.emphasised, selected, hovered: hoveredId, badges });
    if (layout && circuits) drawCircuitBadges(ctx, graph, layout, radius, circuits);
    // Exposed for bench:ui and curious users (the frame budget is the figure that matters at scale).
    wrapRef.current?.setAttribute('data-draw-ms', (performance.now() - started).toFixed(1));
  };
  const requestDraw = useCallback(() => {
    if (frame.current !== null) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      drawRef.current();
    });
  }, []);
  useEffect(() => {
    if (canvasMode) requestDraw();
  }, [canvasMode, scene, size, graph.emphasised, selected, hoveredId, badges, circuits, requestDraw]);
  useEffect(() => () => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
  }, []);

  useEffect(() => {
    const el: Element | null = canvasMode ? canvasRef.current : svgRef.current;
    if (!el) return;
    const z = zoom<Element, unknown>()
      .scaleExtent([0.05, 4])
      .on('zoom', (ev: { transform: ZoomTransform }) => {
        transformRef.current = ev.transform;
        if (canvasMode) requestDraw();
        else sceneRef.current?.setAttribute('transform', ev.transform.toString());
        updateLod(ev.transform.k);
        setHover(null);
      });
    zoomRef.current = z;
    const sel = select(el);
    sel.call(z).on('dblclick.zoom', null);
    // Switching renderer keeps the view where it was.
    sel.call(z.transform, transformRef.current);
    return () => {
      sel.on('.zoom', null);
    };
  }, [updateLod, canvasMode, requestDraw]);

  const applyTransform = useCallback(
    (t: ZoomTransform) => {
      const el: Element | null = canvasMode ? canvasRef.current : svgRef.current;
      const z = zoomRef.current;
      if (el && z) select(el).call(z.transform, t);
    },
    [canvasMode],
  );

  const fit = useCallback(() => {
    if (!layout) return;
    const b = bounds(layout.positions, 60);
    // Keep the legend (bottom-left overlay) from covering nodes: fit into the area above it.
    const legendH = size.h > 500 ? 100 : 0;
    const h = size.h - legendH;
    const k = Math.min(size.w / (b.x1 - b.x0), h / (b.y1 - b.y0 + 40), 1.6) * 0.95;
    applyTransform(zoomIdentity.translate(size.w / 2 - ((b.x0 + b.x1) / 2) * k, h / 2 - ((b.y0 + b.y1) / 2) * k).scale(k));
  }, [layout, size, applyTransform]);

  // Fit once per new layout shape (not on every live refresh), and when asked.
  const layoutKey = layout ? Object.keys(layout.positions).length + ':' + graph.edges.length : null;
  useEffect(() => {
    if (!layout || fittedFor.current === layoutKey) return;
    fittedFor.current = layoutKey;
    fit();
  }, [layout, layoutKey, fit]);
  useEffect(() => {
    if (fitSeq) fit();
  }, [fitSeq, fit]);

  useEffect(() => {
    if (!zoomTarget || !layout) return;
    const p = layout.positions[zoomTarget.id];
    if (!p) return;
    const k = Math.max(transformRef.current.k, 1);
    applyTransform(zoomIdentity.translate(size.w / 2 - p.x * k, size.h / 2 - p.y * k).scale(k));
  }, [zoomTarget, layout, size, applyTransform]);

  // A selection opens the side panel, which narrows the map: bring the selected node back into view.
  useEffect(() => {
    if (!selected || !layout) return;
    const p = layout.positions[selected];
    if (!p) return;
    const t = transformRef.current;
    const sx = t.x + p.x * t.k;
    const sy = t.y + p.y * t.k;
    const margin = 60;
    if (sx >= margin && sx <= size.w - margin && sy >= margin && sy <= size.h - margin) return;
    applyTransform(zoomIdentity.translate(size.w / 2 - p.x * t.k, size.h / 2 - p.y * t.k).scale(t.k));
    // Only when the selection or the map's size changes, not on every layout refresh.
  }, [selected, size.w, size.h]);

  useEffect(() => {
    if (layout) onLayout?.({ ms, where, nodes: graph.nodes.length, edges: graph.edges.length });
  }, [layout, ms, where, graph.nodes.length, graph.edges.length, onLayout]);

  const toLocal = useCallback((ev: React.MouseEvent) => {
    const r = wrapRef.current!.getBoundingClientRect();
    return { x: ev.clientX - r.left, y: ev.clientY - r.top };
  }, []);

  const canvasHit = (ev: React.MouseEvent): { node?: SceneNode; edge?: SceneEdge; local: { x: number; y: number } } => {
    const local = toLocal(ev);
    if (!scene) return { local };
    const t = transformRef.current;
    return { ...hitTest(scene, (local.x - t.x) / t.k, (local.y - t.y) / t.k, t.k), local };
  };

  const dpr = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;
  return (
    <div className="map-canvas" ref={wrapRef} data-testid="service-map" data-renderer={canvasMode ? 'canvas' : 'svg'} data-layout={layout ? 'ready' : 'pending'} data-nodes={graph.nodes.length} data-edges={graph.edges.length}>
      {canvasMode ? (
        <canvas
          ref={canvasRef}
          width={Math.round(size.w * dpr)}
          height={Math.round(size.h * dpr)}
          style={{ width: size.w, height: size.h, display: 'block', cursor: hover ? 'pointer' : undefined }}
          role="img"
          aria-label={`Service dependency map: ${graph.nodes.length} nodes, ${graph.edges.length} edges`}
          onMouseMove={(ev) => {
            const h = canvasHit(ev);
            if (h.node) setHover({ kind: 'node', node: h.node.node, ...h.local });
            else if (h.edge) setHover({ kind: 'edge', edge: h.edge.edge, ...h.local });
            else if (hover) setHover(null);
          }}
          onMouseLeave={() => setHover(null)}
          onClick={(ev) => {
            const h = canvasHit(ev);
            onSelect(h.node ? h.node.node.id : null);
          }}
        />
      ) : (
        <svg ref={svgRef} width={size.w} height={size.h} role="img" aria-label="Service dependency map" onClick={(e) => e.target === svgRef.current && onSelect(null)}>
          <defs>
            {ERROR_BANDS.map((b, i) => (
              <marker key={b.color} id={`arrow-${i}`} viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse">
                <path d="M0,0 L10,5 L0,10 Z" fill={b.color} />
              </marker>
            ))}
          </defs>
          <g ref={sceneRef}>
            {layout ? (
              <>
                <EdgeLayer graph={graph} layout={layout} radius={radius} width={width} badges={badges} selected={selected} onHover={setHover} toLocal={toLocal} />
                <NodeLayer graph={graph} layout={layout} radius={radius} badges={badges} selected={selected} labels={labels} onSelect={onSelect} onHover={setHover} toLocal={toLocal} />
                {circuits ? <CircuitBadgeLayer graph={graph} layout={layout} radius={radius} badges={circuits} /> : null}
              </>
            ) : null}
          </g>
        </svg>
      )}
      {!layout && pending ? <div className="map-overlay">Laying out {graph.nodes.length} nodes…</div> : null}
      {error ? <div className="map-overlay error">Layout failed: {error}</div> : null}
      {hover ? <Tooltip hover={hover} width={size.w} height={size.h} /> : null}
    </div>
  );
}

function bandIndex(rate: number): number {
  const c = errorColor(rate);
  return ERROR_BANDS.findIndex((b) => b.color === c);
}

interface LayerProps {
  graph: VisibleGraph;
  layout: LayoutOutput;
  radius: (rate: number) => number;
  badges: BadgeIndex;
  selected: string | null;
  onHover(h: Hover): void;
  toLocal(ev: React.MouseEvent): { x: number; y: number };
}

/** Above this many edges the invisible wide hit path per edge costs more than it helps: hover the line itself. */
const HIT_PATH_MAX_EDGES = 1500;

// Layers map every item to a memoized view with primitive props: a live refresh re-renders only
// the nodes and edges whose numbers changed (TanStack Query keeps unchanged objects identical).
const EdgeLayer = memo(function EdgeLayer({ graph, layout, radius, width, badges, selected, onHover, toLocal }: LayerProps & { width: (rate: number) => number }) {
  const rate = new Map(graph.nodes.map((n) => [n.id, n.ratePerSec]));
  const hit = graph.edges.length <= HIT_PATH_MAX_EDGES;
  return (
    <g className="edges">
      {graph.edges.map((e) => {
        const s = layout.positions[e.source];
        const t = layout.positions[e.target];
        const sr = rate.get(e.source);
        const tr = rate.get(e.target);
        if (!s || !t || sr === undefined || tr === undefined) return null;
        const badge = badges.edges.get(e.id);
        return (
          <EdgeView
            key={e.id}
            edge={e}
            sx={s.x}
            sy={s.y}
            tx={t.x}
            ty={t.y}
            sr={radius(sr)}
            tr={radius(tr)}
            width={width(e.ratePerSec)}
            dim={!edgeEmphasised(e, graph.emphasised, selected)}
            badgeCount={badge?.count ?? 0}
            badgeSeverity={badge?.severity}
            hit={hit}
            onHover={onHover}
            toLocal={toLocal}
          />
        );
      })}
    </g>
  );
});

interface EdgeViewProps {
  edge: GraphEdgeJson;
  sx: number;
  sy: number;
  tx: number;
  ty: number;
  sr: number;
  tr: number;
  width: number;
  dim: boolean;
  badgeCount: number;
  badgeSeverity?: Badge['severity'];
  hit: boolean;
  onHover(h: Hover): void;
  toLocal(ev: React.MouseEvent): { x: number; y: number };
}

const EdgeView = memo(function EdgeView({ edge: e, sx, sy, tx, ty, sr, tr, width, dim, badgeCount, badgeSeverity, hit, onHover, toLocal }: EdgeViewProps) {
  const geo = edgeGeometry(sx, sy, tx, ty, sr, tr);
  const hover = {
    onMouseMove: (ev: React.MouseEvent) => onHover({ kind: 'edge', edge: e, ...toLocal(ev) }),
    onMouseLeave: () => onHover(null),
  };
  return (
    <g className={dim ? 'edge dim' : 'edge'} data-edge={`${e.source}->${e.target}`} data-kind={e.kind}>
      {hit ? <path d={geo.d} className="edge-hit" {...hover} /> : null}
      <path d={geo.d} className={hit ? 'edge-line' : 'edge-line hoverable'} stroke={errorColor(e.errorRate)} strokeWidth={width} strokeDasharray={EDGE_KIND_STYLE[e.kind].dash} markerEnd={`url(#arrow-${bandIndex(e.errorRate)})`} {...(hit ? {} : hover)} />
      {badgeCount > 0 && badgeSeverity ? (
        <g className="badge" transform={`translate(${geo.mid.x},${geo.mid.y})`}>
          <circle r={8} fill={SEVERITY_COLOR[badgeSeverity]} />
          <text dy="0.35em">{badgeCount}</text>
        </g>
      ) : null}
    </g>
  );
});

const NodeLayer = memo(function NodeLayer({ graph, layout, radius, badges, selected, labels, onSelect, onHover, toLocal }: LayerProps & { labels: boolean; onSelect(id: string | null): void }) {
  return (
    <g className="nodes">
      {graph.nodes.map((n) => {
        const p = layout.positions[n.id];
        if (!p) return null;
        const badge = badges.nodes.get(n.id);
        return (
          <NodeView
            key={n.id}
            node={n}
            x={p.x}
            y={p.y}
            r={radius(n.ratePerSec)}
            dim={!!graph.emphasised && !graph.emphasised.has(n.id)}
            emph={!!graph.emphasised?.has(n.id)}
            selected={selected === n.id}
            labels={labels}
            badgeCount={badge?.count ?? 0}
            badgeSeverity={badge?.severity}
            onSelect={onSelect}
            onHover={onHover}
            toLocal={toLocal}
          />
        );
      })}
    </g>
  );
});

interface NodeViewProps {
  node: GraphNodeJson;
  x: number;
  y: number;
  r: number;
  dim: boolean;
  emph: boolean;
  selected: boolean;
  labels: boolean;
  badgeCount: number;
  badgeSeverity?: Badge['severity'];
  onSelect(id: string | null): void;
  onHover(h: Hover): void;
  toLocal(ev: React.MouseEvent): { x: number; y: number };
}

const NodeView = memo(function NodeView({ node: n, x, y, r, dim, emph, selected, labels, badgeCount, badgeSeverity, onSelect, onHover, toLocal }: NodeViewProps) {
  const style = NODE_KIND_STYLE[n.kind];
  const bp = nodeBadgePosition(0, 0, r);
  const cls = ['node', dim ? 'dim' : '', selected ? 'selected' : '', emph ? 'emph' : ''].filter(Boolean).join(' ');
  return (
    <g
      className={cls}
      transform={`translate(${x},${y})`}
      data-node={n.id}
      data-kind={n.kind}
      tabIndex={0}
      role="button"
      aria-label={`${NODE_KIND_STYLE[n.kind].label} ${n.name}`}
      onKeyDown={(ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          onSelect(n.id);
        }
      }}
      onClick={(ev) => {
        ev.stopPropagation();
        onSelect(n.id);
      }}
      onMouseMove={(ev) => onHover({ kind: 'node', node: n, ...toLocal(ev) })}
      onMouseLeave={() => onHover(null)}
    >
      {n.errorRate > 0 ? <circle r={r + 4} className="node-error-ring" stroke={errorColor(n.errorRate)} /> : null}
      <path d={shapePath(style.shape, r)} fill={style.fill} stroke={style.stroke} className="node-shape" />
      {labels ? (
        <>
          <text className="node-label" y={r + 15}>
            {shortLabel(n.name)}
          </text>
          <text className="node-sub" y={r + 28}>
            {formatRate(n.ratePerSec)} · {formatPercent(n.errorRate)}
          </text>
        </>
      ) : null}
      {badgeCount > 0 && badgeSeverity ? (
        <g className="badge" transform={`translate(${bp.x},${bp.y})`}>
          <circle r={8} fill={SEVERITY_COLOR[badgeSeverity]} />
          <text dy="0.35em">{badgeCount}</text>
        </g>
      ) : null}
    </g>
  );
});

function Tooltip({ hover, width, height }: { hover: NonNullable<Hover>; width: number; height: number }) {
  // Flip to the other side of the cursor near the right or bottom edge, so it is never clipped.
  const style: React.CSSProperties = {
    ...(hover.x > width - 320 ? { right: width - hover.x + 14 } : { left: hover.x + 14 }),
    ...(hover.y > height - 170 ? { bottom: height - hover.y + 14 } : { top: hover.y + 14 }),
  };
  if (hover.kind === 'node') {
    const n = hover.node;
    return (
      <div className="map-tooltip" style={style} role="tooltip">
        <div className="tt-title">{n.name}</div>
        <div className="tt-kind">{NODE_KIND_STYLE[n.kind].label}</div>
        <RedGrid rate={n.ratePerSec} errorRate={n.errorRate} p50={n.p50Ms} p95={n.p95Ms} p99={n.p99Ms} calls={n.calls} />
      </div>
    );
  }
  const e = hover.edge;
  return (
    <div className="map-tooltip" style={style} role="tooltip">
      <div className="tt-title">
        {e.source} → {e.target}
      </div>
      <div className="tt-kind">{EDGE_KIND_STYLE[e.kind].label}</div>
      <RedGrid rate={e.ratePerSec} errorRate={e.errorRate} p50={e.p50Ms} p95={e.p95Ms} p99={e.p99Ms} calls={e.calls} />
    </div>
  );
}

export function RedGrid({ rate, errorRate, p50, p95, p99, calls }: { rate: number; errorRate: number; p50: number; p95: number; p99: number; calls: number }) {
  return (
    <dl className="red-grid">
      <dt>Rate</dt>
      <dd>{formatRate(rate)}</dd>
      <dt>Errors</dt>
      <dd style={{ color: errorRate > 0 ? errorColor(errorRate) : undefined }}>{formatPercent(errorRate)}</dd>
      <dt>Calls</dt>
      <dd>{calls.toLocaleString('en-US')}</dd>
      <dt>p50</dt>
      <dd>{formatMs(p50)}</dd>
      <dt>p95</dt>
      <dd>{formatMs(p95)}</dd>
      <dt>p99</dt>
      <dd>{formatMs(p99)}</dd>
    </dl>
  );
}
