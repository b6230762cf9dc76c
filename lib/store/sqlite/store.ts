// The SQLite Store (better-sqlite3). One connection per Store; synchronous by design so a
// batch is committed when writeBatch returns (the collector acknowledges only then).
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { IngestBatch, LogRecord, MetricPoint, Span } from '../../model/index.ts';
import { applyMigrations, MigrationError, type MigrationOutcome } from '../migrate/apply.ts';
import { LOG_COLUMNS, memoryPragmas, pageSizePragma, POINT_COLUMNS, PRAGMAS, SQL } from '../sql/sqlite.ts';
import type { SpanQuery, Store, StoreStats, TraceQuery, TraceSummary, WriteResult } from '../types.ts';
import { Dictionary, type DictionaryOptions } from './dictionary.ts';
import { deleteOlderThan } from './retention.ts';
import { KIND_NUMBER, logFromRow, pointFromRow, spanFromRow, type LogRow, type PointRow, type SpanRow } from './rows.ts';
import { searchTraces } from './search.ts';
import { TraceIdIndex, traceIndexFile } from './trace-index.ts';
import { TraceKeys } from './trace-keys.ts';
import { BatchWriter, minuteOf, type PreparedBatch, type RunWrite } from './writer.ts';
import type { WriteLock } from '../write-lock.ts';

export interface SqliteStoreOptions extends DictionaryOptions {
  /** prisma/migrations folder (default: found beside the sources, or under the working directory). */
  migrationsDir?: string;
  /** Page size of a new database file (ignored for an existing one). */
  pageSize?: number;
  /**
   * SQLite page cache of this connection, KiB (default 32768 = 32 MiB: holds the trace-id
   * index of ~1M traces; it fills over time and counts in RSS, so give helper connections
   * such as a retention worker less).
   */
  cacheKiB?: number;
  /** Page cache of this store's connection to the trace-id index file, KiB (default 1024). */
  traceIndexCacheKiB?: number;
  /** Memory-mapped I/O size in bytes (default 0: mapped pages would count in RSS). */
  mmapBytes?: number;
  /**
   * WAL pages after which a commit also checkpoints (SQLite's default 1000). 0 turns that off:
   * then call checkpoint() from another thread/connection (e.g. the retention timer) so the
   * writer never pays for a checkpoint (copy + fsync) inside a request.
   */
  walAutoCheckpointPages?: number;
  /**
   * Shared by every thread of this process that writes the database: write transactions queue
   * on it instead of sleeping in SQLite's busy handler (see write-lock.ts).
   */
  writeLock?: WriteLock;
  /**
   * Called while opening indexes trace rows the trace-id index file lacks (all of them for a
   * database from before that file, or without it: ~55 s for 4.35M traces): first with 0, then
   * after each step, with how many are indexed and how many were missing. Not called when
   * nothing is missing.
   */
  onIndexing?: (indexed: number, missing: number) => void;
}

/** Trace rows indexed per progress report while opening. */
const OPEN_INDEX_STEP = 100_000;

const PAGE = 1000;

/** Trace ids a writer indexes after one write when the index is behind (see helpIndex). */
const TRACE_INDEX_STEP = 8192;

/** How long opening keeps trying while another connection's lock makes it fail with SQLITE_BUSY. */
const OPEN_BUSY_RETRY_MS = 10_000;

/** SQLITE_BUSY or one of its extended codes, on the error or the error it wraps. */
function isBusy(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (String((e as { code?: unknown }).code ?? '').startsWith('SQLITE_BUSY')) return true;
  }
  return false;
}

/** Blocks the calling thread (opening is synchronous; this runs once, at startup). */
function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The file cannot be opened as a Faultline SQLite database (not SQLite, unreadable, a directory…). */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

function openError(file: string, err: unknown): StoreOpenError {
  return new StoreOpenError(`cannot open SQLite database ${file}: ${(err as Error).message}`, { cause: err });
}
/**
 * 4 KiB: each commit writes every page it dirtied to the WAL, and the random trace-id index
 * dirties one page per new trace; measured WAL bytes per span: 8 KiB pages 631, 4 KiB 506.
 */
const DEFAULT_PAGE_SIZE = 4096;

export class SqliteStore implements Store {
  readonly migrations: MigrationOutcome;
  private readonly db: Database.Database;
  private readonly dict: Dictionary;
  private readonly traces: TraceKeys;
  private readonly traceIndex: TraceIdIndex;
  private readonly writer: BatchWriter;
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;
  private syncFd: number | undefined;

  constructor(
    readonly url: string,
    private readonly file: string,
    opts: SqliteStoreOptions = {},
  ) {
    const fresh = file === ':memory:' || !existsSync(file);
    // Threads of one collector open the same file at once (writers, analyzer, maintenance). A
    // step of opening can meet another connection's lock and fail with SQLITE_BUSY without
    // SQLite's busy handler waiting (seen once in CI: "database is locked" opening a writer), so
    // a busy open is tried again for a while before it is an error.
    const deadline = Date.now() + OPEN_BUSY_RETRY_MS;
    try {
      if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    } catch (err) {
      throw openError(file, err);
    }
    for (;;) {
      try {
        this.db = new Database(file);
      } catch (err) {
        throw openError(file, err);
      }
      try {
        if (fresh) this.db.exec(pageSizePragma(opts.pageSize ?? DEFAULT_PAGE_SIZE));
        for (const p of PRAGMAS) this.db.exec(p);
        for (const p of memoryPragmas(opts.cacheKiB ?? 32768, opts.mmapBytes ?? 0)) this.db.exec(p);
        if (opts.walAutoCheckpointPages !== undefined) {
          this.db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(opts.walAutoCheckpointPages))}`);
        }
        this.migrations = applyMigrations(this.db, opts.migrationsDir);
        break;
      } catch (err) {
        this.db.close();
        if (isBusy(err) && Date.now() < deadline) {
          sleepMs(50);
          continue;
        }
        if (err instanceof MigrationError) throw err;
        throw openError(file, err);
      }
    }
    this.dict = new Dictionary(this.db, opts);
    let index: TraceIdIndex | undefined;
    try {
      index = new TraceIdIndex(this.db, file, { cacheKiB: opts.traceIndexCacheKiB });
      // A database from before the index file, or one whose index file is gone: index it all
      // now, before this connection's first write would load it all as its tail.
      const report = opts.onIndexing;
      const missing = report ? index.behind() : 0;
      if (missing > 0) report!(0, missing);
      for (let done = 0, n; (n = index.catchUp(OPEN_INDEX_STEP)) > 0; ) if (missing > 0) report!((done += n), missing);
    } catch (err) {
      index?.close();
      this.db.close();
      throw openError(traceIndexFile(file), err);
    }
    this.traceIndex = index;
    this.traces = new TraceKeys(this.db, this.traceIndex);
    const tx = this.db.transaction((f: () => unknown) => f());
    const lock = opts.writeLock;
    this.runWrite = lock ? <T>(f: () => T) => lock.with(() => tx.immediate(f) as T) : <T>(f: () => T) => tx.immediate(f) as T;
    this.writer = new BatchWriter(this.db, this.dict, this.traces, this.runWrite);
  }

  /** Runs `f` in an IMMEDIATE transaction, holding the write lock if the store has one. */
  readonly runWrite: RunWrite;

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  writeBatch(batch: IngestBatch): WriteResult {
    const r = this.writer.write(batch);
    this.helpIndex();
    return r;
  }

  /** Encodes a batch for `writePrepared` (no write lock needed in the steady state). */
  prepareBatch(batch: IngestBatch): PreparedBatch {
    return this.writer.prepare(batch);
  }

  /**
   * Commits prepared batches in one transaction: committed when this returns. Unlike
   * writeBatch it leaves helpIndex() to the caller, who may hold a lock of its own around it
   * (the collector's writer threads hold the WriteLock across a group commit).
   */
  writePrepared(batches: PreparedBatch[]): WriteResult {
    return this.writer.writePrepared(batches);
  }

  /**
   * Before a write transaction, outside the write lock: reads the trace rows other connections
   * committed since this one's last transaction, which its start would otherwise read under the
   * lock (a writer thread that sat idle for seconds read thousands, 20–66 ms held), and looks up
   * the batches' new trace ids in the trace-id index.
   */
  prefetchTraces(batches: readonly PreparedBatch[] = []): void {
    this.traces.prefetch(batches.map((b) => b.traceIds));
  }

  /**
   * When nobody else keeps the trace-id index current (no collector maintenance thread, e.g. an
   * import, or one that fell behind under load), the writer's map of unindexed traces fills;
   * then this writer indexes them itself, after its commit. Call it with no lock held: inside
   * the collector writers' WriteLock each call held every other writer up for 10–50 ms
   * (probe at 50k spans/s after 3M stored). It does not wait for another indexer: the
   * maintenance thread indexing meanwhile is as good. The batch is committed either way; a
   * failure leaves it for the next time.
   */
  helpIndex(): void {
    if (!this.traces.needsIndex) return;
    try {
      // One transaction's worth per write, so no single request waits for all of it.
      if (this.traceIndex.catchUp(TRACE_INDEX_STEP, { wait: false }) < TRACE_INDEX_STEP) this.traces.needsIndex = false;
    } catch {
      // Busy (another indexer) or failed: tried again after the next write.
    }
  }

  /** Indexes trace ids written since the last call (the collector's maintenance thread). */
  indexTraceIds(limit?: number): number {
    return this.traceIndex.catchUp(limit);
  }

  /** Trace ids this store has put in the index since it opened (opening catches up too). */
  get traceIdsIndexed(): number {
    return this.traceIndex.indexed;
  }

  /** Trace rows whose id is not in the trace-id index yet. */
  traceIdsBehind(): number {
    return this.traceIndex.behind();
  }

  /**
   * The seq range (after, upTo] of the spans the last writePrepared committed; each batch's
   * `seqs` then gives every span's seq (0 for a duplicate).
   */
  get lastSpanRange(): { after: number; upTo: number } {
    return this.writer.lastSpanRange;
  }

  getTrace(traceId: string): Span[] {
    const key = this.traces.lookup(traceId);
    if (key === undefined) return [];
    const rows = this.stmt(SQL.spansOfTrace).safeIntegers(true).all(key) as SpanRow[];
    return rows.map((r) => spanFromRow(r, traceId, this.dict));
  }

  searchTraces(query: TraceQuery): TraceSummary[] {
    return searchTraces(this.db, this.dict, query);
  }

  *iterateSpans(query: SpanQuery): Iterable<Span> {
    let lo = 0n;
    let hi = BigInt((this.stmt(SQL.maxSeq).safeIntegers(true).get() as { m: bigint | null }).m ?? 0n);
    if (query.fromNs !== undefined || query.toNs !== undefined) {
      const fromMinute = query.fromNs === undefined ? Number.MIN_SAFE_INTEGER : minuteOf(query.fromNs);
      const toMinute = query.toNs === undefined ? Number.MAX_SAFE_INTEGER : minuteOf(query.toNs - 1n);
      const r = this.stmt(SQL.minuteRange).safeIntegers(true).get(fromMinute, toMinute) as { lo: bigint | null; hi: bigint | null };
      if (r.lo === null || r.hi === null) return;
      lo = r.lo - 1n;
      if (r.hi < hi) hi = r.hi;
    }
    const serviceId = query.service === undefined ? undefined : this.dict.findServiceId(query.service);
    if (query.service !== undefined && serviceId === undefined) return;
    const kinds = query.kinds ? new Set(query.kinds.map((k) => KIND_NUMBER[k])) : undefined;
    let remaining = query.limit ?? Number.POSITIVE_INFINITY;
    const page = this.stmt(SQL.spansPage).safeIntegers(true);
    // Page by seq with fresh statements so no cursor stays open while the caller (or a
    // writer on this connection) does other work between yields.
    while (remaining > 0) {
      const rows = page.all(lo, hi, PAGE) as (SpanRow & { trace_id: Buffer })[];
      if (rows.length === 0) return;
      lo = rows[rows.length - 1].seq;
      for (const r of rows) {
        if (query.fromNs !== undefined && r.start_ns < query.fromNs) continue;
        if (query.toNs !== undefined && r.start_ns >= query.toNs) continue;
        if (serviceId !== undefined && Number(r.service_id) !== serviceId) continue;
        if (kinds && !kinds.has(Number(r.kind))) continue;
        yield spanFromRow(r, r.trace_id.toString('hex'), this.dict);
        if (--remaining <= 0) return;
      }
      if (rows.length < PAGE) return;
    }
  }

  listServices(): string[] {
    return (this.stmt(SQL.allServices).all() as { name: string }[]).map((r) => r.name);
  }

  queryMetrics(query: { name?: string; service?: string; fromNs?: bigint; toNs?: bigint; limit?: number }): MetricPoint[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.name !== undefined) {
      const ids = (this.stmt(SQL.descriptorsNamed).all(query.name) as { id: number }[]).map((r) => Number(r.id));
      if (ids.length === 0) return [];
      where.push(`descriptor_id IN (${ids.map(() => '?').join(', ')})`);
      params.push(...ids);
    }
    if (!this.serviceTimeFilter(query, where, params)) return [];
    const sql = `SELECT ${POINT_COLUMNS} FROM metric_points${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time_ns, seq LIMIT ?`;
    params.push(clampLimit(query.limit, 10_000));
    const rows = this.stmt(sql).safeIntegers(true).all(...params) as PointRow[];
    return rows.map((r) => pointFromRow(r, this.dict));
  }

  queryLogs(query: { traceId?: string; service?: string; fromNs?: bigint; toNs?: bigint; limit?: number }): LogRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.traceId !== undefined) {
      if (!/^[0-9a-f]{32}$/.test(query.traceId)) return [];
      where.push('trace_id = ?');
      params.push(Buffer.from(query.traceId, 'hex'));
    }
    if (!this.serviceTimeFilter(query, where, params)) return [];
    const sql = `SELECT ${LOG_COLUMNS} FROM log_records${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY time_ns, seq LIMIT ?`;
    params.push(clampLimit(query.limit, 10_000));
    const rows = this.stmt(sql).safeIntegers(true).all(...params) as LogRow[];
    return rows.map((r) => logFromRow(r, this.dict));
  }

  /**
   * Adds the service and time-window conditions shared by metric and log queries. Returns false
   * when the service was never seen, so the caller answers "nothing" without a query.
   */
  private serviceTimeFilter(query: { service?: string; fromNs?: bigint; toNs?: bigint }, where: string[], params: unknown[]): boolean {
    if (query.service !== undefined) {
      const id = this.dict.findServiceId(query.service);
      if (id === undefined) return false;
      where.push('service_id = ?');
      params.push(id);
    }
    if (query.fromNs !== undefined) {
      where.push('time_ns >= ?');
      params.push(query.fromNs);
    }
    if (query.toNs !== undefined) {
      where.push('time_ns < ?');
      params.push(query.toNs);
    }
    return true;
  }

  deleteOlderThan(beforeNs: bigint, opts?: { chunkSize?: number }): number {
    const n = deleteOlderThan(this.db, beforeNs, opts, this.runWrite, (rows) => this.traceIndex.forget(rows));
    // Trace rows may be gone; cached keys for them must not be reused.
    if (n > 0) this.traces.clear();
    return n;
  }

  stats(): StoreStats {
    const c = this.stmt(SQL.counts).get() as { spans: number; resources: number; points: number; logs: number };
    let bytes = 0;
    if (this.file !== ':memory:') {
      for (const f of [this.file, `${this.file}-wal`]) {
        try {
          bytes += statSync(f).size;
        } catch {
          // No WAL file right after a checkpoint-on-close.
        }
      }
    }
    bytes += this.traceIndex.bytesOnDisk();
    return {
      spans: Number(c.spans),
      resources: Number(c.resources),
      metricPoints: Number(c.points),
      logRecords: Number(c.logs),
      bytesOnDisk: bytes,
    };
  }

  /**
   * Copies the WAL into the database file. PASSIVE never waits for other connections (use it
   * from a background thread); TRUNCATE also empties the WAL file (benchmarks measure the
   * main file after it).
   */
  checkpoint(mode: 'PASSIVE' | 'TRUNCATE' = 'TRUNCATE'): { busy: boolean; walPages: number; checkpointedPages: number } {
    const r = this.db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[];
    return { busy: r[0]?.busy === 1, walPages: r[0]?.log ?? 0, checkpointedPages: r[0]?.checkpointed ?? 0 };
  }

  /**
   * fsyncs the database file through a descriptor of our own. A PASSIVE checkpoint that writers
   * overtake copies pages into the file without syncing it (SQLite syncs only when a checkpoint
   * reaches the WAL's end), so seconds of scattered page writes wait in the OS for the one
   * checkpoint that completes — and that one runs under the write lock. Syncing here first, with
   * no lock held, leaves that checkpoint only the pages copied since.
   */
  syncDatabaseFile(): void {
    if (this.file === ':memory:') return;
    this.syncFd ??= openSync(this.file, 'r');
    fsyncSync(this.syncFd);
  }

  close(): void {
    if (this.closed) return;
    if (this.syncFd !== undefined) closeSync(this.syncFd);
    this.closed = true;
    // What is not indexed yet, the next open indexes (it has to anyway: another process may
    // have written meanwhile).
    this.traceIndex.close();
    this.db.close();
  }
}

function clampLimit(limit: number | undefined, dflt: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return dflt;
  return Math.max(1, Math.min(Math.floor(limit), 100_000));
}
