// Trace files → one streaming Analyzer: every file is read in batches and fed straight in, so
// memory holds the compact spans the analysis needs, never a file's text. Small inputs are read
// on this thread (readTraceFile); big ones by reader threads (reader-pool.ts) while this thread
// analyzes.
import { Analyzer, type FullAnalysis } from '../../analysis/analyze.ts';
import type { FaultlineConfig } from '../../analysis/findings/index.ts';
import { readTraceFile, TraceFileError } from '../../otlp/files.ts';
import { open, stat } from 'node:fs/promises';
import type { Span } from '../../model/index.ts';
import type { ReportInput } from '../types.ts';
import { expandGlob, hasGlob } from './glob.ts';
import { defaultReaderCount, NotPlainLines, ReaderInputError, ReaderPool, type FileBatch } from './reader-pool.ts';

/** Below this much input, a reader thread costs more to start than it saves. */
export const READER_THREAD_MIN_BYTES = 32 * 1024 * 1024;

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** Patterns → files, in the order given; a pattern that matches nothing is an input error. */
export async function resolveInputs(patterns: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const p of patterns) {
    if (!hasGlob(p)) {
      files.push(p);
      continue;
    }
    const matched = await expandGlob(p);
    if (matched.length === 0) throw new InputError(`--input ${p}: no file matches this pattern`);
    files.push(...matched);
  }
  return [...new Set(files)];
}

export interface AnalyzeFilesResult {
  analysis: FullAnalysis;
  inputs: ReportInput[];
  /** A few reasons spans were rejected, per file. */
  rejections: string[];
  /** How each input was read, in input order: on this thread, in pieces by reader threads, or whole by one. */
  howRead: ('in-thread' | 'pieces' | 'whole')[];
}

export interface AnalyzeFilesOptions {
  now: number;
  config: FaultlineConfig;
  /**
   * Parse on other threads while this one analyzes: `auto` (default) when the files hold at
   * least READER_THREAD_MIN_BYTES, `always`, or `never`. Same result either way.
   */
  readerThread?: 'auto' | 'always' | 'never';
  /** Reader threads for OTLP JSON-lines files (default: defaultReaderCount()). */
  readers?: number;
  /** Bytes per JSON-lines piece handed to a reader (tests make it small to get many pieces). */
  pieceBytes?: number;
}

/** Collects per-file counts while batches stream into the analyzer. */
class Intake {
  readonly analyzer: Analyzer;
  readonly inputs: ReportInput[];
  readonly rejections: string[] = [];
  readonly howRead: AnalyzeFilesResult['howRead'];
  constructor(files: readonly string[], opts: AnalyzeFilesOptions) {
    this.analyzer = new Analyzer({ now: opts.now, config: opts.config });
    this.inputs = files.map((source) => ({ source, format: 'unknown', spans: 0, rejected: 0 }));
    this.howRead = files.map(() => 'in-thread');
  }
  add(file: string, b: { spans: Span[]; rejected: number; errors: string[]; format?: string }): void {
    const input = this.inputs.find((i) => i.source === file)!;
    if (b.format) input.format = b.format;
    input.spans += b.spans.length;
    input.rejected += b.rejected;
    for (const e of b.errors) if (this.rejections.length < 10) this.rejections.push(`${file}: ${e}`);
    this.analyzer.add(b.spans);
  }
  finish(): AnalyzeFilesResult {
    return { analysis: this.analyzer.finish(), inputs: this.inputs, rejections: this.rejections, howRead: this.howRead };
  }
}

export async function analyzeFiles(files: readonly string[], opts: AnalyzeFilesOptions): Promise<AnalyzeFilesResult> {
  const mode = opts.readerThread ?? 'auto';
  if (mode === 'always' || (mode === 'auto' && (await totalBytes(files)) >= READER_THREAD_MIN_BYTES)) {
    try {
      return await analyzeWithReaders(files, opts, true);
    } catch (err) {
      // A file that looked like JSON-lines and is not: start over, every file read whole.
      if (err instanceof NotPlainLines) return analyzeWithReaders(files, opts, false);
      throw err;
    }
  }
  const intake = new Intake(files, opts);
  for (const file of files) {
    try {
      for await (const batch of readTraceFile(file)) intake.add(file, batch);
    } catch (err) {
      // A truncated or invalid file fails the whole report: a gate must not pass on half the data.
      if (err instanceof TraceFileError) throw new InputError(err.message);
      throw err;
    }
  }
  return intake.finish();
}

async function totalBytes(files: readonly string[]): Promise<number> {
  let n = 0;
  for (const f of files) n += await stat(f).then((s) => s.size, () => 0);
  return n;
}

/**
 * Plain OTLP JSON-lines, by its first bytes (an OTLP request whose first line is one whole
 * object, or longer than the look): read in pieces on several readers, else whole on one.
 */
async function looksLikeJsonLines(file: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(file, 'r');
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const text = head.toString('latin1', 0, bytesRead).replace(/^\xef\xbb\xbf/, '');
    const nl = text.indexOf('\n');
    const first = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '');
    return first.startsWith('{') && (nl < 0 || first.endsWith('}')) && /"resource_?[sS]pans"\s*:/.test(text);
  } catch {
    return false;
  } finally {
    await fh?.close();
  }
}

async function analyzeWithReaders(files: readonly string[], opts: AnalyzeFilesOptions, pieces: boolean): Promise<AnalyzeFilesResult> {
  const intake = new Intake(files, opts);
  const pool = new ReaderPool(pieces ? (opts.readers ?? defaultReaderCount()) : 1);
  try {
    for (const [i, file] of files.entries()) {
      const sink = (b: FileBatch) => intake.add(file, b);
      if (pieces && (await looksLikeJsonLines(file))) {
        intake.howRead[i] = 'pieces';
        await pool.readLines(file, sink, opts.pieceBytes);
      } else {
        intake.howRead[i] = 'whole';
        await pool.readFile(file, sink);
      }
    }
  } catch (err) {
    if (err instanceof ReaderInputError) throw new InputError(err.message);
    throw err;
  } finally {
    pool.close();
  }
  return intake.finish();
}
