// Retention on its own thread and its own connection: deleting a week of expired spans can take
// seconds, and in the writer thread it would hold up every acknowledgement. Here each chunk is
// a short transaction of its own (Store.deleteOlderThan), so the writer waits at most one chunk.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../lib/store/index.ts';
import type { FromRetention, RetentionOptions } from './protocol.ts';

const port = parentPort;
if (port === null) throw new Error('retention-worker must run as a worker thread');
const opts = workerData as RetentionOptions;
const store = openStore(opts.dbUrl);

function sweep(): void {
  try {
    const beforeNs = (BigInt(Date.now()) - BigInt(opts.retentionMs)) * 1_000_000n;
    const rows = store.deleteOlderThan(beforeNs, { chunkSize: opts.chunkSize });
    if (rows > 0) port!.postMessage({ type: 'deleted', rows } satisfies FromRetention);
  } catch (err) {
    // A busy database or a full disk: try again next round, say so on /metrics via the parent.
    port!.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) } satisfies FromRetention);
  }
}

const timer = setInterval(sweep, opts.intervalMs);
sweep();
port.on('message', (msg: { type: 'close' }) => {
  if (msg.type === 'close') {
    clearInterval(timer);
    store.close();
    port!.close();
  }
});
