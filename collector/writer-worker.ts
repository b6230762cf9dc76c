// A writer thread: owns a Store connection, decodes and encodes request bodies, and
// group-commits every request that arrived while the previous transaction ran into one
// transaction, then acknowledges each. A 200 on the HTTP thread waits for this
// acknowledgement, so 200 means committed. Several writer threads share one WriteLock: one
// decodes and encodes (no lock needed) while another holds the lock and commits.
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { IngestBatch } from '../lib/model/index.ts';
import { openStore, type SqliteStore } from '../lib/store/index.ts';
import type { PreparedBatch } from '../lib/store/sqlite/writer.ts';
import { insertedSpans, packCommitted } from '../lib/live/feed.ts';
import { WriteLock } from '../lib/store/write-lock.ts';
import { heapFigures } from '../lib/runtime/heap.ts';
import { WAL_SAFETY_PAGES, type FromWriter, type ToWriter, type WriteOutcome, type WriteRequest, type WriterOptions } from './protocol.ts';
import { decodeBody } from './decode.ts';
import { FeedGate } from './feed-gate.ts';
import { isTransientStoreError } from './transient.ts';

const port = parentPort;
if (port === null) throw new Error('writer-worker must run as a worker thread');
const opts = workerData as WriterOptions;

function post(msg: FromWriter): void {
  port!.postMessage(msg);
}

// The store's own lock instance: the group commit below takes it first, and the store's
// transaction then re-enters it.
const lock = opts.writeLock ? new WriteLock(opts.writeLock) : undefined;
const gate = opts.feedGate ? new FeedGate(opts.feedGate) : undefined;
let store: SqliteStore;
try {
  store = openStore(opts.dbUrl, {
    writeLock: lock,
    // Checkpoints run on the retention thread (PASSIVE, never blocking a writer): a commit
    // here never copies the WAL into the database or waits for an fsync. The cap is a safety
    // net for a WAL that grows while that thread is away.
    walAutoCheckpointPages: opts.checkpointInBackground ? WAL_SAFETY_PAGES : undefined,
    cacheKiB: opts.cacheKiB,
  });
} catch (err) {
  post({ type: 'open-failed', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

interface Pending {
  id: number;
  batch: PreparedBatch;
  items: number;
  rejected: number;
  errors: string[];
  signal: WriteRequest['signal'];
}

let group: Pending[] = [];
let groupItems = 0;
let flushScheduled = false;
let earlyOutcomes: WriteOutcome[] = [];

/**
 * Messages a group commit leaves for the HTTP thread: the committed spans for the live analyzer
 * and the answers. Posted once the write lock is released (packing the feed and posting took
 * 0.5 ms of a 3 ms hold at 50k spans/s); the analyzer takes fed groups by where they start, so
 * the two writers' feeds may arrive in either order.
 */
let outbox: FromWriter[] = [];

function writeOne(batch: PreparedBatch) {
  const r = store.writePrepared([batch]);
  feed([batch]);
  return r;
}

/** Packs what the last commit inserted for the live analyzer (posted through the HTTP thread, zero copy). */
function feed(batches: PreparedBatch[]): void {
  if (!opts.feed) return;
  if (gate !== undefined && !gate.open) {
    gate.skip(insertedSpans(batches));
    return;
  }
  const { after, upTo } = store.lastSpanRange;
  const group = packCommitted(after, upTo, batches);
  if (group) outbox.push({ type: 'feed', group });
}

function postOutbox(): void {
  const msgs = outbox;
  outbox = [];
  for (const m of msgs) {
    if (m.type === 'feed') port!.postMessage(m, [m.group.buf]);
    else post(m);
  }
}

function storedOutcome(p: Pending): WriteOutcome {
  return { id: p.id, kind: 'stored', items: p.items, rejected: p.rejected, errors: p.errors };
}

function failedOutcome(p: Pending, err: unknown): WriteOutcome {
  return {
    id: p.id,
    kind: 'failed',
    transient: isTransientStoreError(err),
    message: err instanceof Error ? err.message : String(err),
    items: p.items,
  };
}

/**
 * While another thread holds the write lock, decodes the requests that have arrived meanwhile
 * (they join this group) instead of sleeping in the queue with them unread; queues for the lock
 * once there is nothing left to decode or the group is full.
 */
function takeLock(): void {
  if (!lock) return;
  while (!lock.tryAcquire()) {
    const m = groupItems < opts.maxGroupItems && !closeRequested ? receiveMessageOnPort(port!) : undefined;
    if (m === undefined) {
      lock.acquire();
      return;
    }
    const msg = m.message as ToWriter;
    if (msg.type === 'write') accept(msg);
    else closeRequested = true;
  }
}

function flush(): void {
  flushScheduled = false;
  if (group.length === 0) {
    flushGroup();
    return;
  }
  store.prefetchTraces(group.map((p) => p.batch));
  takeLock();
  try {
    flushGroup();
  } finally {
    lock?.release();
    postOutbox();
  }
  // Its answers are posted; the other writer may commit while this one indexes.
  store.helpIndex();
  if (closeRequested) close();
}

function flushGroup(): void {
  const pending = group;
  const outcomes = earlyOutcomes;
  group = [];
  groupItems = 0;
  earlyOutcomes = [];
  if (pending.length === 0) {
    if (outcomes.length > 0) post({ type: 'done', outcomes, stats: null });
    return;
  }
  const t0 = performance.now();
  const duplicates = { traces: 0, metrics: 0, logs: 0 };
  let items = 0;
  try {
    const batches = pending.map((p) => p.batch);
    const res = store.writePrepared(batches);
    feed(batches);
    duplicates.traces = res.spansDuplicate;
    for (const p of pending) {
      outcomes.push(storedOutcome(p));
      items += p.items;
    }
  } catch (err) {
    if (pending.length === 1 || isTransientStoreError(err)) {
      for (const p of pending) outcomes.push(failedOutcome(p, err));
    } else {
      // One request's data may be what the store cannot take; write each alone so the others
      // are not failed with it.
      for (const p of pending) {
        try {
          const res = writeOne(p.batch);
          duplicates.traces += res.spansDuplicate;
          items += p.items;
          outcomes.push(storedOutcome(p));
        } catch (e) {
          outcomes.push(failedOutcome(p, e));
        }
      }
    }
  }
  outbox.push({ type: 'done', outcomes, stats: { ms: performance.now() - t0, items, duplicates, ...heapFigures() } });
}

/** Decodes and encodes a request; it joins the next group commit (or is answered at once). */
function accept(msg: WriteRequest): void {
  const decoded = decodeBody(msg.signal, msg.encoding, msg.body);
  if (decoded.kind === 'invalid') {
    earlyOutcomes.push({ id: msg.id, kind: 'invalid', message: decoded.message });
  } else {
    const batch: IngestBatch = { spans: [], metrics: [], logs: [] };
    if (decoded.signal === 'traces') batch.spans = decoded.result.items;
    else if (decoded.signal === 'metrics') batch.metrics = decoded.result.items;
    else batch.logs = decoded.result.items;
    const items = decoded.result.items.length;
    if (items === 0) {
      earlyOutcomes.push({ id: msg.id, kind: 'stored', items: 0, rejected: decoded.result.rejected, errors: decoded.result.errors });
    } else {
      let prepared: PreparedBatch | undefined;
      try {
        prepared = store.prepareBatch(batch);
      } catch (err) {
        earlyOutcomes.push({ id: msg.id, kind: 'failed', transient: isTransientStoreError(err), message: err instanceof Error ? err.message : String(err), items });
      }
      if (prepared) {
        group.push({ id: msg.id, batch: prepared, items, rejected: decoded.result.rejected, errors: decoded.result.errors, signal: msg.signal });
        groupItems += items;
      }
    }
  }
}

function onWrite(msg: WriteRequest): void {
  accept(msg);
  if (groupItems >= opts.maxGroupItems) flush();
  else if (!flushScheduled) {
    flushScheduled = true;
    // setImmediate runs after every message already queued on the port has been handled, so a
    // group holds everything that arrived while the last transaction was committing.
    setImmediate(flush);
  }
}

let closeRequested = false;
let closed = false;

function close(): void {
  if (closed) return;
  closed = true;
  flush();
  store.close();
  post({ type: 'closed' });
}

port.on('message', (msg: ToWriter) => {
  if (closed) return;
  if (msg.type === 'write') onWrite(msg);
  else if (msg.type === 'close') close();
});

post({ type: 'ready' });
