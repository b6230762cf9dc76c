// Worker thread of analyzeFiles: reads and decodes the trace files (readTraceFile) and posts
// the span batches to the analyzing thread, so parsing (about half the work) runs on a second
// core. Flow control: at most MAX_IN_FLIGHT batches are posted and not yet acknowledged, so the
// queue between the threads stays a few batches, whatever the file size.
import { parentPort, workerData } from 'node:worker_threads';
import { readTraceFile, TraceFileError } from '../../otlp/files.ts';
import type { FromReader, ToReader } from './read-protocol.ts';

const MAX_IN_FLIGHT = 4;
const port = parentPort!;
const files = (workerData as { files: string[] }).files;
let inFlight = 0;
let wake: (() => void) | undefined;
port.on('message', (m: ToReader) => {
  if (m.type === 'ack') {
    inFlight--;
    wake?.();
  }
});
const post = (m: FromReader) => port.postMessage(m);

try {
  for (const file of files) {
    for await (const b of readTraceFile(file)) {
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
      inFlight++;
      post({ type: 'batch', file, spans: b.spans, rejected: b.rejected, errors: b.errors, format: b.format });
    }
  }
  post({ type: 'done' });
} catch (err) {
  post(err instanceof TraceFileError ? { type: 'input-error', message: err.message } : { type: 'failure', message: (err as Error).stack ?? String(err) });
}
