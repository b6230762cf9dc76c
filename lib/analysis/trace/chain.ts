// Synchronous chain depth in distinct services (SMELLS.md sync-chain): along each root-to-leaf
// path, the services a request passes through while the caller waits. An async hop (a CONSUMER,
// i.e. a message handled later) starts a new chain: the producer did not wait for it.
import type { SpanNode, TraceTree } from './tree.ts';

export interface SyncChain {
  /** Distinct services on the longest synchronous path (1 = the request never left its service). */
  depth: number;
  /** Services in call order along that path (a service revisited, A→B→A, appears again). */
  services: string[];
  /** Index (TraceTree.nodes) of the span where the chain starts (a root or a consumer). */
  startNode: number;
  /** Index of the deepest span of the chain. */
  endNode: number;
}

interface Link {
  service: string;
  prev: Link | undefined;
  /** Distinct services from the chain start to here. */
  distinct: number;
  start: number;
  seen: ReadonlySet<string>;
}

/** The deepest synchronous chain of the trace (first found on ties); depth 0 for an empty trace. */
export function syncChain(tree: TraceTree): SyncChain {
  // Paths share prefixes, so each node points at a link of a parent-pointer list and only the
  // winner is materialized.
  const at: (Link | undefined)[] = new Array(tree.nodes.length);
  let best: Link | undefined;
  let bestEnd = -1;
  for (const n of tree.nodes) {
    const p = n.parent;
    let link: Link;
    if (!p || n.kind === 'consumer') {
      link = { service: n.service, prev: undefined, distinct: 1, start: n.index, seen: new Set([n.service]) };
    } else {
      const pl = at[p.index]!;
      if (n.service === pl.service) link = pl;
      else {
        const isNew = !pl.seen.has(n.service);
        link = { service: n.service, prev: pl, distinct: pl.distinct + (isNew ? 1 : 0), start: pl.start, seen: isNew ? withService(pl.seen, n.service) : pl.seen };
      }
    }
    at[n.index] = link;
    if (!best || link.distinct > best.distinct) {
      best = link;
      bestEnd = n.index;
    }
  }
  if (!best) return { depth: 0, services: [], startNode: -1, endNode: -1 };
  const services: string[] = [];
  for (let l: Link | undefined = best; l; l = l.prev) services.push(l.service);
  services.reverse();
  return { depth: best.distinct, services, startNode: best.start, endNode: bestEnd };
}

function withService(seen: ReadonlySet<string>, s: string): ReadonlySet<string> {
  const next = new Set(seen);
  next.add(s);
  return next;
}

/** Every node's chain start: the root or consumer its synchronous chain began at (for grouping by endpoint). */
export function chainEntry(n: SpanNode): SpanNode {
  let cur = n;
  while (cur.parent && cur.kind !== 'consumer') cur = cur.parent;
  return cur;
}
