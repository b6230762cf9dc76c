// Trace search. Candidates come from span_blocks: per service and start minute, the seq
// range of a written batch. Blocks of the wanted services overlapping the window are taken
// newest first (merged across services); each block's rows of its service are read from the
// seq range and checked against operation, duration, status and attributes (decoding only
// the payload's attributes). Search stops once `limit` traces are found and no unread block
// can hold a newer match, so the answer is the `limit` traces with the newest matching spans.
import type Database from 'better-sqlite3';
import type { Attributes } from '../../model/index.ts';
import { readSpanAttributes } from '../codec/span-payload.ts';
import { SQL } from '../sql/sqlite.ts';
import type { TraceQuery, TraceSummary } from '../types.ts';
import type { Dictionary } from './dictionary.ts';
import { STATUS_NUMBER } from './rows.ts';

const MIN_NS = -(2n ** 62n);
const MAX_NS = 2n ** 62n;
/** A block's start times lie within one minute (writer.ts). */
const BLOCK_SPREAD_NS = 60_000_000_000n;
const PAGE = 64;
/** Bounds the work of one search (a rare attribute over a wide window); newest matches win. */
const MAX_SCANNED = 2_000_000;
const ERROR = BigInt(STATUS_NUMBER.error);

interface BlockRow {
  id: bigint;
  min_seq: bigint;
  max_seq: bigint;
  max_start_ns: bigint;
}

interface Candidate {
  seq: bigint;
  trace_key: bigint;
  start_ns: bigint;
  duration_ns: bigint;
  operation_id: bigint;
  status: bigint;
}

/** Keyset pages of one service's blocks, descending (max_start_ns, id). */
class BlockCursor {
  private rows: BlockRow[] = [];
  private i = 0;
  private exhausted = false;
  private upper: bigint;
  private below: bigint;
  private lastId = MAX_NS;

  constructor(
    private readonly stmt: Database.Statement,
    readonly serviceId: number,
    private readonly fromNs: bigint,
    private readonly toNs: bigint,
    /** Skip blocks without an error span / without a span this long. */
    private readonly minErrors: number,
    private readonly minDuration: bigint,
  ) {
    // A block holding a span that starts before toNs has max_start < toNs + spread.
    this.upper = toNs + BLOCK_SPREAD_NS - 1n;
    this.below = this.upper + 1n;
  }

  head(): BlockRow | undefined {
    if (this.i < this.rows.length) return this.rows[this.i];
    if (this.exhausted) return undefined;
    this.rows = this.stmt.all(
      this.serviceId, this.fromNs, this.upper, this.below, this.lastId, this.toNs, this.minErrors, this.minDuration, PAGE,
    ) as BlockRow[];
    this.i = 0;
    if (this.rows.length < PAGE) this.exhausted = true;
    if (this.rows.length === 0) return undefined;
    const last = this.rows[this.rows.length - 1];
    this.upper = last.max_start_ns;
    this.below = last.max_start_ns;
    this.lastId = last.id;
    return this.rows[0];
  }

  next(): void {
    this.i++;
  }
}

function attributesMatch(attrs: Attributes, want: [string, string | number | boolean][]): boolean {
  for (const [k, v] of want) {
    const got = attrs[k];
    if (got !== v && !(typeof got === 'bigint' && typeof v === 'number' && Number.isInteger(v) && got === BigInt(v))) return false;
  }
  return true;
}

function kthLargest(values: Iterable<bigint>, k: number): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
  return sorted[k - 1];
}

export function searchTraces(db: Database.Database, dict: Dictionary, q: TraceQuery): TraceSummary[] {
  const limit = Math.max(1, Math.min(Math.floor(q.limit ?? 20), 1000));
  const fromNs = q.fromNs ?? MIN_NS;
  const toNs = q.toNs ?? MAX_NS;
  if (toNs <= fromNs) return [];
  let serviceIds: number[];
  if (q.service !== undefined) {
    const id = dict.findServiceId(q.service);
    if (id === undefined) return [];
    serviceIds = [id];
  } else {
    serviceIds = (db.prepare(SQL.allServices).all() as { id: number }[]).map((r) => Number(r.id));
  }
  let operationIds: Set<number> | undefined;
  if (q.operation !== undefined) {
    const nameId = dict.findStringId(q.operation);
    if (nameId === undefined) return [];
    const ops = db.prepare(SQL.operationsNamed).all(nameId) as { id: number; service_id: number }[];
    operationIds = new Set(ops.map((o) => Number(o.id)));
    const services = new Set(ops.map((o) => Number(o.service_id)));
    serviceIds = serviceIds.filter((s) => services.has(s));
  }
  const status = q.status === undefined ? undefined : BigInt(STATUS_NUMBER[q.status]);
  const minDur = q.minDurationNs === undefined ? undefined : BigInt(Math.ceil(q.minDurationNs));
  const maxDur = q.maxDurationNs === undefined ? undefined : BigInt(Math.floor(q.maxDurationNs));
  const wantAttrs = q.attributes ? Object.entries(q.attributes) : [];

  const blocks = db.prepare(SQL.searchBlocks).safeIntegers(true);
  const rowsOf = db.prepare(SQL.blockSpans).safeIntegers(true);
  // Payloads are read only for rows that pass the column filters (attribute filters only).
  const payloadOf = db.prepare(SQL.payloadOf).pluck();
  const minErrors = status === ERROR ? 1 : 0;
  const cursors = serviceIds.map((id) => new BlockCursor(blocks, id, fromNs, toNs, minErrors, minDur ?? MIN_NS));
  const found = new Map<bigint, bigint>(); // trace key → newest matching start
  let scanned = 0;
  let threshold: bigint | undefined;
  while (scanned < MAX_SCANNED) {
    let best: BlockCursor | undefined;
    let bestRow: BlockRow | undefined;
    for (const c of cursors) {
      const h = c.head();
      if (h && (!bestRow || h.max_start_ns > bestRow.max_start_ns || (h.max_start_ns === bestRow.max_start_ns && h.id > bestRow.id))) {
        best = c;
        bestRow = h;
      }
    }
    if (!best || !bestRow) break;
    // Every unread block's spans start at or before its max_start: none can beat the k-th.
    if (threshold !== undefined && bestRow.max_start_ns < threshold) break;
    best.next();
    const rows = rowsOf.all(bestRow.min_seq, bestRow.max_seq, best.serviceId, fromNs, toNs) as Candidate[];
    scanned += rows.length;
    for (const r of rows) {
      const prev = found.get(r.trace_key);
      if (prev !== undefined && prev >= r.start_ns) continue;
      if (operationIds && !operationIds.has(Number(r.operation_id))) continue;
      if (status !== undefined && r.status !== status) continue;
      if (minDur !== undefined && r.duration_ns < minDur) continue;
      if (maxDur !== undefined && r.duration_ns > maxDur) continue;
      if (wantAttrs.length > 0 && !attributesMatch(readSpanAttributes(payloadOf.get(r.seq) as Buffer, dict), wantAttrs)) continue;
      found.set(r.trace_key, r.start_ns);
    }
    if (found.size >= limit) threshold = kthLargest(found.values(), limit);
  }
  const top = [...found].sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0)).slice(0, limit);
  const summaries = top.map(([k]) => summarize(db, dict, k)).filter((s): s is TraceSummary => s !== undefined);
  return summaries.sort((a, b) => (a.startNs < b.startNs ? 1 : a.startNs > b.startNs ? -1 : 0));
}

interface SummaryRow {
  parent_id: Buffer | null;
  start_ns: bigint;
  duration_ns: bigint;
  service_id: bigint;
  operation_id: bigint;
  status: bigint;
}

export function summarize(db: Database.Database, dict: Dictionary, traceKey: bigint): TraceSummary | undefined {
  const idRow = db.prepare(SQL.traceIdByKey).get(traceKey) as { trace_id: Buffer } | undefined;
  if (!idRow) return undefined;
  const rows = db.prepare(SQL.summaryOfTrace).safeIntegers(true).all(traceKey) as SummaryRow[];
  if (rows.length === 0) return undefined;
  let start = rows[0].start_ns;
  let end = rows[0].start_ns + rows[0].duration_ns;
  let root: SummaryRow | undefined;
  let errors = 0;
  const services = new Set<string>();
  for (const r of rows) {
    if (r.start_ns < start) start = r.start_ns;
    const e = r.start_ns + r.duration_ns;
    if (e > end) end = e;
    if (r.status === ERROR) errors++;
    services.add(dict.serviceName(Number(r.service_id)));
    // The root is the span without a parent; with several (or none stored yet), the earliest.
    const isRoot = r.parent_id === null;
    const rootIsRoot = root?.parent_id === null;
    if (!root || (isRoot && !rootIsRoot) || (isRoot === rootIsRoot && r.start_ns < root.start_ns)) root = r;
  }
  return {
    traceId: idRow.trace_id.toString('hex'),
    rootService: dict.serviceName(Number(root!.service_id)),
    rootName: dict.operationName(Number(root!.operation_id)),
    startNs: start,
    durationNs: end > start ? Number(end - start) : 0,
    spanCount: rows.length,
    errorCount: errors,
    services: [...services].sort(),
  };
}
