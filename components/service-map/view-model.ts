// From the API's graph to what the map draws: filters (hidden kinds, focus neighbourhood) and
// emphasis (search, highlight, selection). Pure, so the rules are tested without a browser.
import type { GraphEdgeJson, GraphNodeJson, GraphResponse, NodeKind } from '../../lib/query/types.ts';
import { neighbourhood } from './focus.ts';

export interface MapFilters {
  /** Node kinds not to draw. */
  hiddenKinds: ReadonlySet<NodeKind>;
  /**
   * Only services of this namespace (`service.namespace`, carried in the node's `namespace`), and
   * the databases, topics and peers they talk to. Null = every namespace.
   */
  namespace?: string | null;
  /** Focus mode: only this node and its n-hop neighbourhood. */
  focus: string | null;
  hops: number;
  /** Search text: matching nodes are emphasised, the rest dimmed. */
  query: string;
  /** Node ids to emphasise (from a finding's "show on map"). */
  highlight: readonly string[];
  selected: string | null;
}

export interface VisibleGraph {
  nodes: GraphNodeJson[];
  edges: GraphEdgeJson[];
  /** Hop distance from the focus node, when focusing. */
  hopOf: Map<string, number> | null;
  /** null = nothing is emphasised, every node drawn normally. */
  emphasised: Set<string> | null;
  matches: string[];
  hiddenCount: number;
}

export function nodeMatches(node: Pick<GraphNodeJson, 'id' | 'name'>, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return false;
  return node.name.toLowerCase().includes(q) || node.id.toLowerCase().includes(q);
}

/** Distinct namespaces of service nodes, sorted (empty when the services report none). */
export function serviceNamespaces(nodes: readonly Pick<GraphNodeJson, 'kind' | 'namespace'>[]): string[] {
  const out = new Set<string>();
  for (const n of nodes) if (n.kind === 'service' && n.namespace) out.add(n.namespace);
  return [...out].sort();
}

function inNamespace(graph: Pick<GraphResponse, 'nodes' | 'edges'>, ns: string): Set<string> {
  const keep = new Set(graph.nodes.filter((n) => n.kind === 'service' && n.namespace === ns).map((n) => n.id));
  const kind = new Map(graph.nodes.map((n) => [n.id, n.kind]));
  // Non-service neighbours (databases, topics, peers, clients) come along with the services they serve.
  for (const e of graph.edges) {
    if (keep.has(e.source) && kind.get(e.target) !== 'service') keep.add(e.target);
    if (keep.has(e.target) && kind.get(e.source) !== 'service') keep.add(e.source);
  }
  return keep;
}

export function visibleGraph(graph: Pick<GraphResponse, 'nodes' | 'edges'>, f: MapFilters): VisibleGraph {
  const nsKeep = f.namespace ? inNamespace(graph, f.namespace) : null;
  let nodes = graph.nodes.filter((n) => (!f.hiddenKinds.has(n.kind) && (!nsKeep || nsKeep.has(n.id))) || n.id === f.focus);
  let ids = new Set(nodes.map((n) => n.id));
  let edges = graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  let hopOf: Map<string, number> | null = null;
  if (f.focus && ids.has(f.focus)) {
    hopOf = neighbourhood(ids, edges, f.focus, f.hops);
    nodes = nodes.filter((n) => hopOf!.has(n.id));
    ids = new Set(nodes.map((n) => n.id));
    edges = edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  }
  const matches = f.query.trim() ? nodes.filter((n) => nodeMatches(n, f.query)).map((n) => n.id) : [];
  let emphasised: Set<string> | null = null;
  const highlight = f.highlight.filter((id) => ids.has(id));
  if (f.query.trim()) emphasised = new Set(matches);
  else if (highlight.length > 0) emphasised = new Set(highlight);
  if (emphasised && f.selected && ids.has(f.selected)) emphasised.add(f.selected);
  return { nodes, edges, hopOf, emphasised, matches, hiddenCount: graph.nodes.length - nodes.length };
}

/** An edge is emphasised when both ends are (or, with a selection, when it touches the selection). */
export function edgeEmphasised(e: Pick<GraphEdgeJson, 'source' | 'target'>, emphasised: Set<string> | null, selected: string | null): boolean {
  if (selected && (e.source === selected || e.target === selected)) return true;
  if (!emphasised) return !selected;
  return emphasised.has(e.source) && emphasised.has(e.target);
}

/** Parses `hide=database,external` into kinds, ignoring unknown words. */
export function parseHiddenKinds(value: string | null): Set<NodeKind> {
  const all: NodeKind[] = ['service', 'database', 'queue', 'external', 'client'];
  const out = new Set<NodeKind>();
  for (const w of (value ?? '').split(',')) if ((all as string[]).includes(w)) out.add(w as NodeKind);
  return out;
}

/** A quadratic curve between two node rims, bent sideways so a→b and b→a do not overlap. */
export interface EdgeGeometry {
  d: string;
  mid: { x: number; y: number };
  /** The quadratic curve's start, control and end points (the canvas renderer draws from these). */
  a: { x: number; y: number };
  c: { x: number; y: number };
  b: { x: number; y: number };
}

export function edgeGeometry(sx: number, sy: number, tx: number, ty: number, sr: number, tr: number, bend = 0.12): EdgeGeometry {
  const dx = tx - sx;
  const dy = ty - sy;
  const len = Math.hypot(dx, dy) || 1;
  const nx = -dy / len;
  const ny = dx / len;
  const cx = (sx + tx) / 2 + nx * len * bend;
  const cy = (sy + ty) / 2 + ny * len * bend;
  // Trim both ends to the node rims along the tangent towards the control point.
  const a = trim(sx, sy, cx, cy, sr + 2);
  const b = trim(tx, ty, cx, cy, tr + 6);
  const r = (n: number) => Math.round(n * 10) / 10;
  const mid = { x: 0.25 * a.x + 0.5 * cx + 0.25 * b.x, y: 0.25 * a.y + 0.5 * cy + 0.25 * b.y };
  return { d: `M${r(a.x)},${r(a.y)} Q${r(cx)},${r(cy)} ${r(b.x)},${r(b.y)}`, mid, a, c: { x: cx, y: cy }, b };
}

function trim(x: number, y: number, towardX: number, towardY: number, by: number): { x: number; y: number } {
  const dx = towardX - x;
  const dy = towardY - y;
  const len = Math.hypot(dx, dy) || 1;
  return { x: x + (dx / len) * by, y: y + (dy / len) * by };
}
