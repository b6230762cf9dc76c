// Messages between analyzeFiles and its reader thread (read-worker.ts).
import type { Span } from '../../model/index.ts';

export type FromReader =
  | { type: 'batch'; file: string; spans: Span[]; rejected: number; errors: string[]; format?: string }
  | { type: 'done' }
  /** A TraceFileError: FILE:LINE:COLUMN: reason. */
  | { type: 'input-error'; message: string }
  | { type: 'failure'; message: string };

export type ToReader = { type: 'ack' };
