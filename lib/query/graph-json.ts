// The GET /api/v1/graph body as bytes, written from a BuiltGraph without the intermediate response
// objects: exactly JSON.stringify(graphResponse(b, nowMs, freshness)) (tests compare the two), in a
// fraction of the time (the body is ~370 bytes and ~12 numbers per edge).
import type { GraphEdge, GraphNode } from '../analysis/graph/types.ts';
import { rateSeconds } from './buckets.ts';
import type { BuiltGraph } from './graph.ts';
import { JsonBytes, lit } from './json-bytes.ts';
import { errorRate, perSecond } from './sketches.ts';
import type { Freshness } from './types.ts';

export function graphJson(b: BuiltGraph, nowMs: number, freshness: Freshness): Uint8Array<ArrayBuffer> {
  const secs = rateSeconds(b.window, nowMs);
  const w = new JsonBytes(1024 + b.graph.edges.length * 400 + b.graph.nodes.length * 200);
  w.ascii('{"window":');
  w.value({ fromMs: b.window.fromMs, toMs: b.window.toMs });
  w.ascii(',"nodes":[');
  let first = true;
  for (const n of b.graph.nodes) {
    if (!first) w.ascii(',');
    first = false;
    node(w, n, secs, b.operations);
  }
  w.ascii('],"edges":[');
  first = true;
  for (const e of b.graph.edges) {
    if (!first) w.ascii(',');
    first = false;
    edge(w, e, secs);
  }
  w.ascii('],"quality":');
  w.value(b.quality);
  w.ascii(',"freshness":');
  w.value(freshness);
  w.ascii('}');
  return w.bytes();
}

/** `,"name":value` for a value that may be undefined (JSON.stringify leaves those out). */
function optional(w: JsonBytes, field: string, v: string | number | boolean | undefined): void {
  if (v === undefined) return;
  w.ascii(field);
  if (typeof v === 'string') w.str(v);
  else if (typeof v === 'number') w.num(v);
  else w.ascii(v ? 'true' : 'false');
}

function node(w: JsonBytes, n: GraphNode, secs: number, operations: Map<string, number>): void {
  w.reserve(400 + 6 * (n.id.length + n.kind.length + n.name.length));
  w.ascii('{"id":');
  w.str(n.id);
  w.ascii(',"kind":');
  w.str(n.kind);
  w.ascii(',"name":');
  w.str(n.name);
  w.ascii(',"calls":');
  w.num(n.calls);
  w.ascii(',"errors":');
  w.num(n.errors);
  w.ascii(',"errorRate":');
  w.num(errorRate(n.calls, n.errors));
  w.ascii(',"ratePerSec":');
  w.num(perSecond(n.calls, secs));
  w.ascii(',"p50Ms":');
  w.num(n.p50Ms);
  w.ascii(',"p75Ms":');
  w.num(n.p75Ms);
  w.ascii(',"p95Ms":');
  w.num(n.p95Ms);
  w.ascii(',"p99Ms":');
  w.num(n.p99Ms);
  if (n.kind === 'service') {
    w.ascii(',"operations":');
    w.num(operations.get(n.id) ?? 0);
  }
  if (n.kind === 'database') {
    w.reserve(48 + 6 * ((n.dbSystem?.length ?? 0) + (n.address?.length ?? 0) + (n.namespace?.length ?? 0)));
    optional(w, ',"dbSystem":', n.dbSystem);
    optional(w, ',"address":', n.address);
    optional(w, ',"namespace":', n.namespace);
    optional(w, ',"identityKnown":', n.identityKnown);
    w.ascii(',"tables":');
    w.value(n.tables ?? []);
  }
  if (n.kind === 'queue') {
    w.reserve(48 + 6 * ((n.messagingSystem?.length ?? 0) + (n.destination?.length ?? 0)));
    optional(w, ',"messagingSystem":', n.messagingSystem);
    optional(w, ',"destination":', n.destination);
  }
  w.raw(CLOSE);
}

/** An edge's constant head (id, source, target, kind), encoded once per edge id. */
interface Head {
  source: string;
  target: string;
  kind: string;
  bytes: Uint8Array;
}
const HEADS_MAX = 200_000;
const heads = new Map<string, Head>();

function headOf(e: GraphEdge): Uint8Array {
  const h = heads.get(e.id);
  if (h && h.source === e.source && h.target === e.target && h.kind === e.kind) return h.bytes;
  const w = new JsonBytes(64);
  w.text(`{"id":${JSON.stringify(e.id)},"source":${JSON.stringify(e.source)},"target":${JSON.stringify(e.target)},"kind":${JSON.stringify(e.kind)},"calls":`);
  const bytes = w.bytes().slice();
  // Bounded: a dictionary of edge ids that only grows would otherwise keep every id ever asked.
  if (heads.size >= HEADS_MAX) heads.clear();
  heads.set(e.id, { source: e.source, target: e.target, kind: e.kind, bytes });
  return bytes;
}

const ERRORS = lit(',"errors":');
const ERROR_RATE = lit(',"errorRate":');
const RATE = lit(',"ratePerSec":');
const P50 = lit(',"p50Ms":');
const P75 = lit(',"p75Ms":');
const P95 = lit(',"p95Ms":');
const P99 = lit(',"p99Ms":');
const PAIRED = lit(',"paired":');
const UNPAIRED = lit(',"unpaired":');
const TRACE_IDS = lit(',"traceIds":[');
const SERVER = [lit('],"serverP50Ms":'), lit(',"serverP95Ms":'), lit(',"serverP99Ms":')];
const END_IDS = lit(']');
const COMMA = lit(',');
const CLOSE = lit('}');

function edge(w: JsonBytes, e: GraphEdge, secs: number): void {
  const head = headOf(e);
  let room = head.length + 400;
  for (const id of e.traceIds) room += 6 * id.length + 3;
  w.reserve(room);
  w.raw(head);
  w.num(e.calls);
  w.raw(ERRORS);
  w.num(e.errors);
  w.raw(ERROR_RATE);
  w.num(errorRate(e.calls, e.errors));
  w.raw(RATE);
  w.num(perSecond(e.calls, secs));
  w.raw(P50);
  w.num(e.p50Ms);
  w.raw(P75);
  w.num(e.p75Ms);
  w.raw(P95);
  w.num(e.p95Ms);
  w.raw(P99);
  w.num(e.p99Ms);
  w.raw(PAIRED);
  w.num(e.paired);
  w.raw(UNPAIRED);
  w.num(e.unpaired);
  w.raw(TRACE_IDS);
  for (let i = 0; i < e.traceIds.length; i++) {
    if (i > 0) w.raw(COMMA);
    w.str(e.traceIds[i]);
  }
  if (e.serverP50Ms !== undefined && e.serverP95Ms !== undefined && e.serverP99Ms !== undefined) {
    w.raw(SERVER[0]);
    w.num(e.serverP50Ms);
    w.raw(SERVER[1]);
    w.num(e.serverP95Ms);
    w.raw(SERVER[2]);
    w.num(e.serverP99Ms);
  } else {
    w.raw(END_IDS);
    if (e.serverP50Ms !== undefined) {
      optional(w, ',"serverP50Ms":', e.serverP50Ms);
      optional(w, ',"serverP95Ms":', e.serverP95Ms);
      optional(w, ',"serverP99Ms":', e.serverP99Ms);
    }
  }
  w.raw(CLOSE);
}
