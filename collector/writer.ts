// The HTTP thread's side of the writers: a bounded queue (in request bytes) in front of the
// writer threads, per-request acknowledgements, and restart of a crashed writer. Nothing here
// waits on the database; a full queue is refused at once so the client can retry elsewhere
// or later (503 + Retry-After), instead of a slow answer that the SDK would turn into loss.
import type { FedGroup } from '../lib/live/feed.ts';
import type { Worker } from 'node:worker_threads';
import type { CollectorMetrics, Signal } from './metrics.ts';
import type { Encoding, FromWriter, GroupStats, WriteOutcome, WriterOptions } from './protocol.ts';
import { startTsWorker, WRITER_THREAD_LIMITS } from '../lib/runtime/workers.ts';

interface Waiting {
  bytes: number;
  signal: Signal;
  slot: Slot;
  resolve: (o: WriteOutcome) => void;
}

/** One writer thread. */
interface Slot {
  index: number;
  worker?: Worker;
  up: boolean;
  queuedBytes: number;
  /** Its V8 heap after its last group: in use, and held. */
  heapUsedBytes: number;
  heapPhysicalBytes: number;
  externalBytes: number;
  restartTimer?: NodeJS.Timeout;
  closedResolve?: () => void;
}

export type SubmitResult = { queued: true; outcome: Promise<WriteOutcome> } | { queued: false; reason: 'queue_full' | 'writer_down' };

/**
 * The writer threads. Two by default: while one holds the write lock and commits, the other
 * decodes and encodes its next group, so the lock — SQLite's one writer at a time — is busy
 * with inserts and commits only.
 */
export class WriterClient {
  private readonly slots: Slot[];
  private closing = false;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private queuedBytes = 0;
  /** Receives each commit's spans when the writers were started with `feed` (the live analyzer). */
  onFeed: ((group: FedGroup) => void) | undefined;

  private constructor(
    private readonly opts: WriterOptions,
    private readonly capacityBytes: number,
    private readonly metrics: () => CollectorMetrics,
    threads: number,
  ) {
    this.slots = Array.from({ length: threads }, (_, index) => ({ index, up: false, queuedBytes: 0, heapUsedBytes: 0, heapPhysicalBytes: 0, externalBytes: 0 }));
  }

  /** Starts the writer threads; resolves once their stores are open, rejects if one cannot open. */
  static async start(opts: WriterOptions, capacityBytes: number, metrics: () => CollectorMetrics, threads = 2): Promise<WriterClient> {
    const w = new WriterClient(opts, capacityBytes, metrics, Math.max(1, Math.floor(threads)));
    try {
      await Promise.all(w.slots.map((s) => w.spawn(s)));
    } catch (err) {
      await w.close();
      throw err;
    }
    return w;
  }

  private spawn(slot: Slot): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = startTsWorker(new URL('./writer-worker.ts', import.meta.url), this.opts, WRITER_THREAD_LIMITS);
      slot.worker = worker;
      let started = false;
      worker.on('message', (msg: FromWriter) => {
        switch (msg.type) {
          case 'ready':
            started = true;
            slot.up = true;
            resolve();
            break;
          case 'open-failed':
            if (!started) reject(new Error(`cannot open the store: ${msg.message}`));
            break;
          case 'done':
            this.onDone(slot, msg.outcomes, msg.stats);
            break;
          case 'feed':
            this.onFeed?.(msg.group);
            break;
          case 'closed':
            slot.closedResolve?.();
            break;
        }
      });
      worker.on('error', (err) => {
        if (!started) reject(err);
      });
      worker.on('exit', () => {
        slot.up = false;
        this.failAll(slot, 'the writer thread stopped');
        slot.closedResolve?.();
        if (started && !this.closing) {
          this.metrics().writerRestarts++;
          this.scheduleRestart(slot);
        }
      });
    });
  }

  /** Until a writer is back, its share of requests goes to the others; with none up, 503 + Retry-After (clients retry), never a 500. */
  private scheduleRestart(slot: Slot): void {
    clearTimeout(slot.restartTimer);
    slot.restartTimer = setTimeout(() => {
      if (this.closing) return;
      this.spawn(slot).catch(() => this.scheduleRestart(slot));
    }, 1000);
  }

  private failAll(slot: Slot, message: string): void {
    for (const [id, w] of this.waiting) {
      if (w.slot !== slot) continue;
      this.settle(id, w, { id, kind: 'failed', transient: true, message, items: 0 });
    }
  }

  private settle(id: number, w: Waiting, o: WriteOutcome): void {
    this.waiting.delete(id);
    this.queuedBytes -= w.bytes;
    w.slot.queuedBytes -= w.bytes;
    w.resolve(o);
  }

  private onDone(slot: Slot, outcomes: WriteOutcome[], stats: GroupStats | null): void {
    const m = this.metrics();
    if (stats !== null) {
      m.batches++;
      m.batchItems += stats.items;
      m.batchLatency.observe(stats.ms / 1000);
      slot.heapUsedBytes = stats.heapUsedBytes;
      slot.heapPhysicalBytes = stats.heapPhysicalBytes;
      slot.externalBytes = stats.externalBytes;
      // All writer threads together (each reports only its own).
      m.writerHeapBytes = this.slots.reduce((n, s) => n + s.heapUsedBytes, 0);
      m.writerHeapPhysicalBytes = this.slots.reduce((n, s) => n + s.heapPhysicalBytes, 0);
      m.writerExternalBytes = this.slots.reduce((n, s) => n + s.externalBytes, 0);
      m.duplicates.traces += stats.duplicates.traces;
      m.duplicates.metrics += stats.duplicates.metrics;
      m.duplicates.logs += stats.duplicates.logs;
    }
    for (const o of outcomes) {
      const w = this.waiting.get(o.id);
      if (w !== undefined) this.settle(o.id, w, o);
    }
  }

  submit(signal: Signal, encoding: Encoding, body: Buffer): SubmitResult {
    if (this.closing) return { queued: false, reason: 'writer_down' };
    // The least loaded writer that is up.
    let slot: Slot | undefined;
    for (const s of this.slots) if (s.up && (slot === undefined || s.queuedBytes < slot.queuedBytes)) slot = s;
    if (slot === undefined || slot.worker === undefined) return { queued: false, reason: 'writer_down' };
    if (this.queuedBytes + body.length > this.capacityBytes && this.waiting.size > 0) return { queued: false, reason: 'queue_full' };
    const id = this.nextId++;
    // Transfer the body's memory when the body owns all of it; otherwise (Node pools small
    // buffers) transfer a private copy, since detaching a pool slab would corrupt other buffers.
    let owned: Uint8Array;
    if (body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer) {
      owned = new Uint8Array(body.buffer);
    } else {
      owned = new Uint8Array(body.length);
      owned.set(body);
    }
    this.queuedBytes += body.length;
    slot.queuedBytes += body.length;
    const target = slot;
    const outcome = new Promise<WriteOutcome>((resolve) => {
      this.waiting.set(id, { bytes: body.length, signal, slot: target, resolve });
    });
    slot.worker.postMessage({ type: 'write', id, signal, encoding, body: owned }, [owned.buffer as ArrayBuffer]);
    return { queued: true, outcome };
  }

  get isUp(): boolean {
    return this.slots.some((s) => s.up);
  }

  get depth(): { bytes: number; requests: number; capacityBytes: number } {
    return { bytes: this.queuedBytes, requests: this.waiting.size, capacityBytes: this.capacityBytes };
  }

  /** Lets queued requests commit, closes the stores, stops the threads. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.slots.map(async (slot) => {
        clearTimeout(slot.restartTimer);
        if (!slot.up || slot.worker === undefined) {
          await slot.worker?.terminate();
          return;
        }
        const closed = new Promise<void>((resolve) => {
          slot.closedResolve = resolve;
        });
        slot.worker.postMessage({ type: 'close' });
        await closed;
        await slot.worker.terminate();
      }),
    );
  }
}
