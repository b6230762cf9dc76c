// Builds the service graph from trace trees, one trace at a time, in bounded memory: per node and
// per edge a few counters and a latency sketch, never the spans. Accumulators merge, so the store
// can keep one per minute and answer any window by merging (graph/rollup-json.ts serializes them).
//
// Pairing is by ids through the tree (a SERVER span's parent is the CLIENT that caused it, the
// Zipkin server half hangs under its client half), never by time: clock skew cannot unpair a call.

import { LatencySketch } from '../stats/sketch.ts';
import { isDbSpan } from '../trace/kind.ts';
import { graphNodeOut, type NodeFacts } from './node-out.ts';
import type { SpanNode, TraceTree } from '../trace/tree.ts';
import { normalizeServiceName } from '../service-name.ts';
import { dbAccess, dbIdentity, dbProductFromPeer, externalId, peerName, topicIdentity, UNKNOWN_PEER } from './identity.ts';
import type { EdgeKind, GraphEdge, GraphNode, NodeKind, ServiceGraph } from './types.ts';

export interface GraphOptions {
  /** Sketch relative accuracy (default 1%). */
  relativeAccuracy?: number;
  /** Distinct operations kept per edge; the rest are counted under `(other)` (default 20). */
  maxOperationsPerEdge?: number;
  /** Example trace ids kept per edge (default 5). */
  maxTraceIdsPerEdge?: number;
  /**
   * Bounds on distinct nodes and edges (defaults 50,000 and 200,000). Past them new ones are not
   * added and their calls are counted in `dropped` — a flood of random peer names (a scanner, an
   * IP per request) must not take the process down.
   */
  maxNodes?: number;
  maxEdges?: number;
}

export const CLIENT_NODE_ID = 'client';
export const OTHER_OPERATION = '(other)';
const MAX_VERSIONS = 1_000;
// Per-operation sketches are many (edges × operations); 2% keeps them at a few hundred bytes.
const OP_ACCURACY = 0.02;

export interface OpAcc {
  calls: number;
  errors: number;
  lat: LatencySketch;
}

export interface EdgeAcc {
  /** `<source>-><target>|<kind>` */
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  calls: number;
  errors: number;
  lat: LatencySketch;
  srv: LatencySketch | undefined;
  ops: Map<string, OpAcc>;
  paired: number;
  unpaired: number;
  traceIds: string[];
  /** The target is an uninstrumented peer named by `service.peer.name`: build() may resolve it to a service. */
  peerService?: string;
}

export interface NodeAcc extends NodeFacts {
  lat: LatencySketch;
  versions?: Set<string>;
}

export class GraphAccumulator {
  readonly nodes = new Map<string, NodeAcc>();
  readonly edges = new Map<string, EdgeAcc>();
  unpairedClientSpans = 0;
  unpairedProducerSpans = 0;
  traces = 0;
  /** Edges whose target may resolve onto a service at build time. */
  private peerEdges = 0;
  readonly accuracy: number;
  private readonly maxOps: number;
  private readonly maxTraceIds: number;

  private readonly maxNodes: number;
  private readonly maxEdges: number;
  /** Past the bounds (GraphOptions.maxNodes/maxEdges): refused new nodes and edges, and the calls not recorded. */
  readonly dropped = { nodes: 0, edges: 0, calls: 0 };
  // Sinks for what is past the bounds: counted, never listed.
  private sinkNode: NodeAcc | undefined;
  private sinkEdge: EdgeAcc | undefined;

  constructor(opts: GraphOptions = {}) {
    this.maxNodes = opts.maxNodes ?? 50_000;
    this.maxEdges = opts.maxEdges ?? 200_000;
    this.accuracy = opts.relativeAccuracy ?? 0.01;
    this.maxOps = opts.maxOperationsPerEdge ?? 20;
    this.maxTraceIds = opts.maxTraceIdsPerEdge ?? 5;
  }

  node(id: string, kind: NodeKind, name: string): NodeAcc {
    let n = this.nodes.get(id);
    if (!n) {
      n = { id, kind, name, calls: 0, errors: 0, lat: new LatencySketch(this.accuracy) };
      if (this.nodes.size >= this.maxNodes) {
        this.dropped.nodes++;
        return (this.sinkNode ??= n);
      }
      this.nodes.set(id, n);
    }
    return n;
  }

  edge(source: string, target: string, kind: EdgeKind): EdgeAcc {
    const id = `${source}->${target}|${kind}`;
    let e = this.edges.get(id);
    if (!e) {
      if (this.edges.size >= this.maxEdges) {
        this.dropped.edges++;
        return (this.sinkEdge ??= { id: '', source: '', target: '', kind, calls: 0, errors: 0, lat: new LatencySketch(this.accuracy), srv: undefined, ops: new Map(), paired: 0, unpaired: 0, traceIds: [] });
      }
      e = { id, source, target, kind, calls: 0, errors: 0, lat: new LatencySketch(this.accuracy), srv: undefined, ops: new Map(), paired: 0, unpaired: 0, traceIds: [] };
      this.edges.set(id, e);
    }
    return e;
  }

  private record(e: EdgeAcc, traceId: string, ms: number, error: boolean, op: string, serverMs?: number): void {
    if (e === this.sinkEdge) {
      this.dropped.calls++;
      return;
    }
    e.calls++;
    if (error) e.errors++;
    e.lat.add(ms);
    if (serverMs !== undefined) (e.srv ??= new LatencySketch(this.accuracy)).add(serverMs);
    const key = e.ops.has(op) || e.ops.size < this.maxOps ? op : OTHER_OPERATION;
    let o = e.ops.get(key);
    if (!o) e.ops.set(key, (o = { calls: 0, errors: 0, lat: new LatencySketch(OP_ACCURACY) }));
    o.calls++;
    if (error) o.errors++;
    o.lat.add(ms);
    if (e.traceIds.length < this.maxTraceIds && !e.traceIds.includes(traceId)) e.traceIds.push(traceId);
  }

  private serviceNode(n: SpanNode): NodeAcc {
    const sn = this.node(n.service, 'service', n.service);
    const v = n.span.resource.serviceVersion;
    // Bounded: a build number per deploy for years is still a few thousand.
    if (v && (!sn.versions || sn.versions.size < MAX_VERSIONS || sn.versions.has(v))) (sn.versions ??= new Set()).add(v);
    return sn;
  }

  addTrace(tree: TraceTree): void {
    this.traces++;
    const traceId = tree.traceId;
    const pairedClients = new Set<SpanNode>();
    const clients: SpanNode[] = [];
    for (const n of tree.nodes) {
      const sn = this.serviceNode(n);
      const s = n.span;
      const err = s.status.code === 'error';
      const ms = s.durationNs / 1e6;
      switch (n.kind) {
        case 'server': {
          sn.calls++;
          if (err) sn.errors++;
          sn.lat.add(ms);
          const client = callerClient(n);
          if (client) {
            pairedClients.add(client);
            const e = this.edge(client.service, n.service, 'sync');
            e.paired++;
            this.record(e, traceId, client.span.durationNs / 1e6, err || client.span.status.code === 'error', s.name, ms);
          } else if (!n.parent) {
            const c = this.node(CLIENT_NODE_ID, 'client', 'client');
            c.calls++;
            if (err) c.errors++;
            c.lat.add(ms);
            const e = this.edge(CLIENT_NODE_ID, n.service, 'sync');
            e.unpaired++;
            this.record(e, traceId, ms, err, s.name, ms);
          } else if (n.parent.service !== n.service) {
            // No CLIENT span, but the parent is in another service: a call all the same (old
            // instrumentations, proxies that only record the server side).
            const e = this.edge(n.parent.service, n.service, 'sync');
            e.paired++;
            this.record(e, traceId, ms, err, s.name, ms);
          }
          // A server span nested in its own service (framework layers) is not a call.
          break;
        }
        case 'consumer': {
          sn.calls++;
          if (err) sn.errors++;
          sn.lat.add(ms);
          const producer = n.parent && n.parent.kind === 'producer' ? n.parent : undefined;
          const t = topicIdentity(s, producer?.span);
          this.queueNode(t);
          const e = this.edge(t.id, n.service, 'async');
          if (producer || s.links.length > 0) e.paired++;
          else e.unpaired++;
          this.record(e, traceId, ms, err, s.name);
          break;
        }
        case 'producer': {
          const consumer = n.children.find((c) => c.kind === 'consumer');
          const t = topicIdentity(s, consumer?.span);
          const q = this.queueNode(t);
          q.calls++;
          if (err) q.errors++;
          q.lat.add(ms);
          const e = this.edge(n.service, t.id, 'async');
          if (consumer) e.paired++;
          else {
            e.unpaired++;
            this.unpairedProducerSpans++;
          }
          this.record(e, traceId, ms, err, s.name);
          break;
        }
        case 'client':
          clients.push(n);
          break;
        case 'internal':
          break;
      }
    }
    for (const c of clients) {
      if (pairedClients.has(c)) continue;
      this.addUnpairedClient(c, traceId);
    }
  }

  private queueNode(t: { id: string; name: string; system: string; destination: string }): NodeAcc {
    const q = this.node(t.id, 'queue', t.name);
    q.messagingSystem = t.system;
    q.destination = t.destination;
    return q;
  }

  private addUnpairedClient(c: SpanNode, traceId: string): void {
    const s = c.span;
    const err = s.status.code === 'error';
    const ms = s.durationNs / 1e6;
    const peer = peerName(s);
    if (isDbSpan(s) || (peer.fromServiceName && dbProductFromPeer(peer.name))) {
      const id = dbIdentity(s, c.service);
      const dn = this.node(id.id, 'database', id.name);
      dn.dbSystem = id.system;
      dn.address = id.address;
      dn.namespace = id.namespace;
      dn.identityKnown = id.identityKnown;
      dn.calls++;
      if (err) dn.errors++;
      dn.lat.add(ms);
      const access = dbAccess(s);
      if (access.reads.length > 0 || access.writes.length > 0) {
        dn.tables ??= new Map();
        for (const t of access.reads) tableUse(dn.tables, t, c.service).reads++;
        for (const t of access.writes) tableUse(dn.tables, t, c.service).writes++;
      }
      const e = this.edge(c.service, id.id, 'db');
      e.unpaired++;
      const table = access.writes[0] ?? access.reads[0];
      const op = access.operation ? (table ? `${access.operation} ${table}` : access.operation) : s.name;
      this.record(e, traceId, ms, err, op);
      return;
    }
    this.unpairedClientSpans++;
    const id = externalId(peer.name, c.service);
    const xn = this.node(id, 'external', peer.name === UNKNOWN_PEER ? `unknown (from ${c.service})` : peer.name);
    xn.calls++;
    if (err) xn.errors++;
    xn.lat.add(ms);
    const e = this.edge(c.service, id, 'sync');
    if (peer.fromServiceName && e.peerService === undefined) {
      e.peerService = normalizeServiceName(peer.name);
      this.peerEdges++;
    }
    e.unpaired++;
    this.record(e, traceId, ms, err, s.name);
  }

  /** Adds another accumulator's counts into this one (e.g. per-minute rollups over a window). */
  merge(other: GraphAccumulator): void {
    this.traces += other.traces;
    this.unpairedClientSpans += other.unpairedClientSpans;
    this.unpairedProducerSpans += other.unpairedProducerSpans;
    this.dropped.nodes += other.dropped.nodes;
    this.dropped.edges += other.dropped.edges;
    this.dropped.calls += other.dropped.calls;
    for (const o of other.nodes.values()) {
      const n = this.node(o.id, o.kind, o.name);
      n.calls += o.calls;
      n.errors += o.errors;
      n.lat.merge(o.lat);
      if (o.versions) for (const v of o.versions) (n.versions ??= new Set()).add(v);
      if (o.dbSystem !== undefined) {
        n.dbSystem = o.dbSystem;
        n.address = o.address;
        n.namespace = o.namespace;
        n.identityKnown = o.identityKnown;
      }
      if (o.messagingSystem !== undefined) {
        n.messagingSystem = o.messagingSystem;
        n.destination = o.destination;
      }
      if (o.tables) {
        n.tables ??= new Map();
        for (const [t, bySvc] of o.tables) for (const [svc, c] of bySvc) {
          const u = tableUse(n.tables, t, svc);
          u.reads += c.reads;
          u.writes += c.writes;
        }
      }
    }
    for (const o of other.edges.values()) {
      const e = this.edges.get(o.id) ?? this.edge(o.source, o.target, o.kind);
      if (e === this.sinkEdge) {
        this.dropped.calls += o.calls;
        continue;
      }
      if (o.peerService !== undefined && e.peerService === undefined) this.peerEdges++;
      mergeEdge(e, o, this.maxOps, this.maxTraceIds);
    }
  }

  /**
   * The graph. `operations: false` leaves out per-edge operation breakdowns (the map and the
   * §3 JSON contract do not show them; they are most of the build cost on a 10,000-edge graph).
   */
  build(opts: { operations?: boolean } = {}): ServiceGraph {
    const withOps = opts.operations !== false;
    // Resolve uninstrumented peers named after a service we do see (its server half was sampled
    // out, or lives in another window) onto that service rather than a phantom external node.
    let edges: Map<string, EdgeAcc> = this.edges;
    const resolvedAway = new Map<string, number>();
    if (this.peerEdges > 0) {
      edges = new Map();
      for (const e of this.edges.values()) {
        const svc = e.peerService;
        // Never onto the caller itself: an unpaired "call to myself" is a driver naming the peer
        // after the local service (Brave's Cassandra spans do), not a self-call.
        const target = svc && svc !== e.source && this.nodes.get(svc)?.kind === 'service' ? svc : undefined;
        if (!target) {
          // Already present as a merged copy that includes this edge (a peer resolved onto it first).
          if (!edges.has(e.id)) edges.set(e.id, e);
          continue;
        }
        resolvedAway.set(e.target, (resolvedAway.get(e.target) ?? 0) + e.calls);
        const id = `${e.source}->${target}|${e.kind}`;
        const into = edges.get(id) ?? this.edges.get(id);
        if (into && into !== e) {
          const copy = cloneEdge(into, this.accuracy);
          mergeEdge(copy, e, this.maxOps, this.maxTraceIds);
          edges.set(id, copy);
        } else edges.set(id, { ...e, id, target });
      }
    }

    const nodes: GraphNode[] = [];
    const outSync = new Map<string, number>();
    const outAsync = new Map<string, number>();
    const edgeList: GraphEdge[] = [];
    const dropped = { ...this.dropped };
    for (const e of edges.values()) {
      if (this.dropped.nodes > 0 && (!this.nodes.has(e.source) || !this.nodes.has(e.target))) {
        // An end of this edge was dropped at the node bound: the edge cannot be drawn.
        dropped.edges++;
        dropped.calls += e.calls;
        continue;
      }
      if (e.kind === 'async') outAsync.set(e.source, (outAsync.get(e.source) ?? 0) + e.calls);
      else outSync.set(e.source, (outSync.get(e.source) ?? 0) + e.calls);
      const ops = withOps
        ? [...e.ops.entries()].sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : 1)).map(([name, o]) => {
            const sm = o.lat.summary();
            return { name, calls: o.calls, errors: o.errors, p50Ms: sm.p50Ms, p75Ms: sm.p75Ms, p95Ms: sm.p95Ms, p99Ms: sm.p99Ms };
          })
        : undefined;
      const sm = e.lat.summary();
      const edge: GraphEdge = {
        id: e.id,
        source: e.source,
        target: e.target,
        kind: e.kind,
        calls: e.calls,
        errors: e.errors,
        p50Ms: sm.p50Ms,
        p75Ms: sm.p75Ms,
        p95Ms: sm.p95Ms,
        p99Ms: sm.p99Ms,
        paired: e.paired,
        unpaired: e.unpaired,
        traceIds: e.traceIds.slice(),
      };
      if (e.srv) {
        const ss = e.srv.summary();
        edge.serverP50Ms = ss.p50Ms;
        edge.serverP95Ms = ss.p95Ms;
        edge.serverP99Ms = ss.p99Ms;
      }
      if (ops) edge.operations = ops;
      edgeList.push(edge);
    }
    const usedTargets = resolvedAway.size > 0 ? new Set(edgeList.map((e) => e.target)) : undefined;
    for (const n of this.nodes.values()) {
      // An external node whose every call was resolved onto a real service is gone.
      if (usedTargets && n.kind === 'external' && resolvedAway.get(n.id) === n.calls && !usedTargets.has(n.id)) continue;
      const g = graphNodeOut(n, n.lat.summary(), n.versions ? [...n.versions].sort() : [], outSync, outAsync);
      nodes.push(g);
    }
    nodes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    edgeList.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const out: ServiceGraph = { nodes, edges: edgeList, unpairedClientSpans: this.unpairedClientSpans, unpairedProducerSpans: this.unpairedProducerSpans };
    if (dropped.nodes > 0 || dropped.edges > 0) out.dropped = dropped;
    return out;
  }
}

/**
 * The CLIENT span that caused this SERVER span: its parent, or the nearest client above it
 * through the caller's internal spans (a wrapper span between the client and the wire).
 */
export function callerClient(server: SpanNode): SpanNode | undefined {
  let p = server.parent;
  for (let steps = 0; p && steps < 16; steps++, p = p.parent) {
    if (p.kind === 'client') return p;
    if (p.kind !== 'internal' || p.service === server.service) return undefined;
  }
  return undefined;
}

function tableUse(tables: Map<string, Map<string, { reads: number; writes: number }>>, table: string, svc: string): { reads: number; writes: number } {
  let bySvc = tables.get(table);
  if (!bySvc) tables.set(table, (bySvc = new Map()));
  let u = bySvc.get(svc);
  if (!u) bySvc.set(svc, (u = { reads: 0, writes: 0 }));
  return u;
}


function cloneEdge(e: EdgeAcc, accuracy: number): EdgeAcc {
  const c: EdgeAcc = { ...e, lat: new LatencySketch(accuracy), srv: undefined, ops: new Map(), calls: 0, errors: 0, paired: 0, unpaired: 0, traceIds: [] };
  mergeEdge(c, e, Infinity, Infinity);
  return c;
}

function mergeEdge(into: EdgeAcc, o: EdgeAcc, maxOps: number, maxTraceIds: number): void {
  into.calls += o.calls;
  into.errors += o.errors;
  into.paired += o.paired;
  into.unpaired += o.unpaired;
  into.lat.merge(o.lat);
  if (o.srv) {
    if (!into.srv) into.srv = o.srv.clone();
    else into.srv.merge(o.srv);
  }
  if (o.peerService !== undefined) into.peerService = o.peerService;
  for (const [name, op] of o.ops) {
    let key = name;
    if (!into.ops.has(key) && into.ops.size >= maxOps) key = OTHER_OPERATION;
    let t = into.ops.get(key);
    if (!t) into.ops.set(key, (t = { calls: 0, errors: 0, lat: op.lat.clone() }));
    else t.lat.merge(op.lat);
    t.calls += op.calls;
    t.errors += op.errors;
  }
  for (const id of o.traceIds) if (into.traceIds.length < maxTraceIds && !into.traceIds.includes(id)) into.traceIds.push(id);
}

