// Messages between analyzeFiles and its reader threads (read-worker.ts). Spans travel as
// span-codec.ts buffers, transferred, never cloned.

/** Encoded spans: `spans` spans in the first `bytes` bytes of `buffer` (a SpanEncoder batch). */
export interface EncodedSpans {
  buffer: ArrayBuffer;
  bytes: number;
  spans: number;
}

export type ToReader =
  /** Read a whole file with readTraceFile and post its batches. */
  | { type: 'file'; file: string }
  /** One batch of the current file was taken in: the reader may post another. */
  | { type: 'ack' }
  /** Whole lines of an OTLP JSON-lines file: `bytes` bytes of `buffer`, starting at line `firstLine`. */
  | { type: 'lines'; seq: number; buffer: ArrayBuffer; bytes: number; firstLine: number };

export type FromReader =
  | ({ type: 'batch'; rejected: number; errors: string[]; format?: string } & EncodedSpans)
  | { type: 'file-done' }
  /** A TraceFileError: FILE:LINE:COLUMN: reason. */
  | { type: 'input-error'; message: string }
  | { type: 'failure'; message: string }
  /** The answer to `lines`; `plain: false` means the piece is not plain OTLP JSON-lines. */
  | ({ type: 'lines'; seq: number; plain: boolean; rejected: number; errors: string[]; values: number } & EncodedSpans);
