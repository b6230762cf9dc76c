// Small facts about spans and tree nodes that several rules read: is it an error, is it where a
// request entered a service, what does a call talk to, which route is it. One reading of each,
// so two rules never disagree about what "a call" is.
import type { Span } from '../../model/index.ts';
import { dbIdentity, dbProductFromPeer, peerName, topicIdentity, type DbIdentity } from '../graph/identity.ts';
import { normalizeServiceName } from '../service-name.ts';
import { syncChain } from '../trace/chain.ts';
import { isDbSpan } from '../trace/kind.ts';
import type { SpanNode, TraceTree } from '../trace/tree.ts';

export function attrString(span: Span, key: string): string | undefined {
  const v = span.attributes[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

export function attrNumber(span: Span, key: string): number | undefined {
  const v = span.attributes[key];
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function isError(node: SpanNode): boolean {
  if (node.span.status.code === 'error') return true;
  // Server instrumentations do not always set the status for 5xx; the status code says it anyway.
  if (node.kind === 'server') {
    const code = attrNumber(node.span, 'http.response.status_code');
    if (code !== undefined && code >= 500) return true;
  }
  return false;
}

/** Where a request entered a service: a root, or a span whose parent is in another service. */
export function isEntry(node: SpanNode): boolean {
  return !node.parent || node.parent.service !== node.service;
}

/** Entered from another service through a synchronous call (not a producer → consumer hop). */
export function isSyncHop(node: SpanNode): boolean {
  const p = node.parent;
  if (!p || p.service === node.service) return false;
  return node.kind !== 'consumer' && p.kind !== 'producer';
}

export function isDb(node: SpanNode): boolean {
  return isDbCall(node);
}

export function isMessaging(node: SpanNode): boolean {
  return node.kind === 'producer' || node.kind === 'consumer';
}

/** The callee's half of a call: the first child in another service. */
export function remoteChild(node: SpanNode): SpanNode | undefined {
  for (const c of node.children) if (c.service !== node.service) return c;
  return undefined;
}

export type TargetKind = 'service' | 'external' | 'database' | 'queue';

export interface CallTarget {
  kind: TargetKind;
  /** Graph node id (graph/types.ts): service name, `db:…`, `queue:…`, `ext:…`. */
  id: string;
  /** Human label: service name, database namespace, peer name. */
  name: string;
}

/** A call to a database: db.* attributes, or (Zipkin) a peer named after a database product. */
export function isDbCall(node: SpanNode): boolean {
  if (node.kind !== 'client') return false;
  if (isDbSpan(node.span)) return true;
  const peer = peerName(node.span);
  return peer.fromServiceName && dbProductFromPeer(peer.name) !== undefined && !remoteChild(node);
}

/** The graph's database node for a db call (graph/identity.ts), so findings and graph agree. */
export function databaseOf(node: SpanNode): DbIdentity {
  return dbIdentity(node.span, node.service);
}

// Several rules ask the same questions of the trace being visited. The run announces each trace
// (beginTrace) and answers are kept per node index until the next one: arrays, not WeakMaps, whose
// ephemeron bookkeeping costs the garbage collector dearly at a million spans.
let current: readonly SpanNode[] = [];
let currentTree: TraceTree | undefined;
let targets: (CallTarget | null | undefined)[] = [];
let chain: ChainFacts | undefined;

export function beginTrace(tree: TraceTree): void {
  current = tree.nodes;
  currentTree = tree;
  targets = new Array(tree.nodes.length);
  chain = undefined;
}

/** What a CLIENT or PRODUCER node talks to; undefined for other nodes or when nothing names it. */
export function callTarget(node: SpanNode): CallTarget | undefined {
  if (node.kind !== 'client' && node.kind !== 'producer') return undefined;
  if (current[node.index] !== node) return computeCallTarget(node);
  let t = targets[node.index];
  if (t === undefined) {
    t = computeCallTarget(node) ?? null;
    targets[node.index] = t;
  }
  return t ?? undefined;
}

function computeCallTarget(node: SpanNode): CallTarget | undefined {
  const span = node.span;
  if (isDbCall(node)) {
    const db = databaseOf(node);
    return { kind: 'database', id: db.id, name: db.name };
  }
  if (node.kind === 'producer') {
    const consumer = node.children.find((c) => c.kind === 'consumer');
    const topic = topicIdentity(span, consumer?.span);
    return { kind: 'queue', id: topic.id, name: topic.name };
  }
  const remote = remoteChild(node);
  if (remote) return { kind: 'service', id: remote.service, name: remote.service };
  const peer = peerName(span);
  if (peer.name === 'unknown') return undefined;
  if (peer.fromServiceName) {
    // The graph resolves a named peer onto the service of that name when it is instrumented.
    const name = normalizeServiceName(peer.name);
    return { kind: 'external', id: `ext:${peer.name}`, name };
  }
  return { kind: 'external', id: `ext:${peer.name}`, name: peer.name };
}

/** The service a sync call reaches, if it reaches one (instrumented, or named by service.peer.name). */
export function calledService(node: SpanNode): string | undefined {
  if (node.kind !== 'client' || isDbCall(node)) return undefined;
  const remote = remoteChild(node);
  if (remote) return remote.service;
  const peer = attrString(node.span, 'service.peer.name');
  return peer ? normalizeServiceName(peer) : undefined;
}

// Numbers, UUIDs, long hex and long digit-bearing tokens are ids, not route words.
const ID_SEGMENT = /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|(?=[^/]*\d)[A-Za-z0-9_-]{20,})$/i;

/** Turns `/users/42/orders` into `/users/{id}/orders` so raw paths do not explode cardinality. */
export function templatePath(path: string): string {
  const noQuery = path.split('?')[0];
  return noQuery
    .split('/')
    .map((seg) => (seg !== '' && ID_SEGMENT.test(seg) ? '{id}' : seg))
    .join('/');
}

/** The route of a server or client span: http.route, else a templated url.path, else the RPC method. */
export function routeOf(span: Span): string | undefined {
  const route = attrString(span, 'http.route');
  if (route) return route;
  const path = attrString(span, 'url.path');
  if (path) return templatePath(path);
  const full = attrString(span, 'url.full');
  if (full) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/]*(\/[^?#]*)?/i.exec(full);
    if (m) return templatePath(m[1] ?? '/');
  }
  const svc = attrString(span, 'rpc.service');
  const method = attrString(span, 'rpc.method');
  if (svc || method) return `${svc ?? ''}/${method ?? ''}`;
  return undefined;
}

/** `<service> <METHOD> <route>` (or the span name) naming what a request asked for. */
export function endpointOf(node: SpanNode): string {
  const route = routeOf(node.span);
  if (!route) return `${node.service} ${node.span.name}`;
  const method = attrString(node.span, 'http.request.method');
  return method ? `${node.service} ${method.toUpperCase()} ${route}` : `${node.service} ${route}`;
}

export function durationMs(node: SpanNode): number {
  return node.span.durationNs / 1e6;
}

/** True when [a] and [b] share any instant (touching ends do not overlap). */
export function overlaps(a: Span, b: Span): boolean {
  return a.startNs < b.endNs && b.startNs < a.endNs;
}

export interface ChainFacts {
  /** Services on the longest chain of sync hops, in call order (repeats kept). */
  path: string[];
  /** Distinct services on that chain. */
  depth: number;
  /** The entry span of each hop on that chain, in call order. */
  nodes: SpanNode[];
}

/**
 * The deepest synchronous chain of a trace in distinct services, as the core computes it
 * (trace/chain.ts: the API and the waterfall show the same number), with the spans of its hops.
 * Computed once per tree however many rules ask.
 */
export function chainOf(tree: TraceTree): ChainFacts {
  let c = tree === currentTree ? chain : undefined;
  if (!c) {
    const core = syncChain(tree);
    const nodes: SpanNode[] = [];
    if (core.endNode >= 0) {
      let n: SpanNode | undefined = tree.nodes[core.endNode];
      while (n) {
        if (n.index === core.startNode || !n.parent || n.parent.service !== n.service) nodes.push(n);
        if (n.index === core.startNode) break;
        n = n.parent;
      }
      nodes.reverse();
    }
    c = { path: core.services, depth: core.depth, nodes };
    if (tree === currentTree) chain = c;
  }
  return c;
}

/** The span where the request entered `node`'s service on this branch. */
export function entryOf(node: SpanNode): SpanNode {
  let cur = node;
  while (cur.parent && cur.parent.service === cur.service) cur = cur.parent;
  return cur;
}

/** Entries of the services that synchronously called `entry`, nearest first, up to the chain's start. */
export function syncAncestors(entry: SpanNode): SpanNode[] {
  const out: SpanNode[] = [];
  let cur = entry;
  while (isSyncHop(cur) && cur.parent) {
    const e = entryOf(cur.parent);
    out.push(e);
    cur = e;
  }
  return out;
}
