// The graph as JSON (ARCHITECTURE.md §3): nodes {id, kind}, edges {source, target, kind, calls,
// errors, p50Ms, p95Ms, p99Ms}. `detail: 'full'` adds everything else the graph knows (tables,
// operations, server-side latency, pairing counts) for the dashboard and the JSON report.
import type { GraphEdge, GraphNode, ServiceGraph } from './types.ts';

export interface GraphJsonNode {
  id: string;
  kind: GraphNode['kind'];
  name: string;
  calls: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  [extra: string]: unknown;
}

export interface GraphJsonEdge {
  source: string;
  target: string;
  kind: GraphEdge['kind'];
  calls: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  [extra: string]: unknown;
}

export interface GraphJson {
  nodes: GraphJsonNode[];
  edges: GraphJsonEdge[];
  unpairedClientSpans: number;
  unpairedProducerSpans: number;
  dropped?: { nodes: number; edges: number; calls: number };
}

export function graphToJson(graph: ServiceGraph, opts: { detail?: 'contract' | 'full' } = {}): GraphJson {
  const full = opts.detail === 'full';
  return {
    nodes: graph.nodes.map((n) => {
      const base: GraphJsonNode = { id: n.id, kind: n.kind, name: n.name, calls: n.calls, errors: n.errors, p50Ms: n.p50Ms, p95Ms: n.p95Ms, p99Ms: n.p99Ms };
      return full ? { ...n, ...base } : base;
    }),
    edges: graph.edges.map((e) => {
      const base: GraphJsonEdge = { source: e.source, target: e.target, kind: e.kind, calls: e.calls, errors: e.errors, p50Ms: e.p50Ms, p95Ms: e.p95Ms, p99Ms: e.p99Ms };
      return full ? { ...e, ...base } : base;
    }),
    unpairedClientSpans: graph.unpairedClientSpans,
    unpairedProducerSpans: graph.unpairedProducerSpans,
    ...(graph.dropped ? { dropped: graph.dropped } : {}),
  };
}
