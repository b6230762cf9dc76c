// The writers' committed spans, handed to the live analyzer so it does not read them back.
// Reading a chunk of fresh spans from SQLite was a third of the analyzer's CPU (measured: 3.9 µs
// of 11 µs per span, most of it better-sqlite3 building a 14-value row per span); the writer
// already holds every column in a PreparedBatch when its commit returns. A writer packs the
// spans one transaction inserted into one ArrayBuffer (transferred, never copied between threads)
// with the seq range the transaction covers. The analyzer uses a group only when it starts
// exactly at its cursor, so the database stays the truth: a group that is missing (dropped, from
// another process, or the analyzer restarted) is read from storage as before.
import { SPAN_KINDS, STATUS_CODES, type Span } from '../model/index.ts';
import { readSpanPayload } from '../store/codec/span-payload.ts';
import type { Dictionary } from '../store/sqlite/dictionary.ts';
import type { PreparedBatch } from '../store/sqlite/writer.ts';
import type { FeedSpan } from '../store/rollups/live-db.ts';

/** The spans one write transaction inserted: every seq in (after, upTo] that is a stored span. */
export interface FedGroup {
  after: number;
  upTo: number;
  /** Spans in the group. */
  n: number;
  /** Columns, see `columns()`. */
  buf: ArrayBuffer;
}

/** SERVER (2) and INTERNAL (1) spans travel without their payload: the fold reads no attribute of theirs. */
const needsPayload = (kind: number): boolean => kind !== 1 && kind !== 2;

interface Columns {
  seq: Float64Array;
  traceKey: Float64Array;
  startNs: BigInt64Array;
  durationNs: BigInt64Array;
  /** Per span: service id, operation id, resource id, scope id (PreparedBatch.ids). */
  ids: Int32Array;
  payloadEnd: Uint32Array;
  kind: Uint8Array;
  status: Uint8Array;
  hasParent: Uint8Array;
  /** Per span: 8 bytes of span id, 8 of parent id. */
  spanIds: Uint8Array;
  /** Per span: the trace id as 32 latin1 hex characters, written where the span's trace key differs from the one before. */
  traceIds: Uint8Array;
  payload: Uint8Array;
}

function columns(buf: ArrayBuffer, n: number, payloadBytes: number): Columns {
  let o = 0;
  const take = <T>(make: (off: number) => T, bytes: number): T => {
    const v = make(o);
    o += Math.ceil(bytes / 8) * 8;
    return v;
  };
  return {
    seq: take((x) => new Float64Array(buf, x, n), 8 * n),
    traceKey: take((x) => new Float64Array(buf, x, n), 8 * n),
    startNs: take((x) => new BigInt64Array(buf, x, n), 8 * n),
    durationNs: take((x) => new BigInt64Array(buf, x, n), 8 * n),
    ids: take((x) => new Int32Array(buf, x, 4 * n), 16 * n),
    payloadEnd: take((x) => new Uint32Array(buf, x, n), 4 * n),
    kind: take((x) => new Uint8Array(buf, x, n), n),
    status: take((x) => new Uint8Array(buf, x, n), n),
    hasParent: take((x) => new Uint8Array(buf, x, n), n),
    spanIds: take((x) => new Uint8Array(buf, x, 16 * n), 16 * n),
    traceIds: take((x) => new Uint8Array(buf, x, 32 * n), 32 * n),
    payload: take((x) => new Uint8Array(buf, x, payloadBytes), payloadBytes),
  };
}

function byteLength(n: number, payloadBytes: number): number {
  const r = (b: number) => Math.ceil(b / 8) * 8;
  return 4 * r(8 * n) + r(16 * n) + r(4 * n) + 3 * r(n) + r(16 * n) + r(32 * n) + r(payloadBytes);
}

/** Spans a committed transaction inserted (`seqs[i] > 0`), without packing them. */
export function insertedSpans(batches: readonly PreparedBatch[]): number {
  let n = 0;
  for (const b of batches) {
    if (!b.seqs) continue;
    for (let i = 0; i < b.count; i++) if (b.seqs[i] > 0) n++;
  }
  return n;
}

/**
 * Packs the spans a committed transaction inserted (`seqs[i] > 0`; duplicates have 0) from its
 * batches, in seq order. `after`/`upTo`: AUTOINCREMENT's high-water mark before and after the
 * transaction. Undefined when it inserted no span.
 */
export function packCommitted(after: number, upTo: number, batches: readonly PreparedBatch[]): FedGroup | undefined {
  let n = 0;
  let payloadBytes = 0;
  for (const b of batches) {
    if (!b.seqs) continue;
    for (let i = 0; i < b.count; i++) {
      if (b.seqs[i] <= 0) continue;
      n++;
      if (needsPayload(b.kinds[i])) payloadBytes += b.payloadEnds[i] - (i === 0 ? 0 : b.payloadEnds[i - 1]);
    }
  }
  if (n === 0) return undefined;
  const buf = new ArrayBuffer(byteLength(n, payloadBytes));
  const c = columns(buf, n, payloadBytes);
  const latin1 = Buffer.from(c.traceIds.buffer, c.traceIds.byteOffset, c.traceIds.byteLength);
  const spanIds = Buffer.from(c.spanIds.buffer, c.spanIds.byteOffset, c.spanIds.byteLength);
  const payload = Buffer.from(c.payload.buffer, c.payload.byteOffset, c.payload.byteLength);
  let k = 0;
  let p = 0;
  let traceKey = -1;
  for (const b of batches) {
    const { seqs, traceKeys } = b;
    if (!seqs || !traceKeys) continue;
    for (let i = 0; i < b.count; ) {
      if (seqs[i] <= 0) {
        i++;
        continue;
      }
      // A run of inserted spans (a whole batch, unless it had duplicates): columns copied in bulk.
      let end = i + 1;
      while (end < b.count && seqs[end] > 0) end++;
      const len = end - i;
      c.seq.set(seqs.subarray(i, end), k);
      c.traceKey.set(traceKeys.subarray(i, end), k);
      c.startNs.set(b.startNs.subarray(i, end), k);
      c.durationNs.set(b.durationNs.subarray(i, end), k);
      c.ids.set(b.ids.subarray(4 * i, 4 * end), 4 * k);
      c.kind.set(b.kinds.subarray(i, end), k);
      c.status.set(b.statuses.subarray(i, end), k);
      c.hasParent.set(b.hasParent.subarray(i, end), k);
      b.spanIds.copy(spanIds, 16 * k, 16 * i, 16 * end);
      for (let j = i; j < end; j++, k++) {
        // The trace id only where a run of one trace's spans starts: fedSpans reads it there.
        if (traceKeys[j] !== traceKey) {
          traceKey = traceKeys[j];
          latin1.write(b.traceIds[j], 32 * k, 32, 'latin1');
        }
        if (needsPayload(b.kinds[j])) p += b.payload.copy(payload, p, j === 0 ? 0 : b.payloadEnds[j - 1], b.payloadEnds[j]);
        c.payloadEnd[k] = p;
      }
      i += len;
    }
  }
  return { after, upTo, n, buf };
}

/** The group's spans as the fold takes them (the same shape LiveDb.chunk reads from storage). */
export function fedSpans(g: FedGroup, dict: Dictionary): FeedSpan[] {
  const payloadBytes = g.buf.byteLength - byteLength(g.n, 0);
  const c = columns(g.buf, g.n, payloadBytes);
  const ids = Buffer.from(c.spanIds.buffer, c.spanIds.byteOffset, c.spanIds.byteLength);
  const traceIds = Buffer.from(c.traceIds.buffer, c.traceIds.byteOffset, c.traceIds.byteLength);
  const payload = Buffer.from(c.payload.buffer, c.payload.byteOffset, c.payload.byteLength);
  const out = new Array<FeedSpan>(g.n);
  let traceKey = -1;
  let traceId = '';
  for (let k = 0; k < g.n; k++) {
    // A request carries a trace's spans together: one string per run of the same trace.
    if (c.traceKey[k] !== traceKey) {
      traceKey = c.traceKey[k];
      traceId = traceIds.toString('latin1', 32 * k, 32 * k + 32);
    }
    const startNs = c.startNs[k];
    const d = c.durationNs[k];
    const span: Span = {
      traceId,
      spanId: ids.toString('hex', 16 * k, 16 * k + 8),
      name: dict.operationName(c.ids[4 * k + 1]),
      kind: SPAN_KINDS[c.kind[k]] ?? 'unspecified',
      startNs,
      endNs: startNs + d,
      durationNs: d < 0n ? 0 : Number(d),
      status: { code: STATUS_CODES[c.status[k]] ?? 'unset' },
      attributes: {},
      events: [],
      links: [],
      resource: dict.resourceById(c.ids[4 * k + 2]),
      scope: dict.scopeById(c.ids[4 * k + 3]),
    };
    if (c.hasParent[k] === 1) span.parentSpanId = ids.toString('hex', 16 * k + 8, 16 * k + 16);
    const from = k === 0 ? 0 : c.payloadEnd[k - 1];
    if (c.payloadEnd[k] > from) readSpanPayload(payload.subarray(from, c.payloadEnd[k]), span, dict);
    out[k] = { seq: c.seq[k], traceKey, traceId, span };
  }
  return out;
}

/**
 * Fed groups waiting for the analyzer, keyed by where they start. Bounded: past `maxSpans` a new
 * group is refused and counted (the analyzer reads those spans from storage instead). 32,768
 * spans is about 5 MB, and more than the 25,000 that arrive at 50k spans/s while the collector's
 * analyzer waits between passes.
 */
export class FeedQueue {
  private readonly groups = new Map<number, FedGroup>();
  private spans = 0;
  /** Spans refused because the queue was full. */
  dropped = 0;

  constructor(readonly maxSpans = 32_768) {}

  get size(): number {
    return this.spans;
  }

  /**
   * Queues a group, unless the queue is full or the group lies so far past `cursor` that the
   * analyzer, behind, would hold it long before reaching it (it reads those from storage).
   */
  offer(g: FedGroup, cursor?: number): void {
    if (this.spans + g.n > this.maxSpans || (cursor !== undefined && g.upTo - cursor > this.maxSpans)) {
      this.dropped += g.n;
      return;
    }
    this.groups.set(g.after, g);
    this.spans += g.n;
  }

  /** Consecutive groups starting exactly at `cursor`, at least one and then up to `limit` spans. */
  take(cursor: number, limit: number): FedGroup[] {
    this.discardBefore(cursor);
    const out: FedGroup[] = [];
    let n = 0;
    let at = cursor;
    for (let g = this.groups.get(at); g !== undefined && (out.length === 0 || n + g.n <= limit); g = this.groups.get(at)) {
      out.push(g);
      this.groups.delete(at);
      this.spans -= g.n;
      n += g.n;
      at = g.upTo;
    }
    return out;
  }

  /** Where the first group after `cursor` starts (storage is read up to there), or undefined. */
  nextStart(cursor: number): number | undefined {
    let first: number | undefined;
    for (const after of this.groups.keys()) if (after > cursor && (first === undefined || after < first)) first = after;
    return first;
  }

  /** Lets every waiting group go (counted as dropped: storage has them). */
  clear(): void {
    this.dropped += this.spans;
    this.groups.clear();
    this.spans = 0;
  }

  /** Groups the cursor has passed (read from storage meanwhile) are of no more use. */
  private discardBefore(cursor: number): void {
    for (const g of this.groups.values()) {
      if (g.after < cursor) {
        this.groups.delete(g.after);
        this.spans -= g.n;
      }
    }
  }
}
