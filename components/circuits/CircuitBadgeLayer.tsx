// Breaker badges on the service map's edges: red when open, amber when half-open; a dashed ring
// marks an inferred state. A small SVG layer above the edges (and a canvas pass for big maps),
// fed by /api/v1/circuits, so the map's own layers stay untouched.
import type { LayoutOutput } from '../service-map/layout.ts';
import { edgeGeometry, type VisibleGraph } from '../service-map/view-model.ts';
import type { CircuitBadge, CircuitBadgeIndex } from './edge-badges.ts';
import { STATE_COLOR } from './timeline.ts';

/** Where on the edge: a third of the way from the caller, clear of the findings badge at the middle. */
const AT = 0.3;

function place(graph: VisibleGraph, layout: LayoutOutput, radius: (rate: number) => number, key: string) {
  const i = key.indexOf('->');
  const sId = key.slice(0, i);
  const tId = key.slice(i + 2);
  const s = layout.positions[sId];
  const t = layout.positions[tId];
  const sn = graph.nodes.find((n) => n.id === sId);
  const tn = graph.nodes.find((n) => n.id === tId);
  if (!s || !t || !sn || !tn) return undefined;
  const g = edgeGeometry(s.x, s.y, t.x, t.y, radius(sn.ratePerSec), radius(tn.ratePerSec));
  const u = 1 - AT;
  return { x: u * u * g.a.x + 2 * u * AT * g.c.x + AT * AT * g.b.x, y: u * u * g.a.y + 2 * u * AT * g.c.y + AT * AT * g.b.y };
}

const color = (b: CircuitBadge) => STATE_COLOR[b.state];

export function CircuitBadgeLayer({ graph, layout, radius, badges }: { graph: VisibleGraph; layout: LayoutOutput; radius: (rate: number) => number; badges: CircuitBadgeIndex }) {
  if (badges.size === 0) return null;
  return (
    <g className="circuit-badges">
      {[...badges].map(([key, b]) => {
        const p = place(graph, layout, radius, key);
        if (!p) return null;
        return (
          <g key={key} transform={`translate(${p.x},${p.y})`} data-circuit-edge={key} data-state={b.state} data-source={b.source} data-testid="circuit-badge">
            <title>{b.label}</title>
            <rect x={-9} y={-6} width={18} height={12} rx={3} fill={color(b)} stroke="#0b0e14" strokeWidth={1.5} strokeDasharray={b.source === 'inferred' ? '2 2' : undefined} />
            {/* An open breaker's gap; half-open lets a trickle through. */}
            <path d={b.state === 'open' ? 'M-5,0 H-2 M2,0 H5' : 'M-5,0 H5'} stroke="#111" strokeWidth={2} strokeDasharray={b.state === 'half_open' ? '2 1.5' : undefined} />
          </g>
        );
      })}
    </g>
  );
}

/** The same badges on the canvas renderer (big maps), in scene coordinates. */
export function drawCircuitBadges(ctx: CanvasRenderingContext2D, graph: VisibleGraph, layout: LayoutOutput, radius: (rate: number) => number, badges: CircuitBadgeIndex): void {
  if (badges.size === 0) return;
  ctx.save();
  for (const [key, b] of badges) {
    const p = place(graph, layout, radius, key);
    if (!p) continue;
    ctx.fillStyle = color(b);
    ctx.strokeStyle = '#0b0e14';
    ctx.lineWidth = 1.5;
    ctx.setLineDash(b.source === 'inferred' ? [2, 2] : []);
    ctx.beginPath();
    ctx.rect(p.x - 9, p.y - 6, 18, 12);
    ctx.fill();
    ctx.stroke();
  }
  ctx.restore();
}
