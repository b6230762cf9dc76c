// Trace files → model Spans, streamed: OTLP JSON (one ExportTraceServiceRequest, an array of
// them, or JSON-lines as the OpenTelemetry Collector's file exporter writes), Zipkin v2 JSON and
// Jaeger JSON, optionally gzip-compressed. The file is read in chunks and split into small JSON
// units (json-file-scanner.ts), so memory follows the batch size, not the file size.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Span } from '../model/index.ts';
import { decodeJaegerTrace, looksLikeJaegerTrace } from './jaeger.ts';
import { decodeOtlpJsonTraces } from './json.ts';
import { locateJsonError, positionIn } from './json-file-errors.ts';
import { JsonPositionError, JsonStreamScanner, type JsonUnit } from './json-file-scanner.ts';
import { ReasonList, ResourceCache } from './legacy-file-common.ts';
import { decodeZipkinSpans, looksLikeZipkinSpan } from './zipkin.ts';

export type TraceFileFormat = 'otlp-json' | 'otlp-json-lines' | 'zipkin' | 'jaeger';

export interface TraceFileBatch {
  spans: Span[];
  /** Spans found but unusable (bad ids, no timestamp…), not in `spans`. */
  rejected: number;
  /** A few distinct reasons for the rejections, each naming where it happened. */
  errors: string[];
  /** What the file turned out to be (known once the first unit is read). */
  format?: TraceFileFormat;
}

export interface ReadTraceFileOptions {
  /** Called after every chunk read from disk (compressed bytes for .gz files). */
  onProgress?(bytesRead: number, totalBytes: number): void;
  /** Spans per yielded batch (default 4096): the unit of memory and of store transactions. */
  batchSize?: number;
  /** Bytes per read from disk (default 256 KiB). */
  chunkSize?: number;
  /**
   * Longest JSON-lines line parsed whole (default 64 Mi characters); a longer line is scanned
   * in pieces, split at its resourceSpans elements, so memory stays bounded either way.
   */
  maxWholeLineChars?: number;
}

/**
 * A file that cannot be read as a trace file: missing, empty, invalid or truncated JSON, or
 * JSON in no known trace format. `message` is `FILE:LINE:COLUMN: reason` when a position is known.
 */
export class TraceFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line !== undefined ? `${file}:${line}:${column ?? 1}: ${reason}` : `${file}: ${reason}`);
    this.name = 'TraceFileError';
  }
}

export const NOT_A_TRACE = 'is JSON but not a trace: expected resourceSpans (OTLP), a Zipkin span array or Jaeger data[]';

/**
 * Sniffs a format from the first bytes of a file (a few KiB are enough). Cheap and heuristic:
 * readTraceFile decides from the structure it actually reads and reports that in `format`.
 */
export function detectFormat(firstBytes: Uint8Array | string): TraceFileFormat | 'gzip' | 'empty' | 'unknown' {
  if (typeof firstBytes !== 'string' && firstBytes[0] === 0x1f && firstBytes[1] === 0x8b) return 'gzip';
  const text = (typeof firstBytes === 'string' ? firstBytes : new TextDecoder().decode(firstBytes)).replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  if (trimmed === '') return 'empty';
  const first = trimmed[0];
  const otlp = /"resource_?[sS]pans"\s*:/.test(trimmed);
  if (first === '[') {
    const zipkinAt = trimmed.search(/"traceId"\s*:/);
    const otlpAt = trimmed.search(/"resource_?[sS]pans"\s*:/);
    const jaegerAt = trimmed.search(/"traceID"\s*:/);
    const found = [
      ['otlp-json', otlpAt],
      ['zipkin', zipkinAt],
      ['jaeger', jaegerAt],
    ].filter(([, at]) => (at as number) >= 0) as [TraceFileFormat, number][];
    if (found.length === 0) return 'unknown';
    return found.sort((a, b) => a[1] - b[1])[0][0];
  }
  if (first !== '{') return 'unknown';
  if (otlp) {
    // JSON-lines: the first line is a whole request and another request follows it.
    const nl = trimmed.indexOf('\n');
    if (nl > 0 && /^\s*\{/.test(trimmed.slice(nl + 1))) {
      try {
        JSON.parse(trimmed.slice(0, nl));
        return 'otlp-json-lines';
      } catch {
        return 'otlp-json';
      }
    }
    return 'otlp-json';
  }
  if (/"data"\s*:\s*\[/.test(trimmed) || /"traceID"\s*:/.test(trimmed)) return 'jaeger';
  if (/"traceId"\s*:/.test(trimmed) && /"id"\s*:/.test(trimmed)) return 'zipkin';
  return 'unknown';
}

const ZIPKIN_CHUNK = 2048;
const DEFAULT_MAX_WHOLE_LINE_CHARS = 64 * 1024 * 1024;

/**
 * Streams the spans of one trace file in batches. Throws TraceFileError for a file that cannot
 * be read as a trace (batches already yielded stay valid: a truncated JSON-lines file yields
 * every complete request before the error). Spans that are unusable are counted, not thrown.
 */
export async function* readTraceFile(path: string, opts: ReadTraceFileOptions = {}): AsyncGenerator<TraceFileBatch> {
  const batchSize = opts.batchSize ?? 4096;
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new TraceFileError(path, err.code === 'ENOENT' ? 'no such file' : `cannot read: ${err.message}`);
  });
  if (info.isDirectory()) throw new TraceFileError(path, 'is a directory, not a trace file');
  const total = info.size;
  if (total === 0) throw new TraceFileError(path, 'is empty: expected OTLP JSON, JSON-lines, Zipkin v2 JSON or Jaeger JSON');

  const gzip = await startsWithGzipMagic(path);
  const reader = new TraceUnitReader(path, opts.maxWholeLineChars);
  const raw = createReadStream(path, { highWaterMark: opts.chunkSize ?? 256 * 1024 });
  let bytesRead = 0;
  let source: AsyncIterable<Buffer> = raw;
  if (gzip) {
    // Progress counts compressed bytes (what the file size means); a read error ends the inflate.
    const gunzip = createGunzip();
    raw.on('data', (b: string | Buffer) => {
      bytesRead += b.length;
    });
    raw.once('error', (err) => gunzip.destroy(err));
    source = raw.pipe(gunzip);
  }
  const decoder = new TextDecoder('utf-8', { fatal: false });
  try {
    for await (const chunk of source) {
      if (!gzip) bytesRead += chunk.length;
      reader.push(decoder.decode(chunk, { stream: true }));
      opts.onProgress?.(bytesRead, total);
      if (reader.pending >= batchSize) yield reader.takeBatch();
    }
    reader.push(decoder.decode());
    reader.end();
    yield reader.takeBatch();
  } catch (err) {
    if (err instanceof TraceFileError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR') throw new TraceFileError(path, `is not valid gzip: ${e.message}`);
    // I/O failures (EIO, EACCES…) are about the file; anything else is a bug and stays one.
    if (typeof e.code === 'string') throw new TraceFileError(path, `cannot read: ${e.message}`);
    throw err;
  } finally {
    raw.destroy();
  }
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const fh = await open(path, 'r').catch((err: NodeJS.ErrnoException) => {
    throw new TraceFileError(path, `cannot read: ${err.message}`);
  });
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

type Kind = 'otlp' | 'zipkin' | 'jaeger';

/** What one top-level value is turning out to be. */
interface TopValue {
  container: 'object' | 'array';
  line: number;
  column: number;
  /** Set once a unit of a known format was seen. */
  kind?: Kind;
  /** Members of a top-level object that is not split (a bare Jaeger trace, a single Zipkin span). */
  members?: Record<string, unknown>;
  /** Count of OTLP metrics/logs units, to say why a file without spans has none. */
  otherSignals: number;
  elementIndex: number;
}

/** Turns scanner units into decoded spans; holds at most one batch plus one Zipkin chunk. */
class TraceUnitReader {
  private readonly scanner = new JsonStreamScanner();
  private readonly resources = new ResourceCache();
  private spans: Span[] = [];
  private rejected = 0;
  private reasons = new ReasonList();
  private zipkin: unknown[] = [];
  private top: TopValue | undefined;
  private format: TraceFileFormat | undefined;
  private sawTraceContent = false;
  private sawOtherSignals = 0;
  /** The current line, while it may still be read whole (see push). */
  private lineBuf = '';
  /** The current line is being fed to the scanner. */
  private lineToScanner = false;

  constructor(
    private readonly file: string,
    private readonly maxWholeLineChars = DEFAULT_MAX_WHOLE_LINE_CHARS,
  ) {}

  get pending(): number {
    return this.spans.length + this.zipkin.length;
  }

  /**
   * JSON-lines fast path: a line that starts a top-level value, begins with '{' and ends with
   * '}' is usually one whole OTLP request, and one JSON.parse of it is cheaper than scanning
   * it character by character (about a third less CPU per span). Anything else (pretty-printed JSON, a line that does not parse,
   * a line longer than maxWholeLineChars) goes through the scanner, which splits it into small
   * units and knows exact error positions.
   */
  push(text: string): void {
    let from = 0;
    while (from < text.length) {
      const nl = text.indexOf('\n', from);
      const piece = nl < 0 ? text.slice(from) : text.slice(from, nl);
      if (this.lineToScanner) {
        this.scan(nl < 0 ? piece : `${piece}\n`);
      } else if (nl < 0) {
        this.lineBuf += piece;
        if (this.lineBuf.length > this.maxWholeLineChars) {
          this.lineToScanner = true;
          const line = this.lineBuf;
          this.lineBuf = '';
          this.scan(line);
        }
      } else {
        const line = this.lineBuf + piece;
        this.lineBuf = '';
        this.completeLine(line, true);
      }
      if (nl < 0) break;
      from = nl + 1;
      this.lineToScanner = !this.scanner.atTop;
    }
  }

  private completeLine(line: string, newline: boolean): void {
    const t = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (t.length > 1 && t.charCodeAt(0) === 123 /* { */ && t.charCodeAt(t.length - 1) === 125 /* } */) {
      let value: unknown;
      try {
        value = JSON.parse(t);
      } catch {
        value = undefined;
      }
      // Only OTLP requests take the fast path; anything else is scanned for exact positions.
      if (isRecord(value) && ('resourceSpans' in value || 'resource_spans' in value)) {
        const at = this.scanner.position.line;
        this.wholeRequest(value, at, this.scanner.skipLine(line.length));
        return;
      }
    }
    this.scan(newline ? `${line}\n` : line);
  }

  /** An OTLP request read whole by the JSON-lines fast path. */
  private wholeRequest(value: Record<string, unknown>, line: number, index: number): void {
    this.unit({ type: 'top-start', container: 'object', line, column: 1, index });
    const top = this.top!;
    top.kind = 'otlp';
    this.noteFormat('otlp-json');
    this.sawTraceContent = true;
    this.addOtlp(value, `line ${line}`);
    this.endTop();
  }

  private scan(text: string): void {
    try {
      this.scanner.push(text);
    } catch (err) {
      this.drain();
      throw this.positioned(err);
    }
    this.drain();
  }

  end(): void {
    if (this.lineBuf !== '') {
      const line = this.lineBuf;
      this.lineBuf = '';
      this.completeLine(line, false);
    }
    try {
      this.scanner.end();
    } catch (err) {
      this.drain();
      throw this.positioned(err);
    }
    this.drain();
    this.flushZipkin();
    if (this.scanner.topLevelValues === 0) {
      throw new TraceFileError(this.file, 'contains no JSON (only whitespace): expected OTLP JSON, JSON-lines, Zipkin v2 JSON or Jaeger JSON');
    }
    if (!this.sawTraceContent && this.sawOtherSignals > 0) {
      throw new TraceFileError(this.file, 'holds OTLP metrics or logs (resourceMetrics/resourceLogs), not traces', 1, 1);
    }
  }

  takeBatch(): TraceFileBatch {
    if (this.zipkin.length > 0) this.flushZipkin();
    const batch: TraceFileBatch = { spans: this.spans, rejected: this.rejected, errors: this.reasons.reasons };
    if (this.format) batch.format = this.format;
    this.spans = [];
    this.rejected = 0;
    this.reasons = new ReasonList();
    return batch;
  }

  private positioned(err: unknown): unknown {
    if (err instanceof JsonPositionError) return new TraceFileError(this.file, err.reason, err.line, err.column);
    return err;
  }

  private drain(): void {
    for (const unit of this.scanner.take()) this.unit(unit);
  }

  private unit(u: JsonUnit): void {
    if (u.type === 'top-start') {
      this.top = { container: u.container, line: u.line, column: u.column, otherSignals: 0, elementIndex: 0 };
      if (u.index === 1 && this.format === 'otlp-json') this.format = 'otlp-json-lines';
      return;
    }
    if (u.type === 'top-end') {
      this.endTop();
      return;
    }
    const value = this.parse(u.text, u.line, u.column);
    const top = this.top;
    if (u.where === 'top' || !top) {
      throw this.notATrace(u.line, u.column, `found ${describeValue(value)}`);
    }
    if (u.where === 'element') {
      this.element(top, value, u.line, u.column);
    } else if (u.where === 'member-element') {
      this.memberElement(top, u.key ?? '', value, u.line, u.column);
    } else {
      (top.members ??= {})[u.key ?? ''] = value;
    }
  }

  private parse(text: string, line: number, column: number): unknown {
    try {
      return JSON.parse(text);
    } catch {
      const problem = locateJsonError(text);
      if (!problem) throw new TraceFileError(this.file, 'invalid JSON', line, column);
      const at = positionIn(text, problem.offset, line, column);
      throw new TraceFileError(this.file, problem.reason, at.line, at.column);
    }
  }

  /** An element of a top-level array: OTLP requests, Zipkin spans or Jaeger traces. */
  private element(top: TopValue, value: unknown, line: number, column: number): void {
    const index = top.elementIndex++;
    if (!top.kind) {
      if (isRecord(value) && ('resourceSpans' in value || 'resource_spans' in value)) top.kind = 'otlp';
      else if (looksLikeZipkinV1Span(value)) {
        throw new TraceFileError(this.file, 'is Zipkin v1 JSON (binaryAnnotations, endpoints on annotations), which is not supported: export Zipkin v2 JSON (/api/v2/traces) instead', line, column);
      } else if (looksLikeZipkinSpan(value)) top.kind = 'zipkin';
      else if (looksLikeJaegerTrace(value)) top.kind = 'jaeger';
      else if (isRecord(value) && ('resourceMetrics' in value || 'resourceLogs' in value)) {
        this.sawOtherSignals++;
        return;
      } else {
        throw this.notATrace(line, column, `element ${index} is ${describeValue(value)}`);
      }
      this.noteFormat(top.kind === 'otlp' ? 'otlp-json' : top.kind);
    }
    this.sawTraceContent = true;
    if (top.kind === 'zipkin') {
      this.zipkin.push(value);
      if (this.zipkin.length >= ZIPKIN_CHUNK) this.flushZipkin();
    } else if (top.kind === 'jaeger') {
      this.addJaeger(value, `trace ${index} at ${line}:${column}`);
    } else {
      this.addOtlp(value, `request ${index} at ${line}:${column}`);
    }
  }

  /** An element of `resourceSpans` (OTLP) or `data` (Jaeger) of a top-level object. */
  private memberElement(top: TopValue, key: string, value: unknown, line: number, column: number): void {
    const where = `${key}[${top.elementIndex++}] at ${line}:${column}`;
    if (key === 'resourceSpans' || key === 'resource_spans') {
      top.kind = 'otlp';
      this.noteFormat('otlp-json');
      this.sawTraceContent = true;
      this.addOtlp({ resourceSpans: [value] }, where);
    } else if (key === 'data') {
      if (!looksLikeJaegerTrace(value)) throw this.notATrace(line, column, `data[] holds ${describeValue(value)}, not Jaeger traces`);
      top.kind = 'jaeger';
      this.noteFormat('jaeger');
      this.sawTraceContent = true;
      this.addJaeger(value, where);
    } else {
      // resourceMetrics / resourceLogs: another signal, skipped (counted to explain an empty result).
      top.otherSignals++;
      this.sawOtherSignals++;
    }
  }

  private endTop(): void {
    const top = this.top;
    this.top = undefined;
    if (!top || top.kind || top.otherSignals > 0) return;
    if (top.container === 'array') {
      // `[]`: a valid, empty span list (what Zipkin's API answers for no results).
      return;
    }
    const members = top.members ?? {};
    if (looksLikeJaegerTrace(members)) {
      this.noteFormat('jaeger');
      this.sawTraceContent = true;
      this.addJaeger(members, `trace at ${top.line}:${top.column}`);
    } else if (looksLikeZipkinSpan(members)) {
      this.noteFormat('zipkin');
      this.sawTraceContent = true;
      this.zipkin.push(members);
    } else if ('resourceSpans' in members || 'resource_spans' in members) {
      // resourceSpans present but not an array: let the OTLP decoder say what is wrong.
      this.noteFormat('otlp-json');
      this.addOtlp(members, `request at ${top.line}:${top.column}`);
    } else {
      const keys = Object.keys(members);
      throw this.notATrace(top.line, top.column, keys.length ? `found an object with keys ${keys.slice(0, 6).join(', ')}` : 'found an empty object');
    }
  }

  private noteFormat(f: TraceFileFormat): void {
    if (!this.format) this.format = this.scanner.topLevelValues > 1 && f === 'otlp-json' ? 'otlp-json-lines' : f;
  }

  private addOtlp(body: unknown, where: string): void {
    this.rejected += addOtlpRequest(body, where, this.spans, this.reasons);
  }

  private addJaeger(trace: unknown, where: string): void {
    const r = decodeJaegerTrace(trace, { resources: this.resources });
    for (const s of r.items) this.spans.push(s);
    this.rejected += r.rejected;
    for (const e of r.errors) this.reasons.add(`${where}: ${e}`);
  }

  private flushZipkin(): void {
    if (this.zipkin.length === 0) return;
    const r = decodeZipkinSpans(this.zipkin, { resources: this.resources });
    this.zipkin = [];
    for (const s of r.items) this.spans.push(s);
    this.rejected += r.rejected;
    for (const e of r.errors) this.reasons.add(e);
  }

  private notATrace(line: number, column: number, found: string): TraceFileError {
    return new TraceFileError(this.file, `${basename(this.file)} ${NOT_A_TRACE} (${found})`, line, column);
  }
}

/**
 * Decodes one OTLP trace request into `spans`; rejection reasons go to `reasons`, prefixed with
 * `where`. Returns how many spans were rejected (a malformed request rejects all of its spans).
 */
export function addOtlpRequest(body: unknown, where: string, spans: Span[], reasons: ReasonList): number {
  const r = decodeOtlpJsonTraces(body);
  for (const s of r.items) spans.push(s);
  if (r.fatal) {
    reasons.add(`${where}: ${r.fatal}`);
    return countOtlpSpans(body);
  }
  for (const e of r.errors) reasons.add(`${where}: ${e}`);
  return r.rejected;
}

/** Zipkin v1 spans carry binaryAnnotations and put endpoints on each annotation; v2 has neither. */
function looksLikeZipkinV1Span(v: unknown): boolean {
  if (!isRecord(v) || typeof v.traceId !== 'string') return false;
  if (Array.isArray(v.binaryAnnotations)) return true;
  return Array.isArray(v.annotations) && v.annotations.some((a) => isRecord(a) && isRecord(a.endpoint));
}

function countOtlpSpans(body: unknown): number {
  let n = 0;
  const rss = isRecord(body) ? (body.resourceSpans ?? body.resource_spans) : undefined;
  if (!Array.isArray(rss)) return 1;
  for (const rs of rss) {
    const scopes = isRecord(rs) ? (rs.scopeSpans ?? rs.scope_spans) : undefined;
    if (!Array.isArray(scopes)) continue;
    for (const ss of scopes) if (isRecord(ss) && Array.isArray(ss.spans)) n += ss.spans.length;
  }
  return Math.max(n, 1);
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (isRecord(v)) {
    const keys = Object.keys(v);
    return keys.length ? `an object with keys ${keys.slice(0, 6).join(', ')}` : 'an empty object';
  }
  return `a ${typeof v} ${JSON.stringify(v).slice(0, 40)}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
