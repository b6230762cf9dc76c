// The ingest hot path: spans are encoded first (dictionary ids, binary payloads; no lock
// needed), then one IMMEDIATE transaction per group of batches inserts them with prepared
// statements, ids as blobs.
import type Database from 'better-sqlite3';
import type { IngestBatch, LogRecord, MetricPoint } from '../../model/index.ts';
import { ByteWriter } from '../codec/bytes.ts';
import { descriptorOf } from '../codec/entities.ts';
import { writeLogPayload, writePointPayload } from '../codec/point-payload.ts';
import { writeSpanPayload } from '../codec/span-payload.ts';
import { insertSpans as insertSpansSql, SPAN_INSERT_COLUMNS, SQL } from '../sql/sqlite.ts';
import type { WriteResult } from '../types.ts';
import { type Dictionary, DictionaryWriteNeeded } from './dictionary.ts';
import { KIND_NUMBER, STATUS_NUMBER } from './rows.ts';
import type { TraceKeys } from './trace-keys.ts';

const NS_PER_MINUTE = 60_000_000_000n;
const ERROR = STATUS_NUMBER.error;
const EMPTY = Buffer.alloc(0);
/** Span rows per INSERT statement (see insertSpans in sql/sqlite.ts). */
const ROWS = 32;

export function minuteOf(ns: bigint): number {
  return Number(ns / NS_PER_MINUTE);
}

function idBytes(hex: string, bytes: number, what: string): Buffer {
  const b = Buffer.from(hex, 'hex');
  if (b.length !== bytes || hex.length !== bytes * 2) throw new TypeError(`malformed ${what} ${JSON.stringify(hex)}`);
  return b;
}

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

/** Parses a lowercase hex id of `target`'s 8 bytes at `at`. A JS loop: cheaper than a native call for 16 characters. */
function idInto(target: Buffer, at: number, hex: string, what: string): void {
  if (hex.length !== 16) throw new TypeError(`malformed ${what} ${JSON.stringify(hex)}`);
  for (let i = 0; i < 8; i++) {
    const a = hex.charCodeAt(2 * i);
    const b = hex.charCodeAt(2 * i + 1);
    const hi = a < 128 ? HEX[a] : -1;
    const lo = b < 128 ? HEX[b] : -1;
    if (hi < 0 || lo < 0) throw new TypeError(`malformed ${what} ${JSON.stringify(hex)}`);
    target[at + i] = (hi << 4) | lo;
  }
}

/** One service's inserted spans in this batch (seqs ascend as rows are inserted). */
interface Block {
  serviceId: number;
  minSeq: number;
  maxSeq: number;
  minStart: bigint;
  maxStart: bigint;
  maxEnd: bigint;
  count: number;
  errors: number;
  maxDuration: bigint;
}

/** The span_blocks and span_minutes rows of one write transaction. */
class Blocks {
  private readonly blocks = new Map<number, Block>();
  /** minute → [minSeq, maxSeq, count] */
  private readonly minutes = new Map<number, [number, number, number]>();

  add(seq: number, serviceId: number, startNs: bigint, durationNs: bigint, isError: boolean): void {
    const duration = durationNs > 0n ? durationNs : 0n;
    const endNs = startNs + duration;
    const m = minuteOf(startNs);
    // Blocks are per service *and start minute*, so a block's start times span under a
    // minute and a time-window search can bound its index range (see search.ts).
    const blockKey = serviceId * 0x100000000 + (m % 0x100000000);
    const b = this.blocks.get(blockKey);
    if (b) {
      b.maxSeq = seq;
      if (startNs < b.minStart) b.minStart = startNs;
      if (startNs > b.maxStart) b.maxStart = startNs;
      if (endNs > b.maxEnd) b.maxEnd = endNs;
      if (duration > b.maxDuration) b.maxDuration = duration;
      b.count++;
      if (isError) b.errors++;
    } else {
      this.blocks.set(blockKey, {
        serviceId,
        minSeq: seq,
        maxSeq: seq,
        minStart: startNs,
        maxStart: startNs,
        maxEnd: endNs,
        count: 1,
        errors: isError ? 1 : 0,
        maxDuration: duration,
      });
    }
    const r = this.minutes.get(m);
    if (r) {
      if (seq < r[0]) r[0] = seq;
      if (seq > r[1]) r[1] = seq;
      r[2]++;
    } else this.minutes.set(m, [seq, seq, 1]);
  }

  write(upsertMinute: Database.Statement, insertBlock: Database.Statement): void {
    for (const [m, r] of this.minutes) upsertMinute.run(m, r[0], r[1], r[2]);
    for (const b of this.blocks.values()) {
      insertBlock.run(b.serviceId, b.minSeq, b.maxSeq, b.minStart, b.maxStart, b.maxEnd, b.count, b.errors, b.maxDuration);
    }
  }
}

/**
 * A batch with its spans encoded into columns: dictionary ids, binary ids, times and payloads,
 * so what is left for the write transaction is the trace keys and the inserts. Encoding needs
 * no write lock, so a writer thread encodes while another thread's transaction commits. It
 * keeps no span object: the decoded spans die young, before a scavenge would have to copy them
 * while the batch waits for its commit.
 */
export interface PreparedBatch {
  /** Spans in the batch. */
  count: number;
  /** Per span: its trace id, lowercase hex (the trace-key cache's key). */
  traceIds: string[];
  /** Per span: 8 bytes of span id, then 8 bytes of parent span id (zeros when `hasParent` is 0). */
  spanIds: Buffer;
  hasParent: Uint8Array;
  kinds: Uint8Array;
  statuses: Uint8Array;
  startNs: BigInt64Array;
  /** End minus start, as stored (negative when a clock put the end first). */
  durationNs: BigInt64Array;
  /** Per span: service id, operation id, resource id, scope id. */
  ids: Int32Array;
  /** Per span: end offset of its payload in `payload`. */
  payloadEnds: Uint32Array;
  payload: Buffer;
  /** Per span, once committed: its seq, 0 when it was a duplicate (the live analyzer's feed). */
  seqs?: Float64Array;
  /** Per span, once committed: its trace key. */
  traceKeys?: Float64Array;
  metrics: MetricPoint[];
  logs: LogRecord[];
}

/** Runs write transactions; the store passes its lock (if any) and IMMEDIATE transactions. */
export type RunWrite = <T>(f: () => T) => T;

export class BatchWriter {
  private readonly insertSpan: Database.Statement;
  private readonly upsertMinute: Database.Statement;
  private readonly insertBlock: Database.Statement;
  private readonly generation: Database.Statement;
  private readonly insertPoint: Database.Statement;
  private readonly insertLog: Database.Statement;
  private readonly w = new ByteWriter(64 * 1024);
  private readonly insertSpanRows: Database.Statement;
  private readonly spansAfter: Database.Statement;
  private readonly spanSequence: Database.Statement;
  private readonly args: unknown[] = new Array(ROWS * SPAN_INSERT_COLUMNS);
  private readonly args1: unknown[] = new Array(SPAN_INSERT_COLUMNS);
  /** The spans' seq range of the last committed transaction: (after, upTo]. */
  lastSpanRange = { after: 0, upTo: 0 };

  constructor(
    db: Database.Database,
    private readonly dict: Dictionary,
    private readonly traces: TraceKeys,
    private readonly runWrite: RunWrite,
  ) {
    this.insertSpan = db.prepare(SQL.insertSpan);
    this.insertSpanRows = db.prepare(insertSpansSql(ROWS));
    this.spansAfter = db.prepare(SQL.spanIdentitiesAfter).raw();
    this.spanSequence = db.prepare(SQL.spanSequence).pluck();
    this.upsertMinute = db.prepare(SQL.upsertSpanMinute);
    this.insertBlock = db.prepare(SQL.insertSpanBlock);
    this.generation = db.prepare(SQL.traceGeneration).pluck();
    this.insertPoint = db.prepare(SQL.insertPoint);
    this.insertLog = db.prepare(SQL.insertLog);
  }

  /** All of the batch is committed when this returns; on error nothing is and the caches forget. */
  write(batch: IngestBatch): WriteResult {
    return this.writePrepared([this.prepare(batch)]);
  }

  /**
   * Encodes the batch's spans. Outside any transaction while the dictionary already knows every
   * value (the steady state); a batch that needs new dictionary rows is encoded again inside a
   * write transaction of its own, which commits those rows.
   */
  prepare(batch: IngestBatch): PreparedBatch {
    const { dict } = this;
    dict.writable = false;
    try {
      return this.encode(batch);
    } catch (err) {
      if (!(err instanceof DictionaryWriteNeeded)) throw err;
    } finally {
      dict.writable = true;
    }
    return this.transaction(() => this.encode(batch));
  }

  /** Writes prepared batches in one transaction (a group commit). */
  writePrepared(batches: PreparedBatch[]): WriteResult {
    const result: WriteResult = { spansInserted: 0, spansDuplicate: 0, metricPointsInserted: 0, logRecordsInserted: 0 };
    if (batches.every((b) => b.count === 0 && b.metrics.length === 0 && b.logs.length === 0)) return result;
    let after = 0;
    let upTo = 0;
    const r = this.transaction(() => {
      const spans = batches.some((b) => b.count > 0);
      if (spans) {
        this.traces.begin(Number(this.generation.get()));
        after = upTo = this.sequence();
      }
      const blocks = new Blocks();
      for (const b of batches) {
        if (b.count > 0) upTo = this.insertSpans(b, upTo, result, blocks);
        for (const p of b.metrics) this.writePoint(p);
        result.metricPointsInserted += b.metrics.length;
        for (const l of b.logs) this.writeLog(l);
        result.logRecordsInserted += b.logs.length;
      }
      blocks.write(this.upsertMinute, this.insertBlock);
      return result;
    });
    this.lastSpanRange = { after, upTo };
    return r;
  }

  private transaction<T>(f: () => T): T {
    try {
      const r = this.runWrite(f);
      this.dict.commit();
      this.traces.commit();
      return r;
    } catch (err) {
      this.dict.rollback();
      this.traces.rollback();
      throw err;
    }
  }

  private encode(batch: IngestBatch): PreparedBatch {
    const { dict } = this;
    const spans = batch.spans;
    const n = spans.length;
    const p: PreparedBatch = {
      count: n,
      traceIds: new Array<string>(n),
      spanIds: Buffer.alloc(16 * n),
      hasParent: new Uint8Array(n),
      kinds: new Uint8Array(n),
      statuses: new Uint8Array(n),
      startNs: new BigInt64Array(n),
      durationNs: new BigInt64Array(n),
      ids: new Int32Array(n * 4),
      payloadEnds: new Uint32Array(n),
      payload: EMPTY,
      metrics: batch.metrics,
      logs: batch.logs,
    };
    const w = n > 0 ? new ByteWriter(n * 128) : this.w;
    for (let i = 0; i < n; i++) {
      const s = spans[i];
      const kind = KIND_NUMBER[s.kind];
      const status = STATUS_NUMBER[s.status.code];
      if (kind === undefined) throw new TypeError(`unknown span kind ${JSON.stringify(s.kind)}`);
      if (status === undefined) throw new TypeError(`unknown status code ${JSON.stringify(s.status.code)}`);
      p.traceIds[i] = s.traceId;
      idInto(p.spanIds, 16 * i, s.spanId, 'span id');
      if (s.parentSpanId) {
        idInto(p.spanIds, 16 * i + 8, s.parentSpanId, 'parent span id');
        p.hasParent[i] = 1;
      }
      p.kinds[i] = kind;
      p.statuses[i] = status;
      p.startNs[i] = s.startNs;
      p.durationNs[i] = s.endNs - s.startNs;
      const res = dict.resource(s.resource);
      p.ids[4 * i] = res.serviceId;
      p.ids[4 * i + 1] = dict.operationOf(res.serviceId, s.name);
      p.ids[4 * i + 2] = res.id;
      p.ids[4 * i + 3] = dict.scope(s.scope);
      writeSpanPayload(w, s, dict);
      p.payloadEnds[i] = w.pos;
    }
    // Metric points and log records are few next to spans: they are encoded in the transaction.
    if (n > 0) p.payload = w.buf;
    return p;
  }

  /** Inserts the batch's spans, ROWS to a statement (the rest one at a time). */
  private insertSpans(b: PreparedBatch, sequence: number, result: WriteResult, blocks: Blocks): number {
    const n = b.count;
    b.seqs = new Float64Array(n);
    b.traceKeys = new Float64Array(n);
    // The last seq handed out before each statement: the rows a statement inserts are the
    // rows past it.
    let before = sequence;
    for (let i = 0; i < n; ) {
      const rows = n - i >= ROWS ? ROWS : 1;
      const args = rows === ROWS ? this.args : this.args1;
      for (let j = 0; j < rows; j++) this.bindSpan(b, i + j, args, j);
      const info = (rows === ROWS ? this.insertSpanRows : this.insertSpan).run(args);
      before = this.settleRows(b, i, rows, args, info, before, result, blocks);
      i += rows;
    }
    return before;
  }

  /** AUTOINCREMENT's high-water mark of spans.seq (0 before the first span). */
  private sequence(): number {
    return Number(this.spanSequence.get() ?? 0);
  }

  private bindSpan(b: PreparedBatch, i: number, args: unknown[], j: number): void {
    const o = j * SPAN_INSERT_COLUMNS;
    args[o] = b.traceKeys![i] = this.traces.keyFor(b.traceIds[i]);
    args[o + 1] = b.spanIds.subarray(16 * i, 16 * i + 8);
    args[o + 2] = b.kinds[i];
    args[o + 3] = b.hasParent[i] === 1 ? b.spanIds.subarray(16 * i + 8, 16 * i + 16) : null;
    args[o + 4] = b.startNs[i];
    args[o + 5] = b.durationNs[i];
    args[o + 6] = b.ids[4 * i];
    args[o + 7] = b.ids[4 * i + 1];
    args[o + 8] = b.ids[4 * i + 2];
    args[o + 9] = b.ids[4 * i + 3];
    args[o + 10] = b.statuses[i];
    args[o + 11] = b.payload.subarray(i === 0 ? 0 : b.payloadEnds[i - 1], b.payloadEnds[i]);
  }

  /**
   * Counts a statement's rows as inserted or duplicate, files the inserted ones in their blocks
   * and returns the new high-water mark of seq. With no duplicate (the usual case) the rows took
   * consecutive seqs in statement order. A skipped duplicate may still use up a seq, so with
   * duplicates the rows past `before` are read back and matched to the statement's by identity.
   */
  private settleRows(b: PreparedBatch, first: number, rows: number, args: unknown[], info: Database.RunResult, before: number, result: WriteResult, blocks: Blocks): number {
    const inserted = info.changes;
    result.spansInserted += inserted;
    result.spansDuplicate += rows - inserted;
    const file = (j: number, seq: number) => {
      const i = first + j;
      b.seqs![i] = seq;
      blocks.add(seq, b.ids[4 * i], b.startNs[i], b.durationNs[i], b.statuses[i] === ERROR);
    };
    if (inserted === rows) {
      const last = Number(info.lastInsertRowid);
      for (let j = 0; j < rows; j++) file(j, last - rows + 1 + j);
      return last;
    }
    const got = inserted === 0 ? [] : (this.spansAfter.all(before) as [number, number, Buffer, number][]);
    let p = 0;
    for (let j = 0; j < rows && p < got.length; j++) {
      const o = j * SPAN_INSERT_COLUMNS;
      const [seq, traceKey, spanId, kind] = got[p];
      if (traceKey === args[o] && kind === args[o + 2] && spanId.equals(args[o + 1] as Buffer)) {
        file(j, seq);
        p++;
      }
    }
    if (p !== inserted) throw new Error(`span insert: ${inserted} rows inserted but ${p} matched`);
    return this.sequence();
  }

  private writePoint(p: MetricPoint): void {
    const res = this.dict.resource(p.resource);
    const scopeId = this.dict.scope(p.scope);
    const descriptorId = this.dict.descriptor(descriptorOf(p));
    this.w.reset();
    writePointPayload(this.w, p, this.dict);
    const value = p.value ?? p.sum ?? null;
    this.insertPoint.run(descriptorId, res.serviceId, res.id, scopeId, p.startNs ?? null, p.timeNs, value, this.w.view());
  }

  private writeLog(l: LogRecord): void {
    const res = this.dict.resource(l.resource);
    const scopeId = this.dict.scope(l.scope);
    this.w.reset();
    writeLogPayload(this.w, l, this.dict);
    this.insertLog.run(
      res.serviceId,
      res.id,
      scopeId,
      l.timeNs,
      l.observedTimeNs ?? null,
      l.severityNumber ?? null,
      l.severityText ?? null,
      l.traceId ? idBytes(l.traceId, 16, 'log trace id') : null,
      l.spanId ? idBytes(l.spanId, 8, 'log span id') : null,
      this.w.view(),
    );
  }
}
