// The writer thread: owns the Store, decodes request bodies, and group-commits every request
// that arrived while the previous transaction ran into one transaction, then acknowledges
// each. A 200 on the HTTP thread waits for this acknowledgement, so 200 means committed.
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { IngestBatch } from '../lib/model/index.ts';
import { openStore } from '../lib/store/index.ts';
import type { Store } from '../lib/store/types.ts';
import type { FromWriter, ToWriter, WriteOutcome, WriteRequest, WriterOptions } from './protocol.ts';
import { decodeBody } from './decode.ts';
import { isTransientStoreError } from './transient.ts';

const port = parentPort;
if (port === null) throw new Error('writer-worker must run as a worker thread');
const opts = workerData as WriterOptions;

function post(msg: FromWriter): void {
  port!.postMessage(msg);
}

let store: Store;
try {
  store = openStore(opts.dbUrl);
} catch (err) {
  post({ type: 'open-failed', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

interface Pending {
  id: number;
  batch: IngestBatch;
  items: number;
  rejected: number;
  errors: string[];
  signal: WriteRequest['signal'];
}

let group: Pending[] = [];
let groupItems = 0;
let flushScheduled = false;
let earlyOutcomes: WriteOutcome[] = [];

function writeOne(batch: IngestBatch) {
  return store.writeBatch(batch);
}

function merge(pending: Pending[]): IngestBatch {
  if (pending.length === 1) return pending[0].batch;
  const spans = [];
  const metrics = [];
  const logs = [];
  for (const p of pending) {
    for (const s of p.batch.spans) spans.push(s);
    for (const m of p.batch.metrics) metrics.push(m);
    for (const l of p.batch.logs) logs.push(l);
  }
  return { spans, metrics, logs };
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

function flush(): void {
  flushScheduled = false;
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
    const res = writeOne(merge(pending));
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
  post({ type: 'done', outcomes, stats: { ms: performance.now() - t0, items, duplicates, heapUsedBytes: getHeapStatistics().used_heap_size } });
}

function onWrite(msg: WriteRequest): void {
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
      group.push({ id: msg.id, batch, items, rejected: decoded.result.rejected, errors: decoded.result.errors, signal: msg.signal });
      groupItems += items;
    }
  }
  if (groupItems >= opts.maxGroupItems) flush();
  else if (!flushScheduled) {
    flushScheduled = true;
    // setImmediate runs after every message already queued on the port has been handled, so a
    // group holds everything that arrived while the last transaction was committing.
    setImmediate(flush);
  }
}

port.on('message', (msg: ToWriter) => {
  if (msg.type === 'write') onWrite(msg);
  else if (msg.type === 'close') {
    flush();
    store.close();
    post({ type: 'closed' });
  }
});

post({ type: 'ready' });
