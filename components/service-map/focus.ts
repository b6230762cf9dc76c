// Focus mode: one node and everything within n hops of it, following edges either way (a
// service's callers matter as much as its callees when judging a change's blast radius).

export interface EdgeLike {
  source: string;
  target: string;
}

/** Node id → hop distance from `center`, for every node within `hops`. Empty when center is unknown. */
export function neighbourhood(nodeIds: Iterable<string>, edges: readonly EdgeLike[], center: string, hops: number): Map<string, number> {
  const known = new Set(nodeIds);
  const dist = new Map<string, number>();
  if (!known.has(center)) return dist;
  const adj = new Map<string, string[]>();
  const link = (a: string, b: string) => {
    let l = adj.get(a);
    if (!l) adj.set(a, (l = []));
    l.push(b);
  };
  for (const e of edges) {
    if (!known.has(e.source) || !known.has(e.target)) continue;
    link(e.source, e.target);
    link(e.target, e.source);
  }
  const maxHops = Math.max(0, Math.floor(hops));
  dist.set(center, 0);
  let frontier = [center];
  for (let d = 1; d <= maxHops && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const n of adj.get(id) ?? []) {
        if (dist.has(n)) continue;
        dist.set(n, d);
        next.push(n);
      }
    }
    frontier = next;
  }
  return dist;
}

/** Upstream (callers) and downstream (callees) of a node, each distinct and sorted. */
export function directNeighbours(edges: readonly EdgeLike[], id: string): { upstream: string[]; downstream: string[] } {
  const up = new Set<string>();
  const down = new Set<string>();
  for (const e of edges) {
    if (e.target === id && e.source !== id) up.add(e.source);
    if (e.source === id && e.target !== id) down.add(e.target);
  }
  return { upstream: [...up].sort(), downstream: [...down].sort() };
}

export const MIN_FOCUS_HOPS = 1;
export const MAX_FOCUS_HOPS = 5;

export function clampHops(n: number): number {
  if (!Number.isFinite(n)) return 1;
  return Math.min(MAX_FOCUS_HOPS, Math.max(MIN_FOCUS_HOPS, Math.round(n)));
}
