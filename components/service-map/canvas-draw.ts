// Canvas renderer for big maps. Measured on the 1,000-service / 5,748-edge mesh: the SVG map
// took over a second per zoom step (the browser repaints ~7,000 SVG elements every frame), while
// one canvas pass draws the same scene in tens of milliseconds. Small maps stay SVG (DOM
// semantics, crisp text, testable); big ones draw here. Text goes through fillText: never HTML.
import { quadtree, type Quadtree } from 'd3';
import type { GraphEdgeJson, GraphNodeJson } from '../../lib/query/types.ts';
import { SEVERITY_COLOR, nodeBadgePosition, type BadgeIndex } from './badges.ts';
import type { LayoutOutput } from './layout.ts';
import { EDGE_KIND_STYLE, NODE_KIND_STYLE, errorColor, shapePath, shortLabel, showLabels } from './style.ts';
import { edgeEmphasised, edgeGeometry, type VisibleGraph } from './view-model.ts';

/** Above either count the map draws on canvas. */
export const CANVAS_MIN_NODES = 300;
export const CANVAS_MIN_EDGES = 1200;

export function canvasRendererFor(nodes: number, edges: number): boolean {
  return nodes > CANVAS_MIN_NODES || edges > CANVAS_MIN_EDGES;
}

export interface SceneNode {
  node: GraphNodeJson;
  x: number;
  y: number;
  r: number;
}
export interface SceneEdge {
  edge: GraphEdgeJson;
  /** Quadratic curve: start, control, end. */
  ax: number;
  ay: number;
  cx: number;
  cy: number;
  bx: number;
  by: number;
  mid: { x: number; y: number };
  width: number;
}
export interface Scene {
  nodes: SceneNode[];
  edges: SceneEdge[];
  nodeTree: Quadtree<SceneNode>;
  edgeTree: Quadtree<SceneEdge>;
  maxR: number;
}

export function buildScene(graph: VisibleGraph, layout: LayoutOutput, radius: (rate: number) => number, width: (rate: number) => number): Scene {
  const nodes: SceneNode[] = [];
  const byId = new Map<string, SceneNode>();
  let maxR = 0;
  for (const n of graph.nodes) {
    const p = layout.positions[n.id];
    if (!p) continue;
    const s = { node: n, x: p.x, y: p.y, r: radius(n.ratePerSec) };
    if (s.r > maxR) maxR = s.r;
    nodes.push(s);
    byId.set(n.id, s);
  }
  const edges: SceneEdge[] = [];
  for (const e of graph.edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (!s || !t) continue;
    const g = edgeGeometry(s.x, s.y, t.x, t.y, s.r, t.r);
    edges.push({ edge: e, ax: g.a.x, ay: g.a.y, cx: g.c.x, cy: g.c.y, bx: g.b.x, by: g.b.y, mid: g.mid, width: width(e.ratePerSec) });
  }
  return {
    nodes,
    edges,
    maxR,
    nodeTree: quadtree<SceneNode>().x((d) => d.x).y((d) => d.y).addAll(nodes),
    edgeTree: quadtree<SceneEdge>().x((d) => d.mid.x).y((d) => d.mid.y).addAll(edges),
  };
}

/** What is under a point in scene coordinates: a node (within its radius) first, else an edge midpoint. */
export function hitTest(scene: Scene, x: number, y: number, k: number): { node?: SceneNode; edge?: SceneEdge } {
  const n = scene.nodeTree.find(x, y, scene.maxR + 4);
  if (n && Math.hypot(n.x - x, n.y - y) <= n.r + 4) return { node: n };
  const e = scene.edgeTree.find(x, y, 10 / Math.max(k, 0.05));
  return e ? { edge: e } : {};
}

const pathCache = new Map<string, Path2D>();
function shape(kind: GraphNodeJson['kind'], r: number): Path2D {
  const key = `${kind}|${r.toFixed(1)}`;
  let p = pathCache.get(key);
  if (!p) {
    p = new Path2D(shapePath(NODE_KIND_STYLE[kind].shape, r));
    if (pathCache.size > 2000) pathCache.clear();
    pathCache.set(key, p);
  }
  return p;
}

export interface DrawState {
  transform: { x: number; y: number; k: number };
  width: number;
  height: number;
  dpr: number;
  emphasised: Set<string> | null;
  selected: string | null;
  hovered: string | null;
  badges: BadgeIndex;
}

export function drawScene(ctx: CanvasRenderingContext2D, scene: Scene, st: DrawState): void {
  const { k, x, y } = st.transform;
  ctx.setTransform(st.dpr, 0, 0, st.dpr, 0, 0);
  ctx.clearRect(0, 0, st.width, st.height);
  ctx.setTransform(st.dpr * k, 0, 0, st.dpr * k, st.dpr * x, st.dpr * y);
  // Cull what is off screen (in scene coordinates).
  const x0 = -x / k - 50;
  const y0 = -y / k - 50;
  const x1 = (st.width - x) / k + 50;
  const y1 = (st.height - y) / k + 50;
  const onScreen = (px: number, py: number) => px >= x0 && px <= x1 && py >= y0 && py <= y1;
  const arrows = k >= 0.45;

  ctx.lineCap = 'round';
  for (const e of scene.edges) {
    if (!onScreen(e.ax, e.ay) && !onScreen(e.bx, e.by) && !onScreen(e.cx, e.cy)) continue;
    const on = edgeEmphasised(e.edge, st.emphasised, st.selected);
    const color = errorColor(e.edge.errorRate);
    ctx.globalAlpha = on ? 0.7 : 0.08;
    ctx.strokeStyle = color;
    ctx.lineWidth = e.width;
    const dash = EDGE_KIND_STYLE[e.edge.kind].dash;
    ctx.setLineDash(dash ? dash.split(' ').map(Number) : []);
    ctx.beginPath();
    ctx.moveTo(e.ax, e.ay);
    ctx.quadraticCurveTo(e.cx, e.cy, e.bx, e.by);
    ctx.stroke();
    if (arrows) {
      const ang = Math.atan2(e.by - e.cy, e.bx - e.cx);
      ctx.setLineDash([]);
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.moveTo(e.bx + Math.cos(ang) * 3, e.by + Math.sin(ang) * 3);
      ctx.lineTo(e.bx + Math.cos(ang + 2.6) * 7, e.by + Math.sin(ang + 2.6) * 7);
      ctx.lineTo(e.bx + Math.cos(ang - 2.6) * 7, e.by + Math.sin(ang - 2.6) * 7);
      ctx.fill();
    }
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;

  const labels = showLabels(k, scene.nodes.length);
  const badges = k >= 0.3;
  ctx.textAlign = 'center';
  for (const s of scene.nodes) {
    if (!onScreen(s.x, s.y)) continue;
    const n = s.node;
    const dim = !!st.emphasised && !st.emphasised.has(n.id);
    const style = NODE_KIND_STYLE[n.kind];
    ctx.globalAlpha = dim ? 0.2 : 1;
    ctx.save();
    ctx.translate(s.x, s.y);
    if (n.errorRate > 0) {
      ctx.strokeStyle = errorColor(n.errorRate);
      ctx.lineWidth = 2.5;
      ctx.setLineDash([3, 2]);
      ctx.beginPath();
      ctx.arc(0, 0, s.r + 4, 0, Math.PI * 2);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    const p = shape(n.kind, s.r);
    ctx.fillStyle = style.fill;
    ctx.fill(p);
    ctx.strokeStyle = st.selected === n.id ? '#ffffff' : style.stroke;
    ctx.lineWidth = st.selected === n.id || st.hovered === n.id || st.emphasised?.has(n.id) ? 3.5 : 2;
    ctx.stroke(p);
    if (labels) {
      ctx.font = '500 12px Inter, ui-sans-serif, system-ui, sans-serif';
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#0b0e14';
      ctx.fillStyle = '#e3e7ef';
      const label = shortLabel(n.name);
      ctx.strokeText(label, 0, s.r + 15);
      ctx.fillText(label, 0, s.r + 15);
    }
    const b = st.badges.nodes.get(n.id);
    if (badges && b) {
      const bp = nodeBadgePosition(0, 0, s.r);
      ctx.fillStyle = SEVERITY_COLOR[b.severity];
      ctx.beginPath();
      ctx.arc(bp.x, bp.y, 8, 0, Math.PI * 2);
      ctx.fill();
      ctx.fillStyle = '#111';
      ctx.font = '700 10px Inter, ui-sans-serif, system-ui, sans-serif';
      ctx.fillText(String(b.count), bp.x, bp.y + 3.5);
    }
    ctx.restore();
  }
  ctx.globalAlpha = 1;
}
