// Folds one chunk of newly stored spans into rollup additions. Pure: the caller reads the chunk
// and, for traces that had spans stored before, those older spans; the clock comes in as `nowMs`.
//
// Each touched trace is rebuilt as a tree over (older ∪ new) spans with lib/analysis's builder, so
// kinds inferred from structure, Zipkin shared ids and caller lookup through wrapper spans are the
// same as in a whole-file analysis. Every fact is counted once:
// - per-span facts (a request handled, a db call, a message sent or consumed) when the span is new;
// - a sync call (CLIENT → SERVER) when the second of its halves arrives, i.e. when the path from
//   the server up to its caller contains a new span. A client whose server has not arrived waits in
//   the pending set; past the grace period it becomes an edge to an external node, and a server
//   half arriving after that is counted as a late pair (not a second call);
// - request self time as the difference between the trace's exclusive times after and before
//   the chunk (late children shrink their parent's self time).
import type { Span } from '../model/index.ts';
import { CLIENT_NODE_ID, callerClient } from '../analysis/graph/accumulator.ts';
import { dbAccess, dbIdentity, dbProductFromPeer, externalId, peerName, topicIdentity, UNKNOWN_PEER } from '../analysis/graph/identity.ts';
import { exclusiveTimes } from '../analysis/red/exclusive.ts';
import { normalizeServiceName } from '../analysis/service-name.ts';
import { isDbSpan } from '../analysis/trace/kind.ts';
import { buildTraceTree, type SpanNode } from '../analysis/trace/tree.ts';
import type { BucketDelta, RollupDelta } from './delta.ts';
import type { PendingClient, PendingSet } from './pending.ts';

export interface ChunkTrace {
  traceKey: number;
  traceId: string;
  /** Spans of this trace stored before the chunk (already folded). */
  older: Span[];
  /** Spans of this trace in the chunk. */
  fresh: Span[];
}

export interface FoldOptions {
  nowMs: number;
  /** How long a CLIENT span waits for its SERVER half before it becomes an external edge. */
  graceMs: number;
  /** Distinct operations per service before the rest fold into `(other)`. */
  maxOperationsPerService?: number;
}

export const OTHER_OPERATION = '(other)';
const DEFAULT_MAX_OPS = 200;

/** Operation names seen per service, so a service with ids in its span names stays bounded. */
export class OperationNames {
  private readonly byService = new Map<string, Set<string>>();
  constructor(private readonly max = DEFAULT_MAX_OPS) {}
  name(service: string, op: string): string {
    let s = this.byService.get(service);
    if (!s) this.byService.set(service, (s = new Set()));
    if (s.has(op)) return op;
    if (s.size >= this.max) return OTHER_OPERATION;
    s.add(op);
    return op;
  }
}

const NS_PER_MINUTE = 60_000_000_000;

function minuteOf(span: Span, nowMs: number): number {
  // Spans without a timestamp (Zipkin) land in the minute they were analyzed. A double holds epoch
  // ns to ~256 ns, far below a minute, and is much cheaper than bigint division on the hot path.
  return span.startNs > 0n ? Math.floor(Number(span.startNs) / NS_PER_MINUTE) : Math.floor(nowMs / 60_000);
}

const ms = (s: Span): number => s.durationNs / 1e6;
const isErr = (s: Span): boolean => s.status.code === 'error';
const isRoot = (s: Span): boolean => !s.parentSpanId || s.parentSpanId === s.spanId;

export function foldChunk(traces: Iterable<ChunkTrace>, delta: RollupDelta, pending: PendingSet, ops: OperationNames, opts: FoldOptions): void {
  for (const t of traces) foldTrace(t, delta, pending, ops, opts);
}

function foldTrace(t: ChunkTrace, delta: RollupDelta, pending: PendingSet, ops: OperationNames, o: FoldOptions): void {
  if (t.fresh.length === 0) return;
  // Most traces arrive whole inside one chunk: then every span is new and no set is needed.
  const fresh = t.older.length > 0 ? new Set<Span>(t.fresh) : undefined;
  const isNew = fresh ? (n: SpanNode) => fresh.has(n.span) : () => true;
  const tree = buildTraceTree(t.older.length > 0 ? [...t.older, ...t.fresh] : t.fresh);
  const traceId = t.traceId;
  let firstMinute = Infinity;
  for (const s of t.fresh) {
    const m = minuteOf(s, o.nowMs);
    if (m < firstMinute) firstMinute = m;
    delta.at(m).quality.spans++;
  }
  const answered = new Set<SpanNode>();

  for (const n of tree.nodes) {
    const s = n.span;
    if (isNew(n)) {
      // Every service that sends spans is a node, also one that only calls others (a job, a client).
      delta.at(minuteOf(s, o.nowMs)).node(n.service, 'service');
      if (!delta.hasInfo(n.service)) delta.info({ id: n.service, kind: 'service', name: n.service });
    }
    switch (n.kind) {
      case 'server': {
        if (isNew(n)) serviceHit(delta, n, o.nowMs);
        const client = callerClient(n);
        if (client) {
          answered.add(client);
          if (!pathHasNew(n, client, isNew)) break;
          const b = delta.at(minuteOf(client.span, o.nowMs));
          if (!isNew(client)) {
            const waiting = pending.take(t.traceKey, client.span.spanId);
            if (!waiting) {
              // Its client was already counted as a call to an external peer.
              b.quality.latePairs++;
              break;
            }
          }
          const e = b.edge(client.service, n.service, 'sync');
          e.paired++;
          b.call(e, traceId, ms(client.span), isErr(s) || isErr(client.span), ms(s));
        } else if (!n.parent) {
          if (!isNew(n)) break;
          const b = delta.at(minuteOf(s, o.nowMs));
          if (!isRoot(s)) {
            // Its parent has not arrived: the call is counted when it does (it looks for stored children).
            b.quality.orphanServers++;
            break;
          }
          b.hit(b.node(CLIENT_NODE_ID, 'client'), ms(s), isErr(s));
          delta.info({ id: CLIENT_NODE_ID, kind: 'client', name: 'client' });
          const e = b.edge(CLIENT_NODE_ID, n.service, 'sync');
          e.unpaired++;
          b.call(e, traceId, ms(s), isErr(s), ms(s));
        } else if (n.parent.service !== n.service && (isNew(n) || isNew(n.parent))) {
          // No CLIENT span, but the parent is in another service: a call all the same.
          const b = delta.at(minuteOf(s, o.nowMs));
          const e = b.edge(n.parent.service, n.service, 'sync');
          e.paired++;
          b.call(e, traceId, ms(s), isErr(s), ms(s));
        }
        break;
      }
      case 'consumer': {
        if (!isNew(n)) break;
        serviceHit(delta, n, o.nowMs);
        const producer = n.parent && n.parent.kind === 'producer' ? n.parent : undefined;
        const q = topicIdentity(s, producer?.span);
        delta.info({ id: q.id, kind: 'queue', name: q.name, messagingSystem: q.system, destination: q.destination });
        const b = delta.at(minuteOf(s, o.nowMs));
        const e = b.edge(q.id, n.service, 'async');
        if (producer || s.links.length > 0) e.paired++;
        else e.unpaired++;
        b.call(e, traceId, ms(s), isErr(s));
        break;
      }
      case 'producer': {
        if (!isNew(n)) break;
        const consumer = n.children.find((c) => c.kind === 'consumer');
        const q = topicIdentity(s, consumer?.span);
        delta.info({ id: q.id, kind: 'queue', name: q.name, messagingSystem: q.system, destination: q.destination });
        const b = delta.at(minuteOf(s, o.nowMs));
        b.hit(b.node(q.id, 'queue'), ms(s), isErr(s));
        const e = b.edge(n.service, q.id, 'async');
        if (consumer) e.paired++;
        else {
          e.unpaired++;
          b.quality.unpairedProducers++;
        }
        b.call(e, traceId, ms(s), isErr(s));
        break;
      }
      case 'client':
      case 'internal':
        break;
    }
  }

  for (const n of tree.nodes) {
    if (n.kind !== 'client' || !isNew(n) || answered.has(n)) continue;
    const s = n.span;
    const peer = peerName(s);
    const b = delta.at(minuteOf(s, o.nowMs));
    if (isDbSpan(s) || (peer.fromServiceName && dbProductFromPeer(peer.name))) {
      dbCall(b, delta, n, traceId);
      continue;
    }
    const target = externalId(peer.name, n.service);
    const p: PendingClient = {
      traceKey: t.traceKey,
      spanId: s.spanId,
      traceId,
      dueMs: o.nowMs + o.graceMs,
      minute: minuteOf(s, o.nowMs),
      source: n.service,
      target,
      targetName: peer.name === UNKNOWN_PEER ? `unknown (from ${n.service})` : peer.name,
      durationMs: ms(s),
      error: isErr(s),
    };
    if (peer.fromServiceName) p.peerService = normalizeServiceName(peer.name);
    pending.add(p);
  }

  foldSelfTime(t, tree, isNew, delta, ops, o, firstMinute);
}

/** True when the server or any span between it and its caller is new: the call completes now. */
function pathHasNew(server: SpanNode, client: SpanNode, isNew: (n: SpanNode) => boolean): boolean {
  for (let n: SpanNode | undefined = server; n; n = n.parent) {
    if (isNew(n)) return true;
    if (n === client) return false;
  }
  return false;
}

function serviceHit(delta: RollupDelta, n: SpanNode, nowMs: number): void {
  const b = delta.at(minuteOf(n.span, nowMs));
  b.hit(b.node(n.service, 'service'), ms(n.span), isErr(n.span));
}

function dbCall(b: BucketDelta, delta: RollupDelta, n: SpanNode, traceId: string): void {
  const s = n.span;
  const id = dbIdentity(s, n.service);
  delta.info({ id: id.id, kind: 'database', name: id.name, dbSystem: id.system, address: id.address, namespace: id.namespace, identityKnown: id.identityKnown });
  b.hit(b.node(id.id, 'database'), ms(s), isErr(s));
  const access = dbAccess(s);
  for (const table of access.reads) b.table(id.id, table, n.service).reads++;
  for (const table of access.writes) b.table(id.id, table, n.service).writes++;
  const e = b.edge(n.service, id.id, 'db');
  e.unpaired++;
  b.call(e, traceId, ms(s), isErr(s));
}

/** Promotes waiting clients that are due (or pushed out by the bound) to external edges. */
export function promoteDue(pending: PendingSet, delta: RollupDelta, nowMs: number): { promoted: number; overflow: number } {
  const { due, overflow } = pending.takeDue(nowMs);
  for (const p of [...due, ...overflow]) {
    const b = delta.at(p.minute);
    delta.info({ id: p.target, kind: 'external', name: p.targetName });
    b.hit(b.node(p.target, 'external'), p.durationMs, p.error);
    const e = b.edge(p.source, p.target, 'sync');
    if (p.peerService !== undefined) e.peerService = p.peerService;
    e.unpaired++;
    b.call(e, p.traceId, p.durationMs, p.error);
    b.quality.unpairedClients++;
  }
  return { promoted: due.length + overflow.length, overflow: overflow.length };
}

function foldSelfTime(
  t: ChunkTrace,
  tree: ReturnType<typeof buildTraceTree>,
  isNew: (n: SpanNode) => boolean,
  delta: RollupDelta,
  ops: OperationNames,
  o: FoldOptions,
  firstMinute: number,
): void {
  const after = exclusiveTimes(tree);
  const before = t.older.length > 0 ? exclusiveTimes(buildTraceTree(t.older)) : undefined;
  const beforeBySpan = new Map<Span, number>();
  if (before) for (const [n, ns] of before.byEntry) beforeBySpan.set(n.span, ns);
  for (const [n, ns] of after.byEntry) {
    const s = n.span;
    const b = delta.at(minuteOf(s, o.nowMs));
    if (isNew(n)) {
      const op = b.op(n.service, ops.name(n.service, s.name));
      op.calls++;
      if (isErr(s)) op.errors++;
      op.lat.add(ms(s));
      op.selfMs += ns / 1e6;
      b.node(n.service, 'service').selfMs += ns / 1e6;
      continue;
    }
    const was = beforeBySpan.get(s);
    // An older span that only now became a request (its kind was inferred differently) was not
    // counted as one; leave it rather than invent a call.
    if (was === undefined || was === ns) continue;
    const d = (ns - was) / 1e6;
    b.op(n.service, ops.name(n.service, s.name)).selfMs += d;
    b.node(n.service, 'service').selfMs += d;
  }
  const services = new Set<string>([...after.looseByService.keys(), ...(before?.looseByService.keys() ?? [])]);
  for (const svc of services) {
    const d = ((after.looseByService.get(svc) ?? 0) - (before?.looseByService.get(svc) ?? 0)) / 1e6;
    if (d !== 0) delta.at(firstMinute).node(svc, 'service').looseMs += d;
  }
}
