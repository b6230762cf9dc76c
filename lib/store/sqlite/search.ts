// Trace search. Candidates come from the (service_id, start_ns) index, newest first, one
// cursor per service merged by start time; operation, duration and status are checked on
// the row, attributes by decoding the payload's attributes only. The first `limit`
// distinct traces found are summarised from their spans (trace-key index prefix).
import type Database from 'better-sqlite3';
import { STATUS_CODES } from '../../model/index.ts';
import type { Attributes } from '../../model/index.ts';
import { readSpanAttributes } from '../codec/span-payload.ts';
import { SQL } from '../sql/sqlite.ts';
import type { TraceQuery, TraceSummary } from '../types.ts';
import type { Dictionary } from './dictionary.ts';
import { STATUS_NUMBER } from './rows.ts';

const MIN_NS = -(2n ** 63n);
const MAX_NS = 2n ** 63n - 1n;
const PAGE = 256;
/** Bounds the work of one search (a rare attribute over a wide window); newest matches win. */
const MAX_SCANNED = 2_000_000;

interface Candidate {
  seq: bigint;
  trace_key: bigint;
  start_ns: bigint;
  duration_ns: bigint;
  operation_id: bigint;
  status: bigint;
  payload: Buffer;
}

class ServiceCursor {
  private rows: Candidate[] = [];
  private i = 0;
  private exhausted = false;
  // Keyset paging on (start_ns, seq) descending. The first page takes start_ns <= toNs - 1
  // (toNs is exclusive); later pages continue strictly below the last row seen. The upper
  // bound is a plain range so the index range scan starts at the right place.
  private upper: bigint;
  private below: bigint;
  private lastSeq = MAX_NS;

  constructor(
    private readonly stmt: Database.Statement,
    private readonly serviceId: number,
    private readonly fromNs: bigint,
    toNs: bigint,
  ) {
    this.upper = toNs - 1n;
    this.below = toNs;
  }

  head(): Candidate | undefined {
    if (this.i < this.rows.length) return this.rows[this.i];
    if (this.exhausted) return undefined;
    if (this.upper < this.fromNs) {
      this.exhausted = true;
      return undefined;
    }
    this.rows = this.stmt.all(this.serviceId, this.fromNs, this.upper, this.below, this.lastSeq, PAGE) as Candidate[];
    this.i = 0;
    if (this.rows.length < PAGE) this.exhausted = true;
    if (this.rows.length === 0) return undefined;
    const last = this.rows[this.rows.length - 1];
    this.upper = last.start_ns;
    this.below = last.start_ns;
    this.lastSeq = last.seq;
    return this.rows[0];
  }

  next(): void {
    this.i++;
  }
}

function attributesMatch(attrs: Attributes, want: [string, string | number | boolean][]): boolean {
  for (const [k, v] of want) {
    const got = attrs[k];
    if (got !== v && !(typeof got === 'bigint' && typeof v === 'number' && got === BigInt(v))) return false;
  }
  return true;
}

export function searchTraces(db: Database.Database, dict: Dictionary, q: TraceQuery): TraceSummary[] {
  const limit = Math.max(1, Math.min(q.limit ?? 20, 1000));
  const fromNs = q.fromNs ?? MIN_NS;
  const toNs = q.toNs ?? MAX_NS;
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

  const stmt = db.prepare(SQL.searchService).safeIntegers(true);
  const cursors = serviceIds.map((id) => new ServiceCursor(stmt, id, fromNs, toNs));
  const found = new Map<bigint, bigint>(); // trace key → newest matching start
  let scanned = 0;
  while (found.size < limit && scanned < MAX_SCANNED) {
    let best: ServiceCursor | undefined;
    let bestRow: Candidate | undefined;
    for (const c of cursors) {
      const h = c.head();
      if (h && (!bestRow || h.start_ns > bestRow.start_ns || (h.start_ns === bestRow.start_ns && h.seq > bestRow.seq))) {
        best = c;
        bestRow = h;
      }
    }
    if (!best || !bestRow) break;
    best.next();
    scanned++;
    const r = bestRow;
    if (found.has(r.trace_key)) continue;
    if (operationIds && !operationIds.has(Number(r.operation_id))) continue;
    if (status !== undefined && r.status !== status) continue;
    if (minDur !== undefined && r.duration_ns < minDur) continue;
    if (maxDur !== undefined && r.duration_ns > maxDur) continue;
    if (wantAttrs.length > 0 && !attributesMatch(readSpanAttributes(r.payload, dict), wantAttrs)) continue;
    found.set(r.trace_key, r.start_ns);
  }
  const summaries = [...found.keys()].map((k) => summarize(db, dict, k));
  return summaries.filter((s): s is TraceSummary => s !== undefined).sort((a, b) => (a.startNs < b.startNs ? 1 : a.startNs > b.startNs ? -1 : 0));
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
    if (r.status === BigInt(STATUS_CODES.indexOf('error'))) errors++;
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
