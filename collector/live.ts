// Starts and stops the live analyzer thread (collector/live-worker.ts) and keeps its last report.
// Every collector starts one; when several share a database, the lease in the database lets one
// analyze and the others stand by.
import { randomUUID } from 'node:crypto';
import type { ResourceLimits, Worker } from 'node:worker_threads';
import type { LiveAnalyzerOptions, PassResult } from '../lib/live/analyzer.ts';
import type { FedGroup } from '../lib/live/feed.ts';
import { LIVE_THREAD_LIMITS, startTsWorker } from '../lib/runtime/workers.ts';
import type { FeedGate } from './feed-gate.ts';

/**
 * Wait before starting a thread again after one ended unasked, doubled for each such end in a
 * row without a completed pass in between, up to RESTART_MAX_MS. A thread that dies while
 * loading its state (a pending set past its heap cap) would otherwise be started, reload and
 * die every second, each time costing a full read of that state.
 */
export const RESTART_BASE_MS = 1000;
export const RESTART_MAX_MS = 60_000;

/** Fed spans at most on their way to the analyzer thread (about 5 MB); see LiveThread.feed. */
const FEED_IN_FLIGHT_SPANS = 32_768;

export type ToLive = { type: 'feed'; group: FedGroup } | { type: 'close' };

export type FromLive = ({ type: 'pass'; heapUsedBytes: number; heapPhysicalBytes: number; externalBytes: number } & PassResult) | { type: 'error'; message: string } | { type: 'closed' };

export interface LiveStatus {
  passes: number;
  errors: number;
  lastError?: string;
  last?: PassResult;
  spansAnalyzed: number;
  /** Of those, spans the writers handed over instead of the analyzer reading them back. */
  spansFed: number;
  /** Fed spans not used (queue full, or no analyzer thread up): read from storage instead. */
  feedDropped: number;
  /** The analyzer thread's V8 heap in use after its last pass. */
  heapUsedBytes: number;
  /** Memory the analyzer thread's V8 heap holds (in use or garbage not yet collected). */
  heapPhysicalBytes: number;
  /** Buffers outside its heap that the analyzer thread's objects own (live or not yet collected). */
  externalBytes: number;
  /** Analyzer threads started again after one ended without being asked to. */
  restarts: number;
  /** The wait before the most recent restart (0 before any): doubled for each unasked end in a row without a completed pass. */
  restartDelayMs: number;
}

export interface LiveThreadOptions extends LiveAnalyzerOptions {
  /** Time between passes when caught up (default 500 ms). */
  intervalMs?: number;
  /** The thread's V8 heap limits (default LIVE_THREAD_LIMITS); past them it ends and starts again. */
  limits?: ResourceLimits;
  /** First wait before a restart (default RESTART_BASE_MS); tests shorten it. */
  restartBaseMs?: number;
  /** Shared with the writers (feed-gate.ts): each analyzer thread opens and closes it, and its skipped spans count as dropped. */
  feedGate?: FeedGate;
}

export class LiveThread {
  readonly status: LiveStatus = { passes: 0, errors: 0, spansAnalyzed: 0, spansFed: 0, feedDropped: 0, heapUsedBytes: 0, heapPhysicalBytes: 0, externalBytes: 0, restarts: 0, restartDelayMs: 0 };
  private worker!: Worker;
  private closing = false;
  private up = false;
  private threadFeedDropped = 0;
  /** Fed spans posted to the thread and not yet taken off its port (it subtracts what it takes). */
  private inFlight = new Int32Array(new SharedArrayBuffer(4));
  private restartTimer: NodeJS.Timeout | undefined;
  /** Unasked ends since the last completed pass. */
  private failuresInRow = 0;
  private readonly restartBaseMs: number;

  private readonly opts: Omit<LiveThreadOptions, 'limits' | 'restartBaseMs' | 'feedGate'>;
  private readonly limits: ResourceLimits;
  private readonly gate: FeedGate | undefined;
  /** The gate's skipped spans already counted in status.feedDropped. */
  private skippedSeen = 0;

  private constructor({ limits, restartBaseMs, feedGate, ...opts }: LiveThreadOptions) {
    // One lease owner across restarts: a restarted thread takes its own lease back at once
    // instead of standing by until the crashed one's lease runs out.
    this.opts = { ...opts, owner: opts.owner ?? `live-${process.pid}-${randomUUID().slice(0, 8)}` };
    this.limits = limits ?? LIVE_THREAD_LIMITS;
    this.restartBaseMs = restartBaseMs ?? RESTART_BASE_MS;
    this.gate = feedGate;
  }

  static start(opts: LiveThreadOptions): LiveThread {
    const t = new LiveThread(opts);
    t.spawn();
    return t;
  }

  private spawn(): void {
    this.inFlight = new Int32Array(new SharedArrayBuffer(4));
    // A new thread wants the feed until its first chunk says it is out of reach.
    this.gate?.set(true);
    const worker = startTsWorker(
      new URL('./live-worker.ts', import.meta.url),
      { intervalMs: 500, ...this.opts, feedInFlight: this.inFlight, feedGate: this.gate?.buffer },
      this.limits,
    );
    this.worker = worker;
    this.up = true;
    this.threadFeedDropped = 0;
    worker.on('message', (msg: FromLive) => {
      if (msg.type === 'pass') {
        this.failuresInRow = 0;
        this.status.passes++;
        this.status.spansAnalyzed += msg.spans;
        this.status.spansFed += msg.fed;
        // The thread reports its running total; a restarted thread starts from 0.
        this.status.feedDropped += Math.max(0, msg.feedDropped - this.threadFeedDropped);
        this.threadFeedDropped = msg.feedDropped;
        this.countSkipped();
        this.status.last = msg;
        this.status.heapUsedBytes = msg.heapUsedBytes;
        this.status.heapPhysicalBytes = msg.heapPhysicalBytes;
        this.status.externalBytes = msg.externalBytes;
      } else if (msg.type === 'error') {
        this.status.errors++;
        this.status.lastError = msg.message;
      }
    });
    // The analyzer failing must not take ingest down; its cursor waits in the database, and a
    // new thread goes on from it, after a wait that grows while threads end without completing
    // a pass (RESTART_BASE_MS).
    worker.on('error', (err) => {
      this.status.errors++;
      this.status.lastError = err.message;
    });
    worker.on('exit', () => {
      this.up = false;
      // No thread to take groups until the next one starts: the writers need not pack them.
      this.gate?.set(false);
      this.countSkipped();
      if (this.closing) return;
      this.status.restarts++;
      this.failuresInRow++;
      this.status.restartDelayMs = Math.min(RESTART_MAX_MS, this.restartBaseMs * 2 ** Math.min(this.failuresInRow - 1, 30));
      clearTimeout(this.restartTimer);
      this.restartTimer = setTimeout(() => {
        if (!this.closing) this.spawn();
      }, this.status.restartDelayMs);
      this.restartTimer.unref();
    });
    worker.unref();
  }

  /** Spans the writers left unpacked since the last count join the dropped. */
  private countSkipped(): void {
    if (!this.gate) return;
    const skipped = this.gate.skipped;
    this.status.feedDropped += skipped - this.skippedSeen;
    this.skippedSeen = skipped;
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      worker.on('message', (m: FromLive) => {
        if (m.type === 'closed') {
          clearTimeout(timer);
          resolve();
        }
      });
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    worker.postMessage({ type: 'close' } satisfies ToLive);
    await closed;
    await worker.terminate();
  }

  /**
   * Hands a commit's spans to the analyzer thread (transferred, not copied). Dropped while the
   * thread is restarting: the analyzer reads those spans from storage.
   */
  feed(group: FedGroup): void {
    // A thread starved of CPU (it runs niced) takes nothing off its port for a while: past this
    // many spans waiting there, groups are dropped here instead of piling up unbounded.
    if (this.closing || !this.up || Atomics.load(this.inFlight, 0) + group.n > FEED_IN_FLIGHT_SPANS) {
      this.status.feedDropped += group.n;
      return;
    }
    Atomics.add(this.inFlight, 0, group.n);
    this.worker.postMessage({ type: 'feed', group } satisfies ToLive, [group.buf]);
  }

  /** The current analyzer thread. */
  get thread(): Worker {
    return this.worker;
  }
}
