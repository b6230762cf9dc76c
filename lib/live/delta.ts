// What one pass of the live analyzer adds to the rollups: per bucket (epoch minute), counters and
// latency sketches keyed the way the rollup tables are. Built in memory from a chunk of spans,
// then added to the stored rows in one transaction (lib/store/rollups/writer.ts).
import { LatencySketch } from '../analysis/stats/sketch.ts';
import type { EdgeKind, NodeKind } from '../analysis/graph/types.ts';

/** Relative accuracy of every rollup sketch: rows of one accuracy merge, so it is fixed. */
export const ROLLUP_ACCURACY = 0.01;
/** Example trace ids kept per edge and bucket. */
export const MAX_TRACE_IDS = 5;

export interface EdgeCell {
  source: string;
  target: string;
  kind: EdgeKind;
  calls: number;
  errors: number;
  paired: number;
  unpaired: number;
  lat: LatencySketch;
  srv?: LatencySketch;
  peerService?: string;
  traceIds: string[];
}

export interface NodeCell {
  id: string;
  kind: NodeKind;
  calls: number;
  errors: number;
  lat: LatencySketch;
  selfMs: number;
  looseMs: number;
}

export interface OpCell {
  service: string;
  operation: string;
  calls: number;
  errors: number;
  lat: LatencySketch;
  selfMs: number;
}

export interface TableCell {
  nodeId: string;
  table: string;
  service: string;
  reads: number;
  writes: number;
}

export interface QualityCell {
  spans: number;
  unpairedClients: number;
  latePairs: number;
  unpairedProducers: number;
  orphanServers: number;
}

export interface NodeInfo {
  id: string;
  kind: NodeKind;
  name: string;
  dbSystem?: string;
  address?: string;
  namespace?: string;
  identityKnown?: boolean;
  messagingSystem?: string;
  destination?: string;
}

export class BucketDelta {
  readonly edges = new Map<string, EdgeCell>();
  readonly nodes = new Map<string, NodeCell>();
  readonly ops = new Map<string, OpCell>();
  readonly tables = new Map<string, TableCell>();
  readonly quality: QualityCell = { spans: 0, unpairedClients: 0, latePairs: 0, unpairedProducers: 0, orphanServers: 0 };

  edge(source: string, target: string, kind: EdgeKind): EdgeCell {
    const key = `${source}->${target}|${kind}`;
    let e = this.edges.get(key);
    if (!e) this.edges.set(key, (e = { source, target, kind, calls: 0, errors: 0, paired: 0, unpaired: 0, lat: new LatencySketch(ROLLUP_ACCURACY), traceIds: [] }));
    return e;
  }

  node(id: string, kind: NodeKind): NodeCell {
    let n = this.nodes.get(id);
    if (!n) this.nodes.set(id, (n = { id, kind, calls: 0, errors: 0, lat: new LatencySketch(ROLLUP_ACCURACY), selfMs: 0, looseMs: 0 }));
    return n;
  }

  op(service: string, operation: string): OpCell {
    const key = `${service}\u0000${operation}`;
    let o = this.ops.get(key);
    if (!o) this.ops.set(key, (o = { service, operation, calls: 0, errors: 0, lat: new LatencySketch(ROLLUP_ACCURACY), selfMs: 0 }));
    return o;
  }

  table(nodeId: string, table: string, service: string): TableCell {
    const key = `${nodeId}\u0000${table}\u0000${service}`;
    let t = this.tables.get(key);
    if (!t) this.tables.set(key, (t = { nodeId, table, service, reads: 0, writes: 0 }));
    return t;
  }

  /** A call on an edge: client-side latency always, server-side when both halves were seen. */
  call(e: EdgeCell, traceId: string, ms: number, error: boolean, serverMs?: number): void {
    e.calls++;
    if (error) e.errors++;
    e.lat.add(ms);
    if (serverMs !== undefined) (e.srv ??= new LatencySketch(ROLLUP_ACCURACY)).add(serverMs);
    if (e.traceIds.length < MAX_TRACE_IDS && !e.traceIds.includes(traceId)) e.traceIds.push(traceId);
  }

  hit(n: NodeCell, ms: number, error: boolean): void {
    n.calls++;
    if (error) n.errors++;
    n.lat.add(ms);
  }

  /** Adds this bucket into `into`; `withEdges: false` leaves the edges out (the per-row tiers hold none). */
  mergeInto(into: BucketDelta, withEdges = true): void {
    for (const e of withEdges ? this.edges.values() : []) {
      const t = into.edge(e.source, e.target, e.kind);
      t.calls += e.calls;
      t.errors += e.errors;
      t.paired += e.paired;
      t.unpaired += e.unpaired;
      t.lat.merge(e.lat);
      if (e.srv) (t.srv ??= new LatencySketch(ROLLUP_ACCURACY)).merge(e.srv);
      if (e.peerService !== undefined) t.peerService = e.peerService;
      for (const id of e.traceIds) if (t.traceIds.length < MAX_TRACE_IDS && !t.traceIds.includes(id)) t.traceIds.push(id);
    }
    for (const n of this.nodes.values()) {
      const t = into.node(n.id, n.kind);
      t.calls += n.calls;
      t.errors += n.errors;
      t.lat.merge(n.lat);
      t.selfMs += n.selfMs;
      t.looseMs += n.looseMs;
    }
    for (const o of this.ops.values()) {
      const t = into.op(o.service, o.operation);
      t.calls += o.calls;
      t.errors += o.errors;
      t.lat.merge(o.lat);
      t.selfMs += o.selfMs;
    }
    for (const c of this.tables.values()) {
      const t = into.table(c.nodeId, c.table, c.service);
      t.reads += c.reads;
      t.writes += c.writes;
    }
    const q = into.quality;
    q.spans += this.quality.spans;
    q.unpairedClients += this.quality.unpairedClients;
    q.latePairs += this.quality.latePairs;
    q.unpairedProducers += this.quality.unpairedProducers;
    q.orphanServers += this.quality.orphanServers;
  }

  isEmpty(): boolean {
    const q = this.quality;
    return (
      this.edges.size === 0 && this.nodes.size === 0 && this.ops.size === 0 && this.tables.size === 0 &&
      q.spans === 0 && q.unpairedClients === 0 && q.latePairs === 0 && q.unpairedProducers === 0 && q.orphanServers === 0
    );
  }
}

export class RollupDelta {
  /** Epoch minute → what this pass adds to that minute. */
  readonly minutes = new Map<number, BucketDelta>();
  /** Node labels and identities first seen (or refreshed) in this pass. */
  readonly nodeInfo = new Map<string, NodeInfo>();

  at(minute: number): BucketDelta {
    let b = this.minutes.get(minute);
    if (!b) this.minutes.set(minute, (b = new BucketDelta()));
    return b;
  }

  info(i: NodeInfo): void {
    this.nodeInfo.set(i.id, i);
  }

  hasInfo(id: string): boolean {
    return this.nodeInfo.has(id);
  }

  /** The same additions, bucketed by `widthMinutes` (the hour tier). */
  coarsen(widthMinutes: number): Map<number, BucketDelta> {
    const out = new Map<number, BucketDelta>();
    for (const [m, b] of this.minutes) {
      const start = Math.floor(m / widthMinutes) * widthMinutes;
      let t = out.get(start);
      if (!t) out.set(start, (t = new BucketDelta()));
      b.mergeInto(t);
    }
    return out;
  }
}
