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

/** Node ids a finding's services and resources resolve to on this graph. */
export function findingNodeIds(f: Finding, nodes: readonly NodeRef[]): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Set<string>();
  for (const s of f.services) if (byId.has(s)) out.add(s);
  for (const r of f.resources) {
    if (r.kind === 'database' || r.kind === 'topic') {
      if (byId.has(r.name)) out.add(r.name);
      else for (const n of nodes) if (n.name === r.name || (r.kind === 'topic' && n.kind === 'queue' && n.destination === r.name)) out.add(n.id);
    }
  }
  return [...out];
}

/** Edge ids a finding concerns: its `a->b` edge resources, and service→database edges for its databases. */
export function findingEdgeIds(f: Finding, nodes: readonly NodeRef[], edges: readonly EdgeRef[]): string[] {
  const out = new Set<string>();
  const pairs = new Set<string>();
  for (const r of f.resources) if (r.kind === 'edge') pairs.add(r.name);
  const dbNodes = new Set(findingNodeIds(f, nodes).filter((id) => nodes.find((n) => n.id === id)?.kind !== 'service'));
  const services = new Set(f.services);
  for (const e of edges) {
    if (pairs.has(`${e.source}->${e.target}`)) out.add(e.id);
    else if (dbNodes.has(e.target) && services.has(e.source)) out.add(e.id);
  }
  return [...out];
}

/** One pass over the findings: badges per node and per edge, worst severity wins the colour. */
export function buildBadges(findings: readonly Finding[], nodes: readonly NodeRef[], edges: readonly EdgeRef[]): BadgeIndex {
  const index: BadgeIndex = { nodes: new Map(), edges: new Map() };
  for (const f of findings) {
    for (const id of findingNodeIds(f, nodes)) add(index.nodes, id, f);
    for (const id of findingEdgeIds(f, nodes, edges)) add(index.edges, id, f);
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
