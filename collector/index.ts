// The ingest process: OTLP/HTTP receiver → writer threads → store. `startCollector` runs in
// whatever process calls it (the `faultline collector` command, a child process of `serve`,
// a test); `forkCollector` runs it in a child process of its own.
import { FeedGate } from './feed-gate.ts';
import { LiveThread } from './live.ts';
import { WAL_SAFETY_PAGES } from './protocol.ts';
import { CollectorMetrics } from './metrics.ts';
import { Retention } from './retention.ts';
import { createServer, listen } from './server.ts';
import { WriterClient } from './writer.ts';
import { openStore } from '../lib/store/index.ts';

export interface CollectorOptions {
  /** Port to listen on; 0 picks a free one. Default 4318. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Store URL (file path, file: URL, postgresql://); default per lib/store resolveDbUrl. */
  dbUrl?: string;
  /** Limit on the request body, raw and after decompression. Default 20 MiB (OTLP spec). */
  maxBodyBytes?: number;
  /** Write queue bound, in spans (≈ 400 bytes of request each). Default 65 536. */
  queueSpans?: number;
  /** Write queue bound in request bytes; overrides queueSpans. */
  queueBytes?: number;
  /** Delete spans, points and logs older than this; 0 disables. Default 7 days. */
  retentionMs?: number;
  /** How often retention runs. Default 60 s. */
  retentionIntervalMs?: number;
  /** Largest group commit, in items. Default 4096 (measured best: 2048-span transactions write ~14% faster than 512, 8192 no better). */
  maxGroupItems?: number;
  /**
   * Run the live analyzer (per-minute graph/RED rollups) on its own thread. Default true; with
   * several collectors on one database a lease lets one of them analyze.
   */
  live?: boolean;
  /** Grace period before an unpaired CLIENT span becomes an edge to an external node. Default 30 s. */
  liveGraceMs?: number;
  /** Writer threads (each with its own connection; they take turns at the write lock). Default 2. */
  writerThreads?: number;
  /**
   * How often the maintenance thread copies the WAL into the database (PASSIVE). Default 250 ms;
   * 0 leaves checkpoints to SQLite's automatic ones inside the writers' commits.
   */
  checkpointIntervalMs?: number;
  /**
   * WAL pages past which the maintenance thread finishes a checkpoint under the write lock, so
   * the WAL starts over instead of growing while writers never pause. Default 8192 (32 MiB).
   */
  walResetPages?: number;
  /**
   * Progress of indexing the trace ids the trace-id index file lacks, when the database is first
   * opened (openStore's `onIndexing`). In this process only: a forked collector does not take it.
   */
  onIndexing?: (indexed: number, missing: number) => void;
}

export interface RunningCollector {
  port: number;
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_OTLP_PORT = 4318;
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600 * 1000;
const BYTES_PER_QUEUED_SPAN = 400;
/**
 * How often the maintenance thread indexes new trace ids. A pass's trace ids share the index's
 * leaves, so fewer, larger passes write fewer pages: CPU per trace indexed (300k indexed) 10.2
 * µs at 600 a pass (250 ms at 50k spans/s), 8.7 at 2,500 (1 s), 4.3 at 10,000. Until then the
 * writers keep them in memory (16,384 at most, 1 s of new traces at 330k spans/s).
 */
const TRACE_INDEX_INTERVAL_MS = 1000;
/**
 * SQLite page cache of each writer's connection. The writers touch the ends of append-mostly
 * tables and indexes; the random trace-id index that needed 16 MiB is in a file of its own
 * now. Open-loop probe at 50k spans/s after 6M spans: RSS 337 MB after the preload with 4 MiB,
 * 361 with 16, and no more CPU per span (19.5 against 24.8 µs in a noisier run).
 */
const WRITER_CACHE_KIB = 4096;

export async function startCollector(opts: CollectorOptions = {}): Promise<RunningCollector> {
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const capacityBytes = opts.queueBytes ?? (opts.queueSpans ?? 65_536) * BYTES_PER_QUEUED_SPAN;
  // The metrics read the writer's gauges, and the writer reports into the metrics.
  const ref: { writer?: WriterClient; live?: LiveThread } = {};
  const metrics = new CollectorMetrics(() => ({
    queueBytes: ref.writer?.depth.bytes ?? 0,
    queueRequests: ref.writer?.depth.requests ?? 0,
    queueCapacityBytes: capacityBytes,
    writerUp: ref.writer?.isUp ?? false,
    live: ref.live?.status,
  }));
  // Create and migrate the database (and switch it to WAL) once, before the threads open it:
  // several connections doing that at the same moment can get SQLITE_BUSY without waiting.
  // It also indexes what the trace-id index file lacks, before any writer needs it.
  openStore(opts.dbUrl, { onIndexing: opts.onIndexing }).close();
  // Every thread of this process that writes the database queues on this lock (write-lock.ts).
  const writeLock = new SharedArrayBuffer(8);
  // The live analyzer tells the writers whether to pack each commit's spans for it.
  const feedGate = opts.live === false ? undefined : new FeedGate();
  const checkpointIntervalMs = opts.checkpointIntervalMs ?? 250;
  const writer = await WriterClient.start(
    { dbUrl: opts.dbUrl, maxGroupItems: opts.maxGroupItems ?? 4096, writeLock, checkpointInBackground: checkpointIntervalMs > 0, cacheKiB: WRITER_CACHE_KIB, feed: opts.live !== false, feedGate: feedGate?.buffer },
    capacityBytes,
    () => metrics,
    opts.writerThreads ?? 2,
  );
  ref.writer = writer;
  const retentionMs = opts.retentionMs ?? DEFAULT_RETENTION_MS;
  // Always started: besides retention (when enabled) it checkpoints the WAL for the writers.
  const retention = Retention.start(
    { dbUrl: opts.dbUrl, retentionMs, intervalMs: opts.retentionIntervalMs ?? 60_000, chunkSize: 2000, writeLock, checkpointIntervalMs, walResetPages: opts.walResetPages, traceIndexIntervalMs: TRACE_INDEX_INTERVAL_MS },
    metrics,
  );
  const live =
    opts.live === false
      ? undefined
      : LiveThread.start({
          dbUrl: opts.dbUrl,
          graceMs: opts.liveGraceMs,
          retentionMs,
          writeLock,
          // The maintenance thread checkpoints; the same safety net as the writers'.
          walAutoCheckpointPages: checkpointIntervalMs > 0 ? WAL_SAFETY_PAGES : undefined,
          feedGate,
        });
  ref.live = live;
  if (live) writer.onFeed = (group) => live.feed(group);
  const server = createServer({ writer, metrics, maxBodyBytes });
  const host = opts.host ?? '127.0.0.1';
  let port: number;
  try {
    port = await listen(server, opts.port ?? DEFAULT_OTLP_PORT, host);
  } catch (err) {
    await live?.close();
    await retention.close();
    await writer.close();
    throw err;
  }
  const w = writer;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close() {
      closing ??= (async () => {
        // Stop taking requests, let the ones in flight commit and be answered, then stop.
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await waitForIdle(w);
        server.closeAllConnections();
        await stopped;
        await live?.close();
        await retention.close();
        await w.close();
      })();
      return closing;
    },
  };
}

async function waitForIdle(w: WriterClient): Promise<void> {
  for (let i = 0; i < 600 && w.depth.requests > 0; i++) await new Promise((r) => setTimeout(r, 50));
}

export { forkCollector } from './fork.ts';
export { CollectorMetrics } from './metrics.ts';
export { decodeBody } from './decode.ts';
