// Service-to-service dependencies from the graph: sync edges directly, async edges through their
// topic (producer ⇒ topic ⇒ consumer is a dependency of the consumer on the producer's events).
import type { ServiceGraph } from '../graph/types.ts';

export interface Dependency {
  source: string;
  target: string;
  kind: 'sync' | 'async';
  calls: number;
  traceIds: string[];
  /** The topic for async dependencies. */
  via?: string;
}

export function serviceDependencies(graph: ServiceGraph): Dependency[] {
  const kinds = new Map(graph.nodes.map((n) => [n.id, n.kind]));
  const isService = (id: string) => kinds.get(id) === 'service';
  const out: Dependency[] = [];
  const consumers = new Map<string, { target: string; calls: number }[]>();
  for (const e of graph.edges) {
    if (e.kind === 'async' && kinds.get(e.source) === 'queue' && isService(e.target)) {
      const list = consumers.get(e.source) ?? [];
      list.push({ target: e.target, calls: e.calls });
      consumers.set(e.source, list);
    }
  }
  for (const e of graph.edges) {
    if (e.kind === 'sync' && isService(e.source) && isService(e.target) && e.source !== e.target) {
      out.push({ source: e.source, target: e.target, kind: 'sync', calls: e.calls, traceIds: e.traceIds });
    } else if (e.kind === 'async' && isService(e.source) && kinds.get(e.target) === 'queue') {
      for (const c of consumers.get(e.target) ?? []) {
        if (c.target !== e.source) out.push({ source: e.source, target: c.target, kind: 'async', calls: Math.min(e.calls, c.calls), traceIds: e.traceIds, via: e.target });
      }
    }
  }
  return out;
}
