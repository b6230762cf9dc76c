// The HTTP thread's side of the writer: a bounded queue (in request bytes) in front of the
// writer thread, per-request acknowledgements, and restart of a crashed writer. Nothing here
// waits on the database; a full queue is refused at once so the client can retry elsewhere
// or later (503 + Retry-After), instead of a slow answer that the SDK would turn into loss.
import type { Worker } from 'node:worker_threads';
import type { CollectorMetrics, Signal } from './metrics.ts';
import type { Encoding, FromWriter, GroupStats, WriteOutcome, WriterOptions } from './protocol.ts';
import { startTsWorker } from './worker-exec.ts';

interface Waiting {
  bytes: number;
  signal: Signal;
  resolve: (o: WriteOutcome) => void;
}

export type SubmitResult = { queued: true; outcome: Promise<WriteOutcome> } | { queued: false; reason: 'queue_full' | 'writer_down' };

export class WriterClient {
  private worker!: Worker;
  private up = false;
  private closing = false;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private queuedBytes = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private closedResolve: (() => void) | undefined;

  private constructor(
    private readonly opts: WriterOptions,
    private readonly capacityBytes: number,
    private readonly metrics: () => CollectorMetrics,
  ) {}

  /** Starts the writer thread; resolves once its store is open, rejects if it cannot open. */
  static async start(opts: WriterOptions, capacityBytes: number, metrics: () => CollectorMetrics): Promise<WriterClient> {
    const w = new WriterClient(opts, capacityBytes, metrics);
    await w.spawn();
    return w;
  }

  private spawn(): Promise<void> {
    return new Promise((resolve, reject) => {
      const worker = startTsWorker(new URL('./writer-worker.ts', import.meta.url), this.opts);
      this.worker = worker;
      let started = false;
      worker.on('message', (msg: FromWriter) => {
        switch (msg.type) {
          case 'ready':
            started = true;
            this.up = true;
            resolve();
            break;
          case 'open-failed':
            if (!started) reject(new Error(`cannot open the store: ${msg.message}`));
            break;
          case 'done':
            this.onDone(msg.outcomes, msg.stats);
            break;
          case 'closed':
            this.closedResolve?.();
            break;
        }
      });
      worker.on('error', (err) => {
        if (!started) reject(err);
      });
      worker.on('exit', () => {
        this.up = false;
        this.failAll('the writer thread stopped');
        this.closedResolve?.();
        if (started && !this.closing) {
          this.metrics().writerRestarts++;
          this.scheduleRestart();
        }
      });
    });
  }

  /** Until the writer is back, requests get 503 + Retry-After (clients retry), never a 500. */
  private scheduleRestart(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.closing) return;
      this.spawn().catch(() => this.scheduleRestart());
    }, 1000);
  }

  private failAll(message: string): void {
    for (const [id, w] of this.waiting) {
      this.waiting.delete(id);
      this.queuedBytes -= w.bytes;
      w.resolve({ id, kind: 'failed', transient: true, message, items: 0 });
    }
  }

  private onDone(outcomes: WriteOutcome[], stats: GroupStats | null): void {
    const m = this.metrics();
    if (stats !== null) {
      m.batches++;
      m.batchItems += stats.items;
      m.batchLatency.observe(stats.ms / 1000);
      m.writerHeapBytes = stats.heapUsedBytes;
      m.duplicates.traces += stats.duplicates.traces;
      m.duplicates.metrics += stats.duplicates.metrics;
      m.duplicates.logs += stats.duplicates.logs;
    }
    for (const o of outcomes) {
      const w = this.waiting.get(o.id);
      if (w === undefined) continue;
      this.waiting.delete(o.id);
      this.queuedBytes -= w.bytes;
      w.resolve(o);
    }
  }

  submit(signal: Signal, encoding: Encoding, body: Buffer): SubmitResult {
    if (!this.up || this.closing) return { queued: false, reason: 'writer_down' };
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
    const outcome = new Promise<WriteOutcome>((resolve) => {
      this.waiting.set(id, { bytes: body.length, signal, resolve });
    });
    this.worker.postMessage({ type: 'write', id, signal, encoding, body: owned }, [owned.buffer as ArrayBuffer]);
    return { queued: true, outcome };
  }

  get isUp(): boolean {
    return this.up;
  }

  get depth(): { bytes: number; requests: number; capacityBytes: number } {
    return { bytes: this.queuedBytes, requests: this.waiting.size, capacityBytes: this.capacityBytes };
  }

  /** Lets queued requests commit, closes the store, stops the thread. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    if (!this.up) return;
    const closed = new Promise<void>((resolve) => {
      this.closedResolve = resolve;
    });
    this.worker.postMessage({ type: 'close' });
    await closed;
    await this.worker.terminate();
  }
}
