// The GET /api/v1/graph body as bytes, written from a BuiltGraph without the intermediate response
// objects: exactly JSON.stringify(graphResponse(b, nowMs, freshness)) (tests compare the two), in a
// fraction of the time (the body is ~370 bytes and ~12 numbers per edge).
import type { GraphEdge, GraphNode } from '../analysis/graph/types.ts';
import { rateSeconds } from './buckets.ts';
import type { RollupKeys } from '../store/rollups/reader.ts';
import type { BuiltGraph, EdgeRows } from './graph.ts';
import { JsonBytes, lit } from './json-bytes.ts';
import { errorRate, perSecond } from './sketches.ts';
import type { Freshness } from './types.ts';

export function graphJson(b: BuiltGraph, nowMs: number, freshness: Freshness): Uint8Array<ArrayBuffer> {
  const secs = rateSeconds(b.window, nowMs);
  const rows = b.edges;
  const w = new JsonBytes(1024 + rows.order.length * 400 + b.nodes.length * 200);
  w.ascii('{"window":');
  w.value({ fromMs: b.window.fromMs, toMs: b.window.toMs });
  w.ascii(',"nodes":[');
  let first = true;
  for (const n of b.nodes) {
    if (!first) w.ascii(',');
    first = false;
    node(w, n, secs, b.operations);
  }
  w.ascii('],"edges":[');
  edgesJson(w, rows, secs);
  w.ascii('],"quality":');
  w.value(b.quality);
  w.ascii(',"freshness":');
  w.value(freshness);
  w.ascii('}');
  return w.bytes();
}

/**
 * The edges, comma separated. Its own function: a loop of 10,000 rows inside graphJson was
 * compiled on stack replacement and thrown away at the code after it on every request.
 */
function edgesJson(w: JsonBytes, rows: EdgeRows, secs: number): void {
  const heads = headsOf(rows);
  const order = rows.order;
  for (let k = 0; k < order.length; k++) {
    if (k > 0) w.lit(COMMA);
    const i = order[k];
    if (i >= 0) row(w, rows, i, secs, heads);
    else edge(w, rows.objects[-1 - i], secs);
  }
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
  w.lit(CLOSE);
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
  const bytes = edgeHead(e.id, e.source, e.target, e.kind);
  // Bounded: a dictionary of edge ids that only grows would otherwise keep every id ever asked.
  if (heads.size >= HEADS_MAX) heads.clear();
  heads.set(e.id, { source: e.source, target: e.target, kind: e.kind, bytes });
  return bytes;
}

/**
 * Edge heads by key id, per key dictionary: keys never change, so a head is encoded once for the
 * life of the reader (bounded by its dictionary), and a new key costs one head, not a rebuild.
 * The heads sit in one byte pool (a row's head is one or two cache lines, not three objects):
 * at 10,000 rows, reading scattered small objects cost more than writing the bytes.
 */
class HeadPool {
  bytes = new Uint8Array(1 << 16);
  view = new DataView(this.bytes.buffer);
  p = 0;
  /** Per key id: where its head starts in the pool, -1 = not encoded yet; ends at `end`. */
  at = new Int32Array(0);
  end = new Int32Array(0);

  /** The head of edge key `key` in the pool ([at[key], end[key])). */
  ensure(keys: RollupKeys, key: number): void {
    if (key >= this.at.length) {
      const n = Math.max(keys.type.length, key + 1, 2 * this.at.length);
      const at = new Int32Array(n).fill(-1);
      at.set(this.at);
      const end = new Int32Array(n);
      end.set(this.end);
      this.at = at;
      this.end = end;
    }
    if (this.at[key] >= 0) return;
    const head = edgeHead(keys.edgeId[key], keys.a[key], keys.b[key], keys.c[key]);
    if (this.p + head.length > this.bytes.length) {
      const next = new Uint8Array(Math.max(2 * this.bytes.length, this.p + head.length));
      next.set(this.bytes.subarray(0, this.p));
      this.bytes = next;
      this.view = new DataView(next.buffer);
    }
    this.bytes.set(head, this.p);
    this.at[key] = this.p;
    this.p += head.length;
    this.end[key] = this.p;
  }
}

const headsByKeys = new WeakMap<RollupKeys, HeadPool>();

function headsOf(rows: EdgeRows): HeadPool {
  let h = headsByKeys.get(rows.keys);
  if (!h) headsByKeys.set(rows.keys, (h = new HeadPool()));
  return h;
}

const utf8 = new TextEncoder();

function edgeHead(id: string, source: string, target: string, kind: string): Uint8Array {
  return utf8.encode(`{"id":${JSON.stringify(id)},"source":${JSON.stringify(source)},"target":${JSON.stringify(target)},"kind":${JSON.stringify(kind)},"calls":`);
}

/** One column row, the same bytes edge() writes for its object. */
function row(w: JsonBytes, rows: EdgeRows, i: number, secs: number, heads: HeadPool): void {
  const key = rows.key[i];
  if (key >= heads.at.length || heads.at[key] < 0) heads.ensure(rows.keys, key);
  const headFrom = heads.at[key];
  const headTo = heads.end[key];
  const idFrom = rows.idFrom[i];
  const idTo = rows.idTo[i];
  w.reserve(headTo - headFrom + 400 + (idTo - idFrom));
  w.copy(heads.bytes, heads.view, headFrom, headTo);
  const c = rows.counts;
  const l = rows.lat;
  const calls = c[4 * i];
  const errors = c[4 * i + 1];
  w.int(calls);
  w.lit(ERRORS);
  w.int(errors);
  w.lit(ERROR_RATE);
  w.dec3(errorRate(calls, errors));
  w.lit(RATE);
  w.dec6(perSecond(calls, secs));
  w.lit(P50);
  w.milli(l[7 * i]);
  w.lit(P75);
  w.milli(l[7 * i + 1]);
  w.lit(P95);
  w.milli(l[7 * i + 2]);
  w.lit(P99);
  w.milli(l[7 * i + 3]);
  w.lit(PAIRED);
  w.int(c[4 * i + 2]);
  w.lit(UNPAIRED);
  w.int(c[4 * i + 3]);
  w.lit(TRACE_IDS);
  // The ids are JSON text already (RowBuilder).
  w.copy(rows.ids, rows.idView, idFrom, idTo);
  if (Number.isNaN(l[7 * i + 4])) w.lit(END_IDS);
  else {
    w.lit(SERVER[0]);
    w.milli(l[7 * i + 4]);
    w.lit(SERVER[1]);
    w.milli(l[7 * i + 5]);
    w.lit(SERVER[2]);
    w.milli(l[7 * i + 6]);
  }
  w.lit(CLOSE);
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
  w.lit(ERRORS);
  w.num(e.errors);
  w.lit(ERROR_RATE);
  w.num(errorRate(e.calls, e.errors));
  w.lit(RATE);
  w.num(perSecond(e.calls, secs));
  w.lit(P50);
  w.num(e.p50Ms);
  w.lit(P75);
  w.num(e.p75Ms);
  w.lit(P95);
  w.num(e.p95Ms);
  w.lit(P99);
  w.num(e.p99Ms);
  w.lit(PAIRED);
  w.num(e.paired);
  w.lit(UNPAIRED);
  w.num(e.unpaired);
  w.lit(TRACE_IDS);
  for (let i = 0; i < e.traceIds.length; i++) {
    if (i > 0) w.lit(COMMA);
    w.str(e.traceIds[i]);
  }
  if (e.serverP50Ms !== undefined && e.serverP95Ms !== undefined && e.serverP99Ms !== undefined) {
    w.lit(SERVER[0]);
    w.num(e.serverP50Ms);
    w.lit(SERVER[1]);
    w.num(e.serverP95Ms);
    w.lit(SERVER[2]);
    w.num(e.serverP99Ms);
  } else {
    w.lit(END_IDS);
    if (e.serverP50Ms !== undefined) {
      optional(w, ',"serverP50Ms":', e.serverP50Ms);
      optional(w, ',"serverP95Ms":', e.serverP95Ms);
      optional(w, ',"serverP99Ms":', e.serverP99Ms);
    }
  }
  w.lit(CLOSE);
}
