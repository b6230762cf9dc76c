// The map's layout, pure (it runs inside a Web Worker, see layout.worker.ts): service graphs are
// mostly DAGs (edge → gateway → services → databases), so nodes are first given layers (longest
// path from the entry points, back edges of cycles ignored) and a force simulation then untangles
// each layer while pulling nodes towards their layer's column. Reads left to right, like the flow.
import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type SimulationLinkDatum, type SimulationNodeDatum } from 'd3';

export interface LayoutNodeInput {
  id: string;
  r: number;
  /** Characters in the node's label: long labels need more room beside the node. */
  labelChars?: number;
}
export interface LayoutEdgeInput {
  source: string;
  target: string;
}
export interface LayoutInput {
  nodes: LayoutNodeInput[];
  edges: LayoutEdgeInput[];
  /** Positions from the previous layout: kept nodes start there, so a refresh does not reshuffle the map. */
  previous?: Record<string, { x: number; y: number }>;
}
export interface LayoutOutput {
  positions: Record<string, { x: number; y: number }>;
  layers: Record<string, number>;
  ticks: number;
}

export const LAYER_SPACING = 190;

/** Longest-path layering on the graph with cycle back edges removed (iterative DFS, O(V+E)). */
export function assignLayers(nodeIds: readonly string[], edges: readonly LayoutEdgeInput[]): Map<string, number> {
  const out = new Map<string, string[]>();
  const indeg = new Map<string, number>();
  for (const id of nodeIds) {
    out.set(id, []);
    indeg.set(id, 0);
  }
  for (const e of edges) {
    if (e.source === e.target || !out.has(e.source) || !out.has(e.target)) continue;
    out.get(e.source)!.push(e.target);
  }
  // Drop back edges found by DFS so what remains is a DAG.
  const state = new Map<string, 0 | 1 | 2>();
  const dag = new Map<string, string[]>();
  for (const id of nodeIds) dag.set(id, []);
  // Start from true entry points (nothing calls them) so the edges dropped are the ones closing cycles.
  const inCount = new Map<string, number>();
  for (const [, succ] of out) for (const n of succ) inCount.set(n, (inCount.get(n) ?? 0) + 1);
  const roots = [...nodeIds].sort((a, b) => (inCount.get(a) ?? 0) - (inCount.get(b) ?? 0) || out.get(b)!.length - out.get(a)!.length || (a < b ? -1 : a > b ? 1 : 0));
  for (const root of roots) {
    if (state.get(root)) continue;
    const stack: { id: string; i: number }[] = [{ id: root, i: 0 }];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const succ = out.get(top.id)!;
      if (top.i >= succ.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const n = succ[top.i++];
      const s = state.get(n) ?? 0;
      if (s === 1) continue; // back edge: part of a cycle
      dag.get(top.id)!.push(n);
      if (s === 0) {
        state.set(n, 1);
        stack.push({ id: n, i: 0 });
      }
    }
  }
  for (const [, succ] of dag) for (const n of succ) indeg.set(n, (indeg.get(n) ?? 0) + 1);
  // Kahn's order, layer = longest path from a source.
  const layer = new Map<string, number>();
  const queue: string[] = [];
  for (const id of nodeIds) if ((indeg.get(id) ?? 0) === 0) {
    queue.push(id);
    layer.set(id, 0);
  }
  for (let qi = 0; qi < queue.length; qi++) {
    const id = queue[qi];
    const l = layer.get(id)!;
    for (const n of dag.get(id)!) {
      if ((layer.get(n) ?? -1) < l + 1) layer.set(n, l + 1);
      const d = indeg.get(n)! - 1;
      indeg.set(n, d);
      if (d === 0) queue.push(n);
    }
  }
  for (const id of nodeIds) if (!layer.has(id)) layer.set(id, 0);
  return layer;
}

interface SimNode extends SimulationNodeDatum {
  id: string;
  r: number;
  /** Collision radius: the node plus room for its label. */
  room: number;
  layer: number;
}

/** Enough ticks to settle small graphs well and big ones acceptably (measured: see docs/dashboard.md). */
export function tickBudget(nodes: number, warmStart: boolean): number {
  const base = nodes <= 100 ? 300 : nodes <= 400 ? 200 : 100;
  return warmStart ? Math.round(base / 3) : base;
}

/**
 * Column spacing: the full width for the usual handful of tiers, narrower for very deep graphs
 * (a synthetic 1,000-service mesh has ~160 layers) so the map keeps a screen-like aspect ratio.
 */
export function layerSpacing(nodeCount: number, layerCount: number): number {
  const targetWidth = Math.max(Math.sqrt(nodeCount) * 120, 10 * LAYER_SPACING);
  return Math.max(24, Math.min(LAYER_SPACING, targetWidth / Math.max(1, layerCount - 1)));
}

export function computeLayout(input: LayoutInput): LayoutOutput {
  const ids = input.nodes.map((n) => n.id);
  const layers = assignLayers(ids, input.edges);
  let maxLayer = 0;
  for (const l of layers.values()) if (l > maxLayer) maxLayer = l;
  const spacing = layerSpacing(ids.length, maxLayer + 1);
  const perLayer = new Map<number, number>();
  const prev = input.previous ?? {};
  let warm = 0;
  const nodes: SimNode[] = input.nodes.map((n) => {
    const layer = layers.get(n.id) ?? 0;
    const k = perLayer.get(layer) ?? 0;
    perLayer.set(layer, k + 1);
    const p = prev[n.id];
    if (p) warm++;
    // Spread a layer's nodes vertically around 0 in alternation, so the first placed sit centred.
    const y = p ? p.y : (k % 2 === 0 ? 1 : -1) * Math.ceil(k / 2) * 95;
    const room = Math.max(n.r + 38, Math.min(n.labelChars ?? 0, 28) * 3.7);
    return { id: n.id, r: n.r, room, layer, x: p ? p.x : layer * spacing, y };
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const links: SimulationLinkDatum<SimNode>[] = [];
  for (const e of input.edges) {
    const s = byId.get(e.source);
    const t = byId.get(e.target);
    if (s && t && s !== t) links.push({ source: s, target: t });
  }
  const big = nodes.length > 300;
  const sim = forceSimulation(nodes)
    .force('link', forceLink(links).distance(spacing * 0.55).strength(big ? 0.05 : 0.2))
    .force('charge', forceManyBody<SimNode>().strength(big ? -90 : -420).distanceMax(big ? 220 : 900).theta(0.9))
    // Labels hang below nodes: small maps reserve room for them, big ones show no labels until zoomed.
    .force('collide', forceCollide<SimNode>((n) => (big ? n.r + 14 : n.room)).iterations(big ? 1 : 2))
    .force('x', forceX<SimNode>((n) => n.layer * spacing).strength(big ? 0.3 : 0.6))
    .force('y', forceY<SimNode>(0).strength(big ? 0.02 : 0.04))
    .stop();
  const warmStart = warm > nodes.length * 0.8;
  if (warmStart) sim.alpha(0.3);
  const ticks = tickBudget(nodes.length, warmStart);
  for (let i = 0; i < ticks; i++) sim.tick();
  const positions: Record<string, { x: number; y: number }> = {};
  for (const n of nodes) positions[n.id] = { x: Math.round(n.x ?? 0), y: Math.round(n.y ?? 0) };
  const layersOut: Record<string, number> = {};
  for (const [id, l] of layers) layersOut[id] = l;
  return { positions, layers: layersOut, ticks };
}

/** A key that changes only when the graph's shape changes (new/removed nodes or edges), not its numbers. */
export function topologyKey(nodeIds: readonly string[], edges: readonly LayoutEdgeInput[]): string {
  const n = [...nodeIds].sort().join('\u0001');
  const e = edges.map((x) => `${x.source}\u0002${x.target}`).sort().join('\u0001');
  return `${nodeIds.length}:${edges.length}:${n}\u0003${e}`;
}

/** Bounding box of positions, padded by the largest radius. */
export function bounds(positions: Record<string, { x: number; y: number }>, pad = 40): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of Object.values(positions)) {
    if (p.x < x0) x0 = p.x;
    if (p.y < y0) y0 = p.y;
    if (p.x > x1) x1 = p.x;
    if (p.y > y1) y1 = p.y;
  }
  if (!Number.isFinite(x0)) return { x0: -100, y0: -100, x1: 100, y1: 100 };
  return { x0: x0 - pad, y0: y0 - pad, x1: x1 + pad, y1: y1 + pad };
}
