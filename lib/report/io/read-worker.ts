// Worker thread of analyzeFiles: parses and decodes trace files (about half of a report's work)
// on another core and posts the spans, encoded (span-codec.ts), to the analyzing thread. Two jobs:
// - `file`: a whole file through readTraceFile (every format). Flow control: at most
//   MAX_IN_FLIGHT batches posted and not yet acknowledged, so the queue between the threads
//   stays a few batches, whatever the file size;
// - `lines`: a piece of an OTLP JSON-lines file the analyzing thread read and handed over
//   (several readers share one such file; the analyzing thread bounds the pieces in flight).
import { parentPort } from 'node:worker_threads';
import { readTraceFile, TraceFileError } from '../../otlp/files.ts';
import { decodeJsonLinesChunk } from '../../otlp/json-lines-chunk.ts';
import type { FromReader, ToReader } from './read-protocol.ts';
import { SpanEncoder } from './span-codec.ts';

const MAX_IN_FLIGHT = 4;
const port = parentPort!;
const encoder = new SpanEncoder();
let inFlight = 0;
let wake: (() => void) | undefined;
// Jobs run one at a time, in the order they came: the decoder on the other side relies on it.
let queue: Promise<void> = Promise.resolve();

const post = (m: FromReader, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on('message', (m: ToReader) => {
  if (m.type === 'ack') {
    inFlight--;
    wake?.();
  } else if (m.type === 'file') {
    queue = queue.then(() => readFile(m.file));
  } else {
    queue = queue.then(() => readLines(m.seq, m.buffer, m.bytes, m.firstLine));
  }
});

async function readFile(file: string): Promise<void> {
  try {
    for await (const b of readTraceFile(file)) {
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
      inFlight++;
      encoder.add(b.spans);
      const e = encoder.take();
      post({ type: 'batch', ...e, rejected: b.rejected, errors: b.errors, format: b.format }, [e.buffer]);
    }
    post({ type: 'file-done' });
  } catch (err) {
    post(err instanceof TraceFileError ? { type: 'input-error', message: err.message } : { type: 'failure', message: (err as Error).stack ?? String(err) });
  }
}

function readLines(seq: number, buffer: ArrayBuffer, bytes: number, firstLine: number): void {
  try {
    const r = decodeJsonLinesChunk(new Uint8Array(buffer, 0, bytes), firstLine, (spans) => encoder.add(spans));
    // Not plain: the analyzing thread drops this reader with its half-written batch.
    if (!r.plain) {
      post({ type: 'lines', seq, plain: false, rejected: 0, errors: [], values: 0, buffer: new ArrayBuffer(0), bytes: 0, spans: 0 });
      return;
    }
    const e = encoder.take();
    post({ type: 'lines', seq, plain: true, rejected: r.rejected, errors: r.errors, values: r.values, ...e }, [e.buffer]);
  } catch (err) {
    post({ type: 'failure', message: (err as Error).stack ?? String(err) });
  }
}
