// The ingest hot path: one IMMEDIATE transaction per batch, prepared statements, ids as
// blobs, repeated text through the dictionary, the rest of each span as a binary payload.
import type Database from 'better-sqlite3';
import type { IngestBatch, LogRecord, MetricPoint, Span } from '../../model/index.ts';
import { ByteWriter } from '../codec/bytes.ts';
import { descriptorOf } from '../codec/entities.ts';
import { writeLogPayload, writePointPayload } from '../codec/point-payload.ts';
import { writeSpanPayload } from '../codec/span-payload.ts';
import { SQL } from '../sql/sqlite.ts';
import type { WriteResult } from '../types.ts';
import type { Dictionary } from './dictionary.ts';
import { KIND_NUMBER, STATUS_NUMBER } from './rows.ts';
import type { TraceKeys } from './trace-keys.ts';

const NS_PER_MINUTE = 60_000_000_000n;
const ERROR = STATUS_NUMBER.error;

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

/**
 * Parses a lowercase hex id into a reusable buffer (the driver copies bound blobs, so reuse
 * is safe). A JS loop: cheaper than a native call for 16 characters.
 */
function idInto(target: Buffer, hex: string, what: string): Buffer {
  const n = target.length;
  if (hex.length !== n * 2) throw new TypeError(`malformed ${what} ${JSON.stringify(hex)}`);
  for (let i = 0; i < n; i++) {
    const a = hex.charCodeAt(2 * i);
    const b = hex.charCodeAt(2 * i + 1);
    const hi = a < 128 ? HEX[a] : -1;
    const lo = b < 128 ? HEX[b] : -1;
    if (hi < 0 || lo < 0) throw new TypeError(`malformed ${what} ${JSON.stringify(hex)}`);
    target[i] = (hi << 4) | lo;
  }
  return target;
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

export class BatchWriter {
  private readonly insertSpan: Database.Statement;
  private readonly upsertMinute: Database.Statement;
  private readonly insertBlock: Database.Statement;
  private readonly generation: Database.Statement;
  private readonly insertPoint: Database.Statement;
  private readonly insertLog: Database.Statement;
  private readonly w = new ByteWriter(64 * 1024);
  private readonly spanIdBuf = Buffer.alloc(8);
  private readonly parentIdBuf = Buffer.alloc(8);
  private readonly run: (batch: IngestBatch) => WriteResult;

  constructor(
    db: Database.Database,
    private readonly dict: Dictionary,
    private readonly traces: TraceKeys,
  ) {
    this.insertSpan = db.prepare(SQL.insertSpan);
    this.upsertMinute = db.prepare(SQL.upsertSpanMinute);
    this.insertBlock = db.prepare(SQL.insertSpanBlock);
    this.generation = db.prepare(SQL.traceGeneration).pluck();
    this.insertPoint = db.prepare(SQL.insertPoint);
    this.insertLog = db.prepare(SQL.insertLog);
    this.run = db.transaction((batch: IngestBatch) => this.writeAll(batch)).immediate;
  }

  /** All of the batch is committed when this returns; on error nothing is and the caches forget. */
  write(batch: IngestBatch): WriteResult {
    if (batch.spans.length === 0 && batch.metrics.length === 0 && batch.logs.length === 0) {
      return { spansInserted: 0, spansDuplicate: 0, metricPointsInserted: 0, logRecordsInserted: 0 };
    }
    try {
      const result = this.run(batch);
      this.dict.commit();
      this.traces.commit();
      return result;
    } catch (err) {
      this.dict.rollback();
      this.traces.rollback();
      throw err;
    }
  }

  private writeAll(batch: IngestBatch): WriteResult {
    const result: WriteResult = { spansInserted: 0, spansDuplicate: 0, metricPointsInserted: 0, logRecordsInserted: 0 };
    if (batch.spans.length > 0) {
      this.traces.checkGeneration(Number(this.generation.get()));
      this.writeSpans(batch.spans, result);
    }
    for (const p of batch.metrics) this.writePoint(p);
    result.metricPointsInserted = batch.metrics.length;
    for (const l of batch.logs) this.writeLog(l);
    result.logRecordsInserted = batch.logs.length;
    return result;
  }

  private writeSpans(spans: Span[], result: WriteResult): void {
    const { dict, traces, w, insertSpan } = this;
    // minute → [minSeq, maxSeq, count]
    const minutes = new Map<number, [number, number, number]>();
    const blocks = new Map<number, Block>();
    for (const s of spans) {
      const res = dict.resource(s.resource);
      const scopeId = dict.scope(s.scope);
      const opId = dict.operationOf(res.serviceId, s.name);
      const traceKey = traces.keyFor(s.traceId);
      const kind = KIND_NUMBER[s.kind];
      const status = STATUS_NUMBER[s.status.code];
      if (kind === undefined) throw new TypeError(`unknown span kind ${JSON.stringify(s.kind)}`);
      if (status === undefined) throw new TypeError(`unknown status code ${JSON.stringify(s.status.code)}`);
      w.reset();
      writeSpanPayload(w, s, dict);
      const info = insertSpan.run(
        traceKey,
        idInto(this.spanIdBuf, s.spanId, 'span id'),
        kind,
        s.parentSpanId ? idInto(this.parentIdBuf, s.parentSpanId, 'parent span id') : null,
        s.startNs,
        s.endNs - s.startNs,
        res.serviceId,
        opId,
        res.id,
        scopeId,
        status,
        w.view(),
      );
      if (info.changes === 0) {
        result.spansDuplicate++;
        continue;
      }
      result.spansInserted++;
      const seq = Number(info.lastInsertRowid);
      const endNs = s.endNs > s.startNs ? s.endNs : s.startNs;
      const duration = endNs - s.startNs;
      const isError = status === ERROR ? 1 : 0;
      const m = minuteOf(s.startNs);
      // Blocks are per service *and start minute*, so a block's start times span under a
      // minute and a time-window search can bound its index range (see search.ts).
      const blockKey = res.serviceId * 0x100000000 + (m % 0x100000000);
      const b = blocks.get(blockKey);
      if (b) {
        b.maxSeq = seq;
        if (s.startNs < b.minStart) b.minStart = s.startNs;
        if (s.startNs > b.maxStart) b.maxStart = s.startNs;
        if (endNs > b.maxEnd) b.maxEnd = endNs;
        if (duration > b.maxDuration) b.maxDuration = duration;
        b.count++;
        b.errors += isError;
      } else {
        blocks.set(blockKey, {
          serviceId: res.serviceId,
          minSeq: seq,
          maxSeq: seq,
          minStart: s.startNs,
          maxStart: s.startNs,
          maxEnd: endNs,
          count: 1,
          errors: isError,
          maxDuration: duration,
        });
      }
      const r = minutes.get(m);
      if (r) {
        if (seq < r[0]) r[0] = seq;
        if (seq > r[1]) r[1] = seq;
        r[2]++;
      } else minutes.set(m, [seq, seq, 1]);
    }
    for (const [m, r] of minutes) this.upsertMinute.run(m, r[0], r[1], r[2]);
    for (const b of blocks.values()) {
      this.insertBlock.run(b.serviceId, b.minSeq, b.maxSeq, b.minStart, b.maxStart, b.maxEnd, b.count, b.errors, b.maxDuration);
    }
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
