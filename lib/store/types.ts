// The store's public surface: what the collector, the CLI, the API routes and the analysis
// feed may call. lib/store is the only code that touches the database (ARCHITECTURE.md §2);
// everything else speaks lib/model and these types.
import type { IngestBatch, LogRecord, MetricPoint, Span, SpanKind, StatusCode } from '../model/index.ts';

export interface WriteResult {
  /** Spans newly stored (duplicates of (traceId, spanId, kind) already stored are not counted). */
  spansInserted: number;
  spansDuplicate: number;
  metricPointsInserted: number;
  logRecordsInserted: number;
}

export interface TraceQuery {
  service?: string;
  operation?: string;
  /** Epoch nanoseconds, inclusive / exclusive. */
  fromNs?: bigint;
  toNs?: bigint;
  minDurationNs?: number;
  maxDurationNs?: number;
  status?: StatusCode;
  /** Exact match on a span attribute (after semantic-convention folding). */
  attributes?: Record<string, string | number | boolean>;
  limit?: number;
}

export interface TraceSummary {
  traceId: string;
  rootService: string;
  rootName: string;
  startNs: bigint;
  durationNs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export interface SpanQuery {
  fromNs?: bigint;
  toNs?: bigint;
  service?: string;
  kinds?: SpanKind[];
  limit?: number;
}

export interface StoreStats {
  spans: number;
  resources: number;
  metricPoints: number;
  logRecords: number;
  /** Database size on disk in bytes (main file + WAL). */
  bytesOnDisk: number;
}

/** Synchronous on SQLite (better-sqlite3); the PostgreSQL backend will wrap the same shape in promises. */
export interface Store {
  readonly url: string;
  /** One transaction (BEGIN IMMEDIATE on SQLite): all of the batch is committed, or none of it. */
  writeBatch(batch: IngestBatch): WriteResult;
  getTrace(traceId: string): Span[];
  searchTraces(query: TraceQuery): TraceSummary[];
  /** Streams stored spans in arrival order (the analysis feed reads from here). */
  iterateSpans(query: SpanQuery): Iterable<Span>;
  listServices(): string[];
  queryMetrics(query: { name?: string; service?: string; fromNs?: bigint; toNs?: bigint; limit?: number }): MetricPoint[];
  queryLogs(query: { traceId?: string; service?: string; fromNs?: bigint; toNs?: bigint; limit?: number }): LogRecord[];
  /** Deletes spans, points and logs that ended before `beforeNs`, in small chunks; returns rows removed. */
  deleteOlderThan(beforeNs: bigint, opts?: { chunkSize?: number }): number;
  stats(): StoreStats;
  close(): void;
}
