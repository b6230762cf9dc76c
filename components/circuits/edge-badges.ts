// Which map edges carry a breaker badge: open (red) or half-open (amber), reported before
// inferred. Circuits name services by normalized name (= the service node id); an uninstrumented
// callee is the external node of that name. Pure, for the map and its tests.
import type { CircuitJson } from '../../lib/query/types.ts';

export interface CircuitBadge {
  state: 'open' | 'half_open';
  source: CircuitJson['source'];
  /** Hover text: what the badge stands for. */
  label: string;
  circuitId: string;
}

/** `source->target` node ids → badge. */
export type CircuitBadgeIndex = Map<string, CircuitBadge>;

interface NodeRef {
  id: string;
  kind: string;
  name: string;
}
interface EdgeRef {
  source: string;
  target: string;
}

const RANK = (b: CircuitBadge) => (b.source === 'reported' ? 2 : 0) + (b.state === 'open' ? 1 : 0);

export function circuitBadges(circuits: readonly CircuitJson[], nodes: readonly NodeRef[], edges: readonly EdgeRef[]): CircuitBadgeIndex {
  const out: CircuitBadgeIndex = new Map();
  if (circuits.length === 0 || edges.length === 0) return out;
  const ids = new Set(nodes.map((n) => n.id));
  const externalByName = new Map<string, string[]>();
  for (const n of nodes) {
    if (n.kind !== 'external') continue;
    const l = externalByName.get(n.name) ?? [];
    l.push(n.id);
    externalByName.set(n.name, l);
  }
  const pairs = new Set(edges.map((e) => `${e.source}->${e.target}`));
  for (const c of circuits) {
    if (c.callee === null) continue;
    const state = c.state === 'open' || c.state === 'forced_open' ? 'open' : c.state === 'half_open' ? 'half_open' : null;
    if (!state) continue;
    const targets = [...(ids.has(c.callee) ? [c.callee] : []), ...(externalByName.get(c.callee) ?? []), `ext:${c.callee}`];
    const key = targets.map((t) => `${c.caller}->${t}`).find((k) => pairs.has(k));
    if (!key) continue;
    const badge: CircuitBadge = {
      state,
      source: c.source,
      circuitId: c.id,
      label: `circuit ${state === 'open' ? 'open' : 'half-open'} · ${c.source === 'reported' ? `reported${c.breaker ? ` by ${c.breaker}` : ''}` : 'inferred (no breaker reports on this edge)'}`,
    };
    const cur = out.get(key);
    if (!cur || RANK(badge) > RANK(cur)) out.set(key, badge);
  }
  return out;
}
