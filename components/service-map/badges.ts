// Which nodes and edges a finding concerns, so the map can badge them. Findings name services by
// their normalized name (= the service node id), databases by node id, edges as `caller->callee`.
import type { Finding } from '../../lib/query/types.ts';

type Severity = Finding['severity'];
const RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3 };

export const SEVERITY_COLOR: Readonly<Record<Severity, string>> = {
  high: '#f2495c',
  medium: '#ff9830',
  low: '#fade2a',
  info: '#8ab8ff',
};

export interface Badge {
  count: number;
  severity: Severity;
  rules: string[];
}

export interface BadgeIndex {
  nodes: Map<string, Badge>;
  edges: Map<string, Badge>;
}

interface NodeRef {
  id: string;
  kind: string;
  name: string;
  destination?: string;
}
interface EdgeRef {
  id: string;
  source: string;
  target: string;
}

function add(map: Map<string, Badge>, key: string, f: Finding) {
  const b = map.get(key);
  if (!b) {
    map.set(key, { count: 1, severity: f.severity, rules: [f.rule] });
    return;
  }
  b.count++;
  if (RANK[f.severity] > RANK[b.severity]) b.severity = f.severity;
  if (!b.rules.includes(f.rule)) b.rules.push(f.rule);
}

/** Lookups built once per graph, so resolving many findings stays linear (a big mesh has thousands). */
export interface GraphIndex {
  byId: Map<string, NodeRef>;
  byName: Map<string, string[]>;
  byDestination: Map<string, string[]>;
  /** `source->target` → edge ids (one per kind). */
  edgesByPair: Map<string, string[]>;
}

export function indexGraph(nodes: readonly NodeRef[], edges: readonly EdgeRef[]): GraphIndex {
  const push = (m: Map<string, string[]>, k: string, v: string) => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };
  const idx: GraphIndex = { byId: new Map(), byName: new Map(), byDestination: new Map(), edgesByPair: new Map() };
  for (const n of nodes) {
    idx.byId.set(n.id, n);
    push(idx.byName, n.name, n.id);
    if (n.kind === 'queue' && n.destination) push(idx.byDestination, n.destination, n.id);
  }
  for (const e of edges) push(idx.edgesByPair, `${e.source}->${e.target}`, e.id);
  return idx;
}

/** Node ids a finding's services and resources resolve to on this graph. */
export function findingNodeIds(f: Finding, graph: GraphIndex | readonly NodeRef[]): string[] {
  const idx = Array.isArray(graph) ? indexGraph(graph, []) : (graph as GraphIndex);
  const out = new Set<string>();
  for (const s of f.services) if (idx.byId.has(s)) out.add(s);
  for (const r of f.resources) {
    if (r.kind !== 'database' && r.kind !== 'topic') continue;
    if (idx.byId.has(r.name)) out.add(r.name);
    else {
      for (const id of idx.byName.get(r.name) ?? []) out.add(id);
      if (r.kind === 'topic') for (const id of idx.byDestination.get(r.name) ?? []) out.add(id);
    }
  }
  return [...out];
}

/** Edge ids a finding concerns: its `a->b` edge resources, and service→database edges for its databases. */
export function findingEdgeIds(f: Finding, graph: GraphIndex | readonly NodeRef[], edges?: readonly EdgeRef[]): string[] {
  const idx = Array.isArray(graph) ? indexGraph(graph, edges ?? []) : (graph as GraphIndex);
  const out = new Set<string>();
  for (const r of f.resources) if (r.kind === 'edge') for (const id of idx.edgesByPair.get(r.name) ?? []) out.add(id);
  const targets = findingNodeIds(f, idx).filter((id) => idx.byId.get(id)?.kind !== 'service');
  for (const t of targets) for (const s of f.services) for (const id of idx.edgesByPair.get(`${s}->${t}`) ?? []) out.add(id);
  return [...out];
}

/** One pass over the findings: badges per node and per edge, worst severity wins the colour. */
export function buildBadges(findings: readonly Finding[], nodes: readonly NodeRef[], edges: readonly EdgeRef[]): BadgeIndex {
  const index: BadgeIndex = { nodes: new Map(), edges: new Map() };
  const idx = indexGraph(nodes, edges);
  for (const f of findings) {
    for (const id of findingNodeIds(f, idx)) add(index.nodes, id, f);
    for (const id of findingEdgeIds(f, idx)) add(index.edges, id, f);
  }
  return index;
}

/** A node badge sits on the node's upper-right rim (45°), clear of the label below it. */
export function nodeBadgePosition(x: number, y: number, r: number): { x: number; y: number } {
  const d = r * Math.SQRT1_2;
  return { x: x + d, y: y - d };
}

/** An edge badge sits at the edge's midpoint, nudged off the line so it does not hide the arrow. */
export function edgeBadgePosition(sx: number, sy: number, tx: number, ty: number, offset = 10): { x: number; y: number } {
  const mx = (sx + tx) / 2;
  const my = (sy + ty) / 2;
  const len = Math.hypot(tx - sx, ty - sy) || 1;
  return { x: mx + (-(ty - sy) / len) * offset, y: my + ((tx - sx) / len) * offset };
}
