// Reader threads for analyzeFiles: the analyzing thread keeps the Analyzer, the readers parse.
// A plain OTLP JSON-lines file (what the Collector's file exporter writes, and the big case) is
// read here in line-aligned pieces that the readers decode in parallel; the pieces' spans are
// added in file order, so the analysis is the same as reading the file straight through. Any
// other file is read whole by one reader with readTraceFile.
import { availableParallelism } from 'node:os';
import { open } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import type { Span } from '../../model/index.ts';
import type { FromReader, ToReader } from './read-protocol.ts';
import { SpanDecoder } from './span-codec.ts';
import { startTsWorker } from '../../runtime/workers.ts';

/** Bytes read from the file per piece handed to a reader. */
export const DEFAULT_PIECE_BYTES = 4 * 1024 * 1024;
/** A line longer than this is not "plain" JSON-lines: readTraceFile splits it inside instead. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** Pieces in flight per reader: one being decoded, one waiting, so a reader never idles. */
const PIECES_PER_READER = 2;

export interface FileBatch {
  spans: Span[];
  rejected: number;
  errors: string[];
  format?: string;
}

/** The file is not plain OTLP JSON-lines after all (or could not be read as such): read it whole. */
export class NotPlainLines extends Error {
  constructor(readonly file: string) {
    super(`${file}: not plain OTLP JSON-lines`);
    this.name = 'NotPlainLines';
  }
}

/** A TraceFileError from a reader, as its message. */
export class ReaderInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReaderInputError';
  }
}

type Waiter = { resolve(m: FromReader): void; reject(err: Error): void };

class Reader {
  readonly decoder = new SpanDecoder();
  /** `lines` answers by seq; file-job messages in arrival order. */
  private readonly pieces = new Map<number, Waiter>();
  private readonly fileMessages: FromReader[] = [];
  private fileWaiter: Waiter | undefined;
  private failed: Error | undefined;
  outstanding = 0;

  constructor(readonly worker: Worker) {
    worker.on('message', (m: FromReader) => {
      if (m.type === 'lines') {
        const w = this.pieces.get(m.seq);
        this.pieces.delete(m.seq);
        this.outstanding--;
        w?.resolve(m);
      } else if (m.type === 'failure') {
        this.fail(new Error(`trace reader thread failed: ${m.message}`));
      } else {
        this.fileMessages.push(m);
        this.wakeFile();
      }
    });
    worker.once('error', (err) => this.fail(err));
    worker.once('exit', (code) => this.fail(new Error(`trace reader thread exited with code ${code} before finishing`)));
  }

  post(m: ToReader, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  piece(seq: number, buffer: ArrayBuffer, bytes: number, firstLine: number): Promise<FromReader> {
    if (this.failed) return Promise.reject(this.failed);
    this.outstanding++;
    const answer = new Promise<FromReader>((resolve, reject) => this.pieces.set(seq, { resolve, reject }));
    // Answers are awaited in file order; one that fails while an earlier one is awaited must not
    // count as unhandled (the caller sees the failure when it reaches it).
    answer.catch(() => undefined);
    this.post({ type: 'lines', seq, buffer, bytes, firstLine }, [buffer]);
    return answer;
  }

  nextFileMessage(): Promise<FromReader> {
    const m = this.fileMessages.shift();
    if (m) return Promise.resolve(m);
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<FromReader>((resolve, reject) => (this.fileWaiter = { resolve, reject }));
  }

  private wakeFile(): void {
    const w = this.fileWaiter;
    if (!w) return;
    const m = this.fileMessages.shift();
    if (!m) return;
    this.fileWaiter = undefined;
    w.resolve(m);
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = err;
    for (const w of this.pieces.values()) w.reject(err);
    this.pieces.clear();
    this.fileWaiter?.reject(err);
    this.fileWaiter = undefined;
  }

  close(): void {
    this.failed ??= new Error('reader closed');
    this.worker.removeAllListeners('exit');
    void this.worker.terminate();
  }
}

/** How many readers for JSON-lines pieces: one per core, at most two (the analyzing thread needs one too). */
export function defaultReaderCount(): number {
  return Math.max(1, Math.min(2, availableParallelism()));
}

export class ReaderPool {
  private readonly readers: Reader[];

  constructor(count: number) {
    this.readers = Array.from({ length: count }, () => new Reader(startWorker()));
  }

  close(): void {
    for (const r of this.readers) r.close();
  }

  /** A whole file by one reader (readTraceFile). Throws ReaderInputError for a bad file. */
  async readFile(file: string, sink: (b: FileBatch) => void): Promise<void> {
    const r = this.readers[0];
    r.post({ type: 'file', file });
    for (;;) {
      const m = await r.nextFileMessage();
      if (m.type === 'batch') {
        const spans = r.decoder.decode(m.buffer, m.bytes, m.spans);
        r.post({ type: 'ack' });
        sink({ spans, rejected: m.rejected, errors: m.errors, format: m.format });
      } else if (m.type === 'file-done') return;
      else if (m.type === 'input-error') throw new ReaderInputError(m.message);
      else throw new Error(`trace reader thread: unexpected ${m.type}`);
    }
  }

  /**
   * A plain OTLP JSON-lines file in line-aligned pieces across the readers; batches reach `sink`
   * in file order. Throws NotPlainLines when a piece is not plain (the caller then starts over
   * reading files whole: spans already given to `sink` are not taken back).
   */
  async readLines(file: string, sink: (b: FileBatch) => void, pieceBytes = DEFAULT_PIECE_BYTES): Promise<void> {
    let fh;
    try {
      fh = await open(file, 'r');
    } catch {
      throw new NotPlainLines(file);
    }
    const inOrder: { reader: Reader; answer: Promise<FromReader> }[] = [];
    let values = 0;
    const take = async () => {
      const { reader, answer } = inOrder.shift()!;
      const m = await answer;
      if (m.type !== 'lines' || !m.plain) throw new NotPlainLines(file);
      values += m.values;
      sink({ spans: reader.decoder.decode(m.buffer, m.bytes, m.spans), rejected: m.rejected, errors: m.errors });
    };
    try {
      let carry = Buffer.alloc(0);
      let position = 0;
      let line = 1;
      let seq = 0;
      for (;;) {
        // A fresh buffer per piece: it is transferred to a reader, not copied.
        const want = Math.max(pieceBytes, carry.length);
        const buf = Buffer.from(new ArrayBuffer(carry.length + want));
        carry.copy(buf, 0);
        let bytesRead: number;
        try {
          ({ bytesRead } = await fh.read(buf, carry.length, want, position));
        } catch {
          throw new NotPlainLines(file);
        }
        position += bytesRead;
        const filled = carry.length + bytesRead;
        let end: number;
        if (bytesRead === 0) {
          if (filled === 0) break;
          end = filled;
          carry = Buffer.alloc(0);
        } else {
          const nl = buf.lastIndexOf(10, filled - 1);
          if (nl < 0) {
            if (filled > MAX_LINE_BYTES) throw new NotPlainLines(file);
            carry = buf.subarray(0, filled);
            continue;
          }
          end = nl + 1;
          carry = Buffer.from(buf.subarray(end, filled));
        }
        const firstLine = line;
        for (let i = buf.indexOf(10, 0); i >= 0 && i < end; i = buf.indexOf(10, i + 1)) line++;
        const reader = this.leastBusy();
        inOrder.push({ reader, answer: reader.piece(seq++, buf.buffer as ArrayBuffer, end, firstLine) });
        while (inOrder.length >= this.readers.length * PIECES_PER_READER) await take();
        if (bytesRead === 0) break;
      }
      while (inOrder.length > 0) await take();
    } finally {
      // Answers still owed after a failure are dropped with the pool.
      await fh.close();
    }
    // Only blank lines: readTraceFile says precisely what is wrong with such a file.
    if (values === 0) throw new NotPlainLines(file);
    sink({ spans: [], rejected: 0, errors: [], format: values > 1 ? 'otlp-json-lines' : 'otlp-json' });
  }

  private leastBusy(): Reader {
    let best = this.readers[0];
    for (const r of this.readers) if (r.outstanding < best.outstanding) best = r;
    return best;
  }
}

function startWorker(): Worker {
  return startTsWorker(new URL('./read-worker.ts', import.meta.url), {});
}
