// Starts and stops the retention thread; counts what it removed.
import type { Worker } from 'node:worker_threads';
import type { CollectorMetrics } from './metrics.ts';
import type { FromRetention, RetentionOptions } from './protocol.ts';
import { startTsWorker } from '../lib/runtime/workers.ts';

export class Retention {
  private constructor(private readonly worker: Worker) {}

  static start(opts: RetentionOptions, metrics: CollectorMetrics): Retention {
    const worker = startTsWorker(new URL('./retention-worker.ts', import.meta.url), opts);
    worker.on('message', (msg: FromRetention) => {
      if (msg.type === 'deleted') metrics.retentionDeleted += msg.rows;
      else if (msg.type === 'wal') {
        metrics.walPages = msg.pages;
        if (msg.reset) metrics.walResets++;
      } else if (msg.type === 'traceIndex') {
        metrics.traceIdsIndexed += msg.indexed;
        metrics.traceIdsBehind = msg.behind;
      } else metrics.retentionErrors++;
    });
    // A crashed sweep must not take ingest down; the next collector start sweeps again.
    worker.on('error', () => {
      metrics.retentionErrors++;
    });
    worker.unref();
    return new Retention(worker);
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: 'close' });
    await this.worker.terminate();
  }
}
