// GET /api/v1/graph: the service graph of a window, from rollups. Rows are merged into lib/analysis's
// GraphAccumulator so the result is built exactly like a whole-file analysis (peers named after a
// known service resolve onto it, node and edge ordering, percentile summaries).
import { GraphAccumulator } from '../analysis/graph/accumulator.ts';
import type { EdgeKind, NodeKind, ServiceGraph } from '../analysis/graph/types.ts';
import { ROLLUP_ACCURACY } from '../live/delta.ts';
import type { EdgeRow, NodeInfoRow, RollupReader } from '../store/rollups/reader.ts';
import { alignWindow, planRanges, rateSeconds, type AlignedWindow } from './buckets.ts';
import { SketchBytesMerger } from '../analysis/stats/sketch-bytes.ts';
import type { LatencySketch } from '../analysis/stats/sketch.ts';
import { errorRate, perSecond } from './sketches.ts';
import type { Freshness, GraphEdgeJson, GraphNodeJson, GraphResponse, PairingQuality } from './types.ts';

const NODE_KINDS = new Set<NodeKind>(['service', 'database', 'queue', 'external', 'client']);
const EDGE_KINDS = new Set<EdgeKind>(['sync', 'async', 'db']);

interface EdgeSum {
  row: EdgeRow;
  calls: number;
  errors: number;
  paired: number;
  unpaired: number;
  lat: SketchBytesMerger;
  srv: SketchBytesMerger | undefined;
  traceIds: string[];
  peer: string | null;
}

export interface BuiltGraph {
  window: AlignedWindow;
  graph: ServiceGraph;
  quality: PairingQuality;
  operations: Map<string, number>;
  /** Rollup cells whose sketch could not be read (damaged rows are skipped, not fatal). */
  damaged: number;
}

export function buildGraph(r: RollupReader, fromMs: number, toMs: number): BuiltGraph {
  const window = alignWindow(fromMs, toMs);
  const ranges = planRanges(window);
  const info = r.nodeInfo();
  const acc = new GraphAccumulator({ relativeAccuracy: ROLLUP_ACCURACY, maxTraceIdsPerEdge: 5 });
  const peers = new GraphAccumulator({ relativeAccuracy: ROLLUP_ACCURACY, maxTraceIdsPerEdge: 5 });
  let damaged = 0;
  const nodeOf = (id: string, kindHint: string) => {
    const i = info.get(id);
    const kind = asNodeKind(i?.kind ?? kindHint);
    const n = acc.node(id, kind, i?.name ?? id);
    if (i && !n.dbSystem && !n.messagingSystem) applyInfo(n, i);
    return n;
  };
  // Sketch cells are summed as bytes and turned into one sketch per node/edge at the end.
  const lat = new Map<object, SketchBytesMerger>();
  const into = (m: Map<object, SketchBytesMerger>, k: object, bytes: Uint8Array | null) => {
    let x = m.get(k);
    if (!x) m.set(k, (x = new SketchBytesMerger()));
    x.add(bytes);
  };
  for (const row of r.nodes(ranges)) {
    const n = nodeOf(row.node_id, row.kind);
    n.calls += row.calls;
    n.errors += row.errors;
    into(lat, n, row.latency);
  }
  for (const row of r.tables(ranges)) {
    const n = nodeOf(row.node_id, 'database');
    n.tables ??= new Map();
    let bySvc = n.tables.get(row.table_name);
    if (!bySvc) n.tables.set(row.table_name, (bySvc = new Map()));
    const u = bySvc.get(row.service) ?? { reads: 0, writes: 0 };
    u.reads += row.reads;
    u.writes += row.writes;
    bySvc.set(row.service, u);
  }
  // Sum the cells per edge first (one map lookup per cell, no accumulator objects), then hand
  // each edge to the accumulator once.
  const sums = new Map<string, EdgeSum>();
  for (const bucket of r.edges(ranges)) {
    for (const row of bucket) {
      let x = sums.get(row.id);
      if (!x) sums.set(row.id, (x = { row, calls: 0, errors: 0, paired: 0, unpaired: 0, lat: new SketchBytesMerger(), srv: undefined, traceIds: [], peer: null }));
      x.calls += row.calls;
      x.errors += row.errors;
      x.paired += row.paired;
      x.unpaired += row.unpaired;
      x.lat.add(row.latency);
      if (row.server_latency) (x.srv ??= new SketchBytesMerger()).add(row.server_latency);
      if (row.peer_service !== null) x.peer = row.peer_service;
      if (x.traceIds.length < 5 && row.trace_ids) for (const id of row.trace_ids.split(',')) if (x.traceIds.length < 5 && !x.traceIds.includes(id)) x.traceIds.push(id);
    }
  }
  for (const x of sums.values()) {
    const row = x.row;
    if (!EDGE_KINDS.has(row.kind as EdgeKind)) continue;
    // Endpoints that only ever appear on edges (a caller that is not itself called) are nodes too.
    if (!acc.nodes.has(row.source)) nodeOf(row.source, 'service');
    if (!acc.nodes.has(row.target)) nodeOf(row.target, 'service');
    // Edges to a peer named by service.peer.name go through merge(), which is how the accumulator
    // learns that build() may resolve them onto a service.
    const e = (x.peer !== null ? peers : acc).edge(row.source, row.target, row.kind as EdgeKind);
    e.calls += x.calls;
    e.errors += x.errors;
    e.paired += x.paired;
    e.unpaired += x.unpaired;
    e.lat = x.lat.toSketch(ROLLUP_ACCURACY);
    damaged += x.lat.damaged;
    if (x.srv) {
      e.srv = x.srv.toSketch(ROLLUP_ACCURACY);
      damaged += x.srv.damaged;
    }
    if (x.peer !== null) e.peerService = x.peer;
    e.traceIds.push(...x.traceIds);
  }
  for (const [k, m] of lat) {
    (k as { lat: LatencySketch }).lat = m.toSketch(ROLLUP_ACCURACY);
    damaged += m.damaged;
  }
  acc.merge(peers);
  const q = r.quality(ranges);
  acc.unpairedClientSpans = q.unpairedClients;
  acc.unpairedProducerSpans = q.unpairedProducers;
  return {
    window,
    graph: acc.build({ operations: false }),
    quality: { unpairedClientSpans: q.unpairedClients, latePairs: q.latePairs, unpairedProducerSpans: q.unpairedProducers },
    operations: r.operationCounts(ranges),
    damaged,
  };
}

export function freshnessOf(r: RollupReader): Freshness {
  const f = r.feedStatus();
  return { analyzedAtMs: f.analyzedAtMs, spansBehind: Math.max(0, f.maxSeq - f.cursorSeq), pendingClientSpans: f.pending };
}

export function graphResponse(b: BuiltGraph, nowMs: number, freshness: Freshness): GraphResponse {
  const secs = rateSeconds(b.window, nowMs);
  const nodes: GraphNodeJson[] = b.graph.nodes.map((n) => {
    const j: GraphNodeJson = {
      id: n.id,
      kind: n.kind,
      name: n.name,
      calls: n.calls,
      errors: n.errors,
      errorRate: errorRate(n.calls, n.errors),
      ratePerSec: perSecond(n.calls, secs),
      p50Ms: n.p50Ms,
      p75Ms: n.p75Ms,
      p95Ms: n.p95Ms,
      p99Ms: n.p99Ms,
    };
    if (n.kind === 'service') j.operations = b.operations.get(n.id) ?? 0;
    if (n.kind === 'database') {
      j.dbSystem = n.dbSystem;
      j.address = n.address;
      j.namespace = n.namespace;
      j.identityKnown = n.identityKnown;
      j.tables = n.tables ?? [];
    }
    if (n.kind === 'queue') {
      j.messagingSystem = n.messagingSystem;
      j.destination = n.destination;
    }
    return j;
  });
  const edges: GraphEdgeJson[] = b.graph.edges.map((e) => {
    const j: GraphEdgeJson = {
      id: e.id,
      source: e.source,
      target: e.target,
      kind: e.kind,
      calls: e.calls,
      errors: e.errors,
      errorRate: errorRate(e.calls, e.errors),
      ratePerSec: perSecond(e.calls, secs),
      p50Ms: e.p50Ms,
      p75Ms: e.p75Ms,
      p95Ms: e.p95Ms,
      p99Ms: e.p99Ms,
      paired: e.paired,
      unpaired: e.unpaired,
      traceIds: e.traceIds,
    };
    if (e.serverP50Ms !== undefined) {
      j.serverP50Ms = e.serverP50Ms;
      j.serverP95Ms = e.serverP95Ms;
      j.serverP99Ms = e.serverP99Ms;
    }
    return j;
  });
  return { window: { fromMs: b.window.fromMs, toMs: b.window.toMs }, nodes, edges, quality: b.quality, freshness };
}

function asNodeKind(k: string): NodeKind {
  return NODE_KINDS.has(k as NodeKind) ? (k as NodeKind) : 'service';
}

function applyInfo(n: ReturnType<GraphAccumulator['node']>, i: NodeInfoRow): void {
  if (i.db_system !== null) {
    n.dbSystem = i.db_system;
    n.address = i.address ?? '';
    n.namespace = i.namespace ?? '';
    n.identityKnown = i.identity_known === null ? undefined : i.identity_known === 1;
  }
  if (i.messaging_system !== null) {
    n.messagingSystem = i.messaging_system;
    n.destination = i.destination ?? '';
  }
}
