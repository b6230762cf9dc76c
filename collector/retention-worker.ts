// Maintenance on its own thread and its own connection:
// - retention: deleting a week of expired spans can take seconds, and in a writer thread it
//   would hold up every acknowledgement. Here each chunk is a short transaction of its own
//   (Store.deleteOlderThan), so a writer waits at most one chunk;
// - checkpoints: copying the WAL into the database (and its fsync) happens here, PASSIVE, so
//   the writers' commits never do it;
// - the trace-id index file: trace ids written meanwhile, in sorted batches.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../lib/store/index.ts';
import { WriteLock } from '../lib/store/write-lock.ts';
import { BackgroundPriority } from '../lib/runtime/priority.ts';
import type { FromRetention, RetentionOptions } from './protocol.ts';

const port = parentPort;
if (port === null) throw new Error('retention-worker must run as a worker thread');
const opts = workerData as RetentionOptions;
const priority = new BackgroundPriority();
const store = openStore(opts.dbUrl, { cacheKiB: 2048, writeLock: opts.writeLock ? new WriteLock(opts.writeLock) : undefined });

function sweep(): void {
  try {
    const beforeNs = (BigInt(Date.now()) - BigInt(opts.retentionMs)) * 1_000_000n;
    const rows = priority.foreground(() => store.deleteOlderThan(beforeNs, { chunkSize: opts.chunkSize }));
    if (rows > 0) port!.postMessage({ type: 'deleted', rows } satisfies FromRetention);
  } catch (err) {
    // A busy database or a full disk: try again next round, say so on /metrics via the parent.
    port!.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies FromRetention);
  }
}

/**
 * WAL frames past which a checkpoint finishes under the write lock. A PASSIVE checkpoint copies
 * what is in the WAL when it starts; with writers committing all the time it never catches up
 * completely, and SQLite only starts the WAL over once one has. The WAL then grew to the
 * writers' 50k-page safety net (measured: 206 MB in 7 s at 58k spans/s), where a writer
 * checkpointed 200 MB inside a commit. Holding the write lock for the rest of one checkpoint
 * (the unlocked one just before copied most of it) lets it complete.
 * 8,192 pages (32 MiB): with the write-back done before the lock, p99 per batch at 50k spans/s
 * after 5M spans stored was 16.7–20.7 ms against 49.8–57.3 at 16,384 and 21.8 at 4,096 (bench:ingest --no-live).
 */
const RESET_FRAMES = opts.walResetPages ?? 8_192;
const lock = opts.writeLock ? new WriteLock(opts.writeLock) : undefined;

function checkpoint(): void {
  try {
    let r = store.checkpoint('PASSIVE');
    let reset = false;
    if (lock && r.walPages > RESET_FRAMES) {
      // The passes that writers overtook left their page writes unsynced in the OS; the pass that
      // completes fsyncs them all, and under the lock that was 50–80 ms with 4M spans stored.
      // Sync them now, unlocked, then copy what came meanwhile, so the locked pass only has the
      // last few milliseconds' pages to copy and sync (measured: 5–18 ms held).
      store.syncDatabaseFile();
      store.checkpoint('PASSIVE');
      r = priority.foreground(() => lock.with(() => store.checkpoint('PASSIVE')));
      // Every frame copied with no writer in between: the next commit starts the WAL over.
      reset = !r.busy && r.checkpointedPages === r.walPages;
    }
    port!.postMessage({ type: 'wal', pages: r.walPages, reset } satisfies FromRetention);
  } catch (err) {
    port!.postMessage({ type: 'error', message: `checkpoint: ${err instanceof Error ? err.message : String(err)}` } satisfies FromRetention);
  }
}

/**
 * Trace ids committed since the last pass go into the trace-id index file, sorted, in a
 * transaction of that file's own: no write lock of the database is held. Until then each
 * writer keeps them in memory (and indexes them itself if this thread falls far behind).
 */
let reported = 0;
function indexTraceIds(): void {
  try {
    store.indexTraceIds();
    // What opening the store indexed counts too (the writers may have written before it).
    const indexed = store.traceIdsIndexed - reported;
    reported += indexed;
    port!.postMessage({ type: 'traceIndex', indexed, behind: store.traceIdsBehind() } satisfies FromRetention);
  } catch (err) {
    port!.postMessage({ type: 'error', message: `trace index: ${err instanceof Error ? err.message : String(err)}` } satisfies FromRetention);
  }
}

const timers: NodeJS.Timeout[] = [];
if (opts.traceIndexIntervalMs > 0) timers.push(setInterval(indexTraceIds, opts.traceIndexIntervalMs));
if (opts.retentionMs > 0) {
  timers.push(setInterval(sweep, opts.intervalMs));
  sweep();
}
if (opts.checkpointIntervalMs !== undefined && opts.checkpointIntervalMs > 0) timers.push(setInterval(checkpoint, opts.checkpointIntervalMs));
port.on('message', (msg: { type: 'close' }) => {
  if (msg.type === 'close') {
    for (const t of timers) clearInterval(t);
    store.close();
    port!.close();
  }
});
