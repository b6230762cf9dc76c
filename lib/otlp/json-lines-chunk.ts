// A piece of an OTLP JSON-lines file (whole lines only) → spans, for readers that split one file
// between threads. Only the plain case is handled here: every non-blank line one complete OTLP
// trace request. Anything else (a line that does not parse, another signal, pretty-printed JSON)
// answers `plain: false`, and the caller reads the file with readTraceFile, which knows every
// format and gives exact error positions. For plain files both give the same spans, rejection
// counts and `line N` reasons.
import { isAscii } from 'node:buffer';
import type { Span } from '../model/index.ts';
import { addOtlpRequest } from './files.ts';
import { ReasonList } from './legacy-file-common.ts';

export interface JsonLinesChunk {
  /** False: this piece is not plain OTLP JSON-lines; nothing else in the result is meaningful. */
  plain: boolean;
  rejected: number;
  errors: string[];
  /** Non-blank lines (top-level values) in the piece. */
  values: number;
}

const NOT_PLAIN: JsonLinesChunk = Object.freeze({ plain: false, rejected: 0, errors: [], values: 0 }) as JsonLinesChunk;

/**
 * Decodes the whole lines in `bytes` (the piece ends at a line end or at the end of the file);
 * `firstLine` is the 1-based number of its first line in the file. Spans go to `onSpans` line
 * by line, so a caller that passes them on at once keeps few of them alive (less GC copying).
 * After a `plain: false` answer, spans already given for this piece must be discarded.
 */
export function decodeJsonLinesChunk(bytes: Uint8Array, firstLine: number, onSpans: (spans: Span[]) => void): JsonLinesChunk {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reasons = new ReasonList();
  let rejected = 0;
  let values = 0;
  let line = firstLine;
  let at = 0;
  // A byte-order mark starts the file, not a line (TextDecoder drops it the same way).
  if (firstLine === 1 && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) at = 3;
  while (at < buf.length) {
    let nl = buf.indexOf(10, at);
    if (nl < 0) nl = buf.length;
    let end = nl;
    if (end > at && buf[end - 1] === 13) end--;
    if (end > at && !isBlank(buf, at, end)) {
      if (buf[at] !== 123 /* { */ || buf[end - 1] !== 125 /* } */) return NOT_PLAIN;
      const piece = buf.subarray(at, end);
      // One-byte strings for ASCII lines: no UTF-8 decoding, half the memory of two-byte ones.
      const text = isAscii(piece) ? piece.toString('latin1') : piece.toString('utf8');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return NOT_PLAIN;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value) || !('resourceSpans' in value || 'resource_spans' in value)) return NOT_PLAIN;
      values++;
      const spans: Span[] = [];
      rejected += addOtlpRequest(value, `line ${line}`, spans, reasons);
      onSpans(spans);
    }
    line++;
    at = nl + 1;
  }
  return { plain: true, rejected, errors: reasons.reasons, values };
}

function isBlank(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
