// GET /api/v1/graph: the service graph of a window, from the graph blocks (lib/store/rollups/
// graph-block.ts). A window is a few blocks whatever its length (coarse sealed blocks where they
// fit, finer ones at the ragged ends); they are merged key by key with sketch cells summed in a
// typed array, and percentiles read straight off the sum — the same numbers a merge of
// LatencySketch objects gives (GraphAccumulator.build, whose output shape and peer resolution this
// follows). Edges land in typed columns (EdgeRows), not an object each: the JSON writer
// (graph-json.ts) reads the columns, and graph.edges is only made for callers that ask for it.
import { graphNodeOut, type NodeFacts } from '../analysis/graph/node-out.ts';
import type { EdgeKind, GraphEdge, GraphNode, NodeKind, ServiceGraph } from '../analysis/graph/types.ts';
import { LatencySketch, round3, type Summary } from '../analysis/stats/sketch.ts';
import { ROLLUP_ACCURACY } from '../live/delta.ts';
import { ByteReader, NODE_KINDS, traceIdStrings, type SketchScratch, type TraceIdBytes } from '../store/rollups/graph-block.ts';
import { BlockMerge, peerKeys, type MergedEdge } from '../store/rollups/graph-merge.ts';
import type { NodeInfoRow, RollupKeys, RollupReader } from '../store/rollups/reader.ts';
import { alignWindow, planRanges, rateSeconds, type AlignedWindow } from './buckets.ts';
import { errorRate, perSecond } from './sketches.ts';
import type { Freshness, GraphEdgeJson, GraphNodeJson, GraphResponse, PairingQuality } from './types.ts';

const NODE_KIND_SET = new Set<NodeKind>(['service', 'database', 'queue', 'external', 'client']);
const EDGE_KINDS = new Set<EdgeKind>(['sync', 'async', 'db']);
const KEY_EDGE = 1;
const KEY_NODE = 2;
const KEY_OPERATION = 3;
const MAX_TRACE_IDS = 5;
const QS = [0.5, 0.75, 0.95, 0.99] as const;
const GAMMA = (1 + ROLLUP_ACCURACY) / (1 - ROLLUP_ACCURACY);
const EMPTY: Summary = { p50Ms: 0, p75Ms: 0, p95Ms: 0, p99Ms: 0 };

/**
 * The merged edges no peer resolution touched, as columns: one row per edge key, in edge id order
 * (`order` places the objects among them).
 * Numbers per row: `counts` calls, errors, paired, unpaired; `lat` p50, p75, p95, p99 and server
 * p50, p95, p99 in thousandths of a millisecond, integers (the response's round3 value × 1000:
 * the JSON writer prints them without a division; NaN when the edge had no server-side sketch).
 */
export interface EdgeRows {
  keys: RollupKeys;
  n: number;
  key: Int32Array;
  counts: Float64Array;
  lat: Float64Array;
  /**
   * Example trace ids of all rows as JSON text (UTF-8): row i's are [idFrom[i], idTo[i]), the
   * inside of its array (`"a","b"`), so the JSON writer copies them as they are. (In merge order:
   * moving them into id order cost more than the writer's reading them out of order.)
   */
  ids: Uint8Array;
  /** A DataView of ids (the JSON writer copies four bytes at a time). */
  idView: DataView;
  idFrom: Int32Array;
  idTo: Int32Array;
  /** Edges peer resolution made or merged into, as objects. */
  objects: GraphEdge[];
  /** The edges sorted by id: a row index (ascending), or -1 - an index into objects. */
  order: Int32Array;
}

export interface BuiltGraph {
  window: AlignedWindow;
  /** Nodes sorted by id (also graph.nodes). */
  nodes: GraphNode[];
  /** The graph as objects; its edges are made from `edges` on first use. */
  readonly graph: ServiceGraph;
  edges: EdgeRows;
  quality: PairingQuality;
  operations: Map<string, number>;
  /** Blocks or sketch cells that could not be read (skipped, not fatal). */
  damaged: number;
  /** Graph blocks the window was answered from. */
  blocks: number;
}

/** An edge as the response shows it, plus what peer resolution needs (peer edges only). */
interface EdgeOut extends GraphEdge {
  peer?: string;
  /** Kept only for edges peer resolution may merge. */
  sk?: { lat: LatencySketch; srv: LatencySketch | undefined };
}

interface NodeOut extends NodeFacts {
  lat: Summary;
}

const out4 = [0, 0, 0, 0];
/** round3(x) × 1000, an integer: round3(x) is this / 1000 (the division is left to whoever needs the number). */
const thousandths = (x: number): number => Math.round(x * 1000);
function summarize(s: SketchScratch): Summary {
  if (s.empty) return EMPTY;
  s.quantiles(QS, GAMMA, out4);
  return { p50Ms: round3(out4[0]), p75Ms: round3(out4[1]), p95Ms: round3(out4[2]), p99Ms: round3(out4[3]) };
}

/** The edge's percentiles straight into its fields (no object per sketch: 10,000 edges per build). */
function setPercentiles(x: EdgeOut, lat: SketchScratch, srv: SketchScratch | undefined): void {
  lat.quantiles(QS, GAMMA, out4);
  x.p50Ms = round3(out4[0]);
  x.p75Ms = round3(out4[1]);
  x.p95Ms = round3(out4[2]);
  x.p99Ms = round3(out4[3]);
  if (!srv || srv.empty) return;
  srv.quantiles(QS, GAMMA, out4);
  x.serverP50Ms = round3(out4[0]);
  x.serverP95Ms = round3(out4[2]);
  x.serverP99Ms = round3(out4[3]);
}

function setFromSketches(x: EdgeOut, lat: LatencySketch, srv: LatencySketch | undefined): void {
  const s = lat.summary();
  x.p50Ms = s.p50Ms;
  x.p75Ms = s.p75Ms;
  x.p95Ms = s.p95Ms;
  x.p99Ms = s.p99Ms;
  const v = srv?.summary();
  x.serverP50Ms = v?.p50Ms;
  x.serverP95Ms = v?.p95Ms;
  x.serverP99Ms = v?.p99Ms;
  if (!v) {
    delete x.serverP50Ms;
    delete x.serverP95Ms;
    delete x.serverP99Ms;
  }
}

function toSketch(s: SketchScratch): LatencySketch {
  const r = LatencySketch.fromJSON(s.toJson(ROLLUP_ACCURACY));
  return 'error' in r ? new LatencySketch(ROLLUP_ACCURACY) : r;
}

/** Growable edge columns, filled in key order during the merge. */
class RowBuilder {
  n = 0;
  key: Int32Array;
  counts: Float64Array;
  lat: Float64Array;
  ids: Uint8Array;
  idAt: Int32Array;

  /** `rows`: the expected row count (the most edges of any block): no growing on the way. */
  constructor(rows: number) {
    const cap = Math.max(1024, rows);
    this.key = new Int32Array(cap);
    this.counts = new Float64Array(4 * cap);
    this.lat = new Float64Array(7 * cap);
    this.ids = new Uint8Array(64 * cap);
    this.idAt = new Int32Array(cap + 1);
  }

  add(e: MergedEdge): void {
    if (this.n === this.key.length) this.grow();
    const i = this.n++;
    this.idAt[i + 1] = this.idsJson(e.ids, this.idAt[i]);
    this.key[i] = e.key;
    const c = this.counts;
    c[4 * i] = e.calls;
    c[4 * i + 1] = e.errors;
    c[4 * i + 2] = e.paired;
    c[4 * i + 3] = e.unpaired;
    const l = this.lat;
    const at = 7 * i;
    e.lat.quantiles(QS, GAMMA, out4);
    l[at] = thousandths(out4[0]);
    l[at + 1] = thousandths(out4[1]);
    l[at + 2] = thousandths(out4[2]);
    l[at + 3] = thousandths(out4[3]);
    if (e.srv.empty) l[at + 4] = l[at + 5] = l[at + 6] = NaN;
    else {
      e.srv.quantiles(QS, GAMMA, out4);
      l[at + 4] = thousandths(out4[0]);
      l[at + 5] = thousandths(out4[2]);
      l[at + 6] = thousandths(out4[3]);
    }
  }

  /**
   * Writes ids (block form) at `at` of the id column as JSON text, and returns where they end.
   * Printable ASCII without quotes or backslashes (trace ids are hex) is copied between quotes;
   * anything else is JSON.stringify of the string the block holds.
   */
  private idsJson(ids: TraceIdBytes, at: number): number {
    // Quotes and commas add at most 3 bytes per id; escapes go through the slow path below.
    if (at + ids.p + 3 * ids.n > this.ids.length) this.growIds(at + ids.p + 3 * ids.n);
    let dst = this.ids;
    const src = ids.bytes;
    let p = at;
    for (let q = 0; q < ids.p; ) {
      const len = src[q];
      const end = q + 1 + len;
      if (p > at) dst[p++] = 0x2c;
      const start = p;
      dst[p++] = 0x22;
      let plain = true;
      for (let k = q + 1; k < end; k++) {
        const c = src[k];
        if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
          plain = false;
          break;
        }
        dst[p++] = c;
      }
      if (plain) dst[p++] = 0x22;
      else {
        const text = utf8.encode(JSON.stringify(traceIdStrings(src, q, end)[0]));
        // Room for this id's text and every id after it at its plain size.
        if (start + text.length + (ids.p - end) + 3 * ids.n > dst.length) dst = this.growIds(start + text.length + (ids.p - end) + 3 * ids.n);
        dst.set(text, start);
        p = start + text.length;
      }
      q = end;
    }
    return p;
  }

  private growIds(need: number): Uint8Array<ArrayBuffer> {
    const next = new Uint8Array(Math.max(2 * this.ids.length, need));
    next.set(this.ids);
    this.ids = next;
    return next;
  }

  private grow(): void {
    const cap = this.key.length * 2;
    const key = new Int32Array(cap);
    key.set(this.key);
    const counts = new Float64Array(4 * cap);
    counts.set(this.counts);
    const lat = new Float64Array(7 * cap);
    lat.set(this.lat);
    const idAt = new Int32Array(cap + 1);
    idAt.set(this.idAt);
    this.idAt = idAt;
    this.key = key;
    this.counts = counts;
    this.lat = lat;
  }
}

class Built implements BuiltGraph {
  private made: ServiceGraph | undefined;

  constructor(
    readonly window: AlignedWindow,
    readonly nodes: GraphNode[],
    readonly edges: EdgeRows,
    readonly quality: PairingQuality,
    readonly operations: Map<string, number>,
    readonly damaged: number,
    readonly blocks: number,
  ) {}

  get graph(): ServiceGraph {
    this.made ??= {
      nodes: this.nodes,
      edges: Array.from(this.edges.order, (i) => (i >= 0 ? rowEdge(this.edges, i) : this.edges.objects[-1 - i])),
      unpairedClientSpans: this.quality.unpairedClientSpans,
      unpairedProducerSpans: this.quality.unpairedProducerSpans,
    };
    return this.made;
  }
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** Trace ids from their JSON text in the id column. */
function idStrings(ids: Uint8Array, from: number, to: number): string[] {
  return from === to ? [] : (JSON.parse(`[${utf8d.decode(ids.subarray(from, to))}]`) as string[]);
}

/** Row i as the GraphEdge object the object path would have made. */
function rowEdge(rows: EdgeRows, i: number): GraphEdge {
  const k = rows.key[i];
  const c = rows.counts;
  const l = rows.lat;
  const x: GraphEdge = {
    id: rows.keys.edgeId[k], source: rows.keys.a[k], target: rows.keys.b[k], kind: rows.keys.c[k] as EdgeKind,
    calls: c[4 * i], errors: c[4 * i + 1],
    p50Ms: l[7 * i] / 1000, p75Ms: l[7 * i + 1] / 1000, p95Ms: l[7 * i + 2] / 1000, p99Ms: l[7 * i + 3] / 1000,
    paired: c[4 * i + 2], unpaired: c[4 * i + 3],
    traceIds: idStrings(rows.ids, rows.idFrom[i], rows.idTo[i]),
  };
  if (!Number.isNaN(l[7 * i + 4])) {
    x.serverP50Ms = l[7 * i + 4] / 1000;
    x.serverP95Ms = l[7 * i + 5] / 1000;
    x.serverP99Ms = l[7 * i + 6] / 1000;
  }
  return x;
}

export function buildGraph(r: RollupReader, fromMs: number, toMs: number): BuiltGraph {
  const window = alignWindow(fromMs, toMs);
  const ranges = planRanges(window);
  const info = r.nodeInfo();
  const { bodies } = r.graphBlocks(window.fromMinute, window.toMinute);
  const keys = r.keys();
  let damaged = 0;

  // Peer edges may resolve onto an edge to the service they name (as GraphAccumulator.build does):
  // those edges and the edges they would land on go the object way (with their sketches), every
  // other edge into the columns.
  const peers = keys.names > 0 ? peerKeys(bodies, ROLLUP_ACCURACY) : new Map<number, number>();
  const landing = new Set<string>();
  for (const [key, name] of peers) {
    if (keys.type[key] === KEY_EDGE) landing.add(`${keys.a[key]}->${keys.a[name - 1]}|${keys.c[key]}`);
  }

  const merge = new BlockMerge(bodies, ROLLUP_ACCURACY, 'bytes');
  const rows = new RowBuilder(edgeCount(bodies));
  const plain: EdgeOut[] = [];
  const peered: EdgeOut[] = [];
  merge.edges((e) => {
    const kind = keys.c[e.key] as EdgeKind;
    if (keys.type[e.key] !== KEY_EDGE) {
      damaged++;
      return;
    }
    if (!EDGE_KINDS.has(kind)) return;
    const id = keys.edgeId[e.key];
    if (e.peer === 0 && (landing.size === 0 || !landing.has(id))) return rows.add(e);
    const x: EdgeOut = {
      id, source: keys.a[e.key], target: keys.b[e.key], kind,
      calls: e.calls, errors: e.errors,
      p50Ms: 0, p75Ms: 0, p95Ms: 0, p99Ms: 0,
      paired: e.paired, unpaired: e.unpaired,
      traceIds: e.ids.strings(),
    };
    setPercentiles(x, e.lat, e.srv);
    if (e.peer !== 0) x.peer = keys.a[e.peer - 1];
    x.sk = { lat: toSketch(e.lat), srv: e.srv.empty ? undefined : toSketch(e.srv) };
    (x.peer !== undefined ? peered : plain).push(x);
  });

  const nodes = new Map<string, NodeOut>();
  const nodeOf = (id: string, kindHint: string): NodeOut => {
    let n = nodes.get(id);
    if (n) return n;
    const i = info.get(id);
    n = { id, kind: asNodeKind(i?.[1] ?? kindHint), name: i?.[2] ?? id, calls: 0, errors: 0, lat: EMPTY };
    if (i) applyInfo(n, i);
    nodes.set(id, n);
    return n;
  };
  merge.nodes((m) => {
    if (keys.type[m.key] !== KEY_NODE) {
      damaged++;
      return;
    }
    const n = nodeOf(keys.a[m.key], NODE_KINDS[m.kind] ?? 'service');
    n.calls += m.calls;
    n.errors += m.errors;
    n.lat = summarize(m.lat);
  });
  const operations = new Map<string, number>();
  const seenOps = new Set<number>();
  merge.operations((k) => {
    if (keys.type[k] !== KEY_OPERATION || seenOps.has(k)) return;
    seenOps.add(k);
    operations.set(keys.a[k], (operations.get(keys.a[k]) ?? 0) + 1);
  });
  damaged += merge.damaged + merge.damagedCells;

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
  // Endpoints that only ever appear on edges (a caller that is not itself called) are nodes too.
  // Each distinct endpoint once (by its index in the key dictionary), not a lookup per edge end.
  const seen = new Uint8Array(keys.endpoints.length);
  for (let i = 0; i < rows.n; i++) {
    const k = rows.key[i];
    const a = keys.src[k];
    const b = keys.dst[k];
    if (seen[a] === 0) {
      seen[a] = 1;
      nodeOf(keys.a[k], 'service');
    }
    if (seen[b] === 0) {
      seen[b] = 1;
      nodeOf(keys.b[k], 'service');
    }
  }
  for (const list of [plain, peered]) {
    for (const e of list) {
      nodeOf(e.source, 'service');
      nodeOf(e.target, 'service');
    }
  }

  const resolved = resolvePeers(plain, peered, nodes);
  const q = r.quality(ranges);
  const quality = { unpairedClientSpans: q.unpairedClients, latePairs: q.latePairs, unpairedProducerSpans: q.unpairedProducers };
  const { edgeRows, nodeList } = assemble(r, keys, rows, resolved.out, nodes, resolved.resolvedAway);
  return new Built(window, nodeList, edgeRows, quality, operations, damaged, merge.blocks);
}

/** The most edges any block holds (the edge count leads a block, after its 9-byte header). */
function edgeCount(bodies: readonly Uint8Array[]): number {
  let most = 0;
  for (const b of bodies) {
    const r = new ByteReader(b);
    r.p = 9;
    const n = r.varint();
    if (!r.bad && n > most && n < 1 << 24) most = n;
  }
  return most;
}

/**
 * Uninstrumented peers named after a service seen in the window resolve onto that service (never
 * onto the caller itself), merging into the edge that is already there.
 */
function resolvePeers(plain: EdgeOut[], peered: EdgeOut[], nodes: Map<string, NodeOut>): { out: Iterable<EdgeOut>; resolvedAway: Map<string, number> } {
  const resolvedAway = new Map<string, number>();
  if (peered.length === 0) return { out: plain, resolvedAway };
  const byId = new Map<string, EdgeOut>();
  for (const e of plain) byId.set(e.id, e);
  for (const e of peered) byId.set(e.id, e);
  const out = new Map<string, EdgeOut>();
  for (const list of [plain, peered]) {
    for (const e of list) {
      const svc = e.peer;
      const target = svc && svc !== e.source && nodes.get(svc)?.kind === 'service' ? svc : undefined;
      if (!target) {
        // Already present as a merged copy that includes this edge (a peer resolved onto it first).
        if (!out.has(e.id)) out.set(e.id, e);
        continue;
      }
      resolvedAway.set(e.target, (resolvedAway.get(e.target) ?? 0) + e.calls);
      const id = `${e.source}->${target}|${e.kind}`;
      const into = out.get(id) ?? byId.get(id);
      out.set(id, into && into !== e ? mergeEdges(into, e) : { ...e, id, target });
    }
  }
  return { out: out.values(), resolvedAway };
}

function mergeEdges(into: EdgeOut, e: EdgeOut): EdgeOut {
  const lat = new LatencySketch(ROLLUP_ACCURACY);
  if (into.sk) lat.merge(into.sk.lat);
  if (e.sk) lat.merge(e.sk.lat);
  let srv: LatencySketch | undefined;
  for (const s of [into.sk?.srv, e.sk?.srv]) if (s) (srv ??= new LatencySketch(ROLLUP_ACCURACY)).merge(s);
  const traceIds = into.traceIds.slice();
  for (const id of e.traceIds) if (traceIds.length < MAX_TRACE_IDS && !traceIds.includes(id)) traceIds.push(id);
  const x: EdgeOut = {
    ...into,
    calls: into.calls + e.calls,
    errors: into.errors + e.errors,
    paired: into.paired + e.paired,
    unpaired: into.unpaired + e.unpaired,
    traceIds,
    sk: { lat, srv },
  };
  setFromSketches(x, lat, srv);
  return x;
}

function assemble(
  r: RollupReader,
  keys: RollupKeys,
  rows: RowBuilder,
  resolved: Iterable<EdgeOut>,
  nodes: Map<string, NodeOut>,
  resolvedAway: Map<string, number>,
): { edgeRows: EdgeRows; nodeList: GraphNode[] } {
  // Calls out of each source, summed by endpoint index, then one map entry per source.
  const sync = new Float64Array(keys.endpoints.length);
  const async = new Float64Array(keys.endpoints.length);
  const touched = new Uint8Array(keys.endpoints.length);
  for (let i = 0; i < rows.n; i++) {
    const k = rows.key[i];
    const a = keys.src[k];
    if (keys.c[k] === 'async') {
      async[a] += rows.counts[4 * i];
      touched[a] |= 2;
    } else {
      sync[a] += rows.counts[4 * i];
      touched[a] |= 1;
    }
  }
  const outSync = new Map<string, number>();
  const outAsync = new Map<string, number>();
  for (let a = 0; a < touched.length; a++) {
    if (touched[a] & 1) outSync.set(keys.endpoints[a], sync[a]);
    if (touched[a] & 2) outAsync.set(keys.endpoints[a], async[a]);
  }
  const objects: GraphEdge[] = [];
  for (const e of resolved) {
    if (e.kind === 'async') outAsync.set(e.source, (outAsync.get(e.source) ?? 0) + e.calls);
    else outSync.set(e.source, (outSync.get(e.source) ?? 0) + e.calls);
    // Internal to resolution: not part of the graph.
    const { peer: _peer, sk: _sk, ...g } = e;
    objects.push(g);
  }
  let usedTargets: Set<string> | undefined;
  if (resolvedAway.size > 0) {
    usedTargets = new Set(objects.map((e) => e.target));
    for (let i = 0; i < rows.n; i++) usedTargets.add(keys.b[rows.key[i]]);
  }
  const nodeList: GraphNode[] = [];
  for (const n of nodes.values()) {
    // An external node whose every call was resolved onto a real service is gone.
    if (usedTargets && n.kind === 'external' && resolvedAway.get(n.id) === n.calls && !usedTargets.has(n.id)) continue;
    const g = graphNodeOut(n, n.lat, [], outSync, outAsync);
    nodeList.push(g);
  }
  nodeList.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  objects.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const edgeRows = sortRows(r.edgeRank(), keys, rows, objects);
  return { edgeRows, nodeList };
}

/**
 * The rows moved into edge id order — by the reader's rank of their key (ids sorted once per key
 * dictionary, not per request) — and the few objects placed among them by binary search on their
 * ids. The merge leaves rows in key order, which is unrelated to id order: the JSON writer reading
 * them that way missed the cache on every row (measured: twice the writer's time), while this
 * gather is a few tight loops.
 */
function sortRows(rank: Int32Array, keys: RollupKeys, rows: RowBuilder, objects: GraphEdge[]): EdgeRows {
  const n = rows.n;
  const byRank = new Int32Array(rank.length).fill(-1);
  for (let i = 0; i < n; i++) byRank[rank[rows.key[i]]] = i;
  const sorted = new Int32Array(n);
  let at = 0;
  for (let r = 0; r < byRank.length; r++) if (byRank[r] >= 0) sorted[at++] = byRank[r];
  const key = new Int32Array(n);
  const counts = new Float64Array(4 * n);
  const lat = new Float64Array(7 * n);
  const idFrom = new Int32Array(n);
  const idTo = new Int32Array(n);
  const c0 = rows.counts;
  const l0 = rows.lat;
  const a0 = rows.idAt;
  for (let j = 0; j < n; j++) {
    const i = sorted[j];
    key[j] = rows.key[i];
    for (let f = 0; f < 4; f++) counts[4 * j + f] = c0[4 * i + f];
    for (let f = 0; f < 7; f++) lat[7 * j + f] = l0[7 * i + f];
    idFrom[j] = a0[i];
    idTo[j] = a0[i + 1];
  }
  let order: Int32Array;
  if (objects.length === 0) {
    order = new Int32Array(n);
    for (let j = 0; j < n; j++) order[j] = j;
  } else {
    order = new Int32Array(n + objects.length);
    let o = 0;
    let from = 0;
    for (let j = 0; j < objects.length; j++) {
      const id = objects[j].id;
      // First row whose id sorts after this object's: the rows before it go first.
      let lo = from;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (keys.edgeId[key[mid]] < id) lo = mid + 1;
        else hi = mid;
      }
      for (; from < lo; from++) order[o++] = from;
      order[o++] = -1 - j;
    }
    for (; from < n; from++) order[o++] = from;
  }
  const ids = rows.ids;
  return { keys, n, key, counts, lat, ids, idView: new DataView(ids.buffer, ids.byteOffset, ids.byteLength), idFrom, idTo, objects, order };
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
  return NODE_KIND_SET.has(k as NodeKind) ? (k as NodeKind) : 'service';
}

function applyInfo(n: NodeOut, i: NodeInfoRow): void {
  const [, , , dbSystem, address, namespace, identityKnown, messagingSystem, destination] = i;
  if (dbSystem !== null) {
    n.dbSystem = dbSystem;
    n.address = address ?? '';
    n.namespace = namespace ?? '';
    n.identityKnown = identityKnown === null ? undefined : identityKnown === 1;
  }
  if (messagingSystem !== null) {
    n.messagingSystem = messagingSystem;
    n.destination = destination ?? '';
  }
}
