// Starts and stops the live analyzer thread (collector/live-worker.ts) and keeps its last report.
// Every collector starts one; when several share a database, the lease in the database lets one
// analyze and the others stand by.
import type { Worker } from 'node:worker_threads';
import type { LiveAnalyzerOptions, PassResult } from '../lib/live/analyzer.ts';
import { BUSY_THREAD_LIMITS, startTsWorker } from '../lib/runtime/workers.ts';

export type FromLive = ({ type: 'pass'; heapUsedBytes: number } & PassResult) | { type: 'error'; message: string } | { type: 'closed' };

export interface LiveStatus {
  passes: number;
  errors: number;
  lastError?: string;
  last?: PassResult;
  spansAnalyzed: number;
  /** The analyzer thread's V8 heap in use after its last pass. */
  heapUsedBytes: number;
}

export class LiveThread {
  readonly status: LiveStatus = { passes: 0, errors: 0, spansAnalyzed: 0, heapUsedBytes: 0 };

  private constructor(private readonly worker: Worker) {}

  static start(opts: LiveAnalyzerOptions & { intervalMs?: number }): LiveThread {
    const worker = startTsWorker(new URL('./live-worker.ts', import.meta.url), { intervalMs: 500, ...opts }, BUSY_THREAD_LIMITS);
    const t = new LiveThread(worker);
    worker.on('message', (msg: FromLive) => {
      if (msg.type === 'pass') {
        t.status.passes++;
        t.status.spansAnalyzed += msg.spans;
        t.status.last = msg;
        t.status.heapUsedBytes = msg.heapUsedBytes;
      } else if (msg.type === 'error') {
        t.status.errors++;
        t.status.lastError = msg.message;
      }
    });
    // The analyzer failing must not take ingest down; its cursor waits in the database.
    worker.on('error', (err) => {
      t.status.errors++;
      t.status.lastError = err.message;
    });
    worker.unref();
    return t;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      this.worker.on('message', (m: FromLive) => {
        if (m.type === 'closed') {
          clearTimeout(timer);
          resolve();
        }
      });
      this.worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.worker.postMessage({ type: 'close' });
    await closed;
    await this.worker.terminate();
  }
}
