// Trace files → one streaming Analyzer: every file is read in batches (readTraceFile) and fed
// straight in, so memory holds the compact spans the analysis needs, never a file's text.
import { Analyzer, type FullAnalysis } from '../../analysis/analyze.ts';
import type { FaultlineConfig } from '../../analysis/findings/index.ts';
import { readTraceFile, TraceFileError } from '../../otlp/files.ts';
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { Span } from '../../model/index.ts';
import type { ReportInput } from '../types.ts';
import { expandGlob, hasGlob } from './glob.ts';
import type { FromReader, ToReader } from './read-protocol.ts';

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
}

export interface AnalyzeFilesOptions {
  now: number;
  config: FaultlineConfig;
  /**
   * Parse on a second thread while this one analyzes: `auto` (default) when the files hold at
   * least READER_THREAD_MIN_BYTES, `always`, or `never`. Same result either way.
   */
  readerThread?: 'auto' | 'always' | 'never';
}

/** Collects per-file counts while batches stream into the analyzer. */
class Intake {
  readonly analyzer: Analyzer;
  readonly inputs: ReportInput[];
  readonly rejections: string[] = [];
  constructor(files: readonly string[], opts: AnalyzeFilesOptions) {
    this.analyzer = new Analyzer({ now: opts.now, config: opts.config });
    this.inputs = files.map((source) => ({ source, format: 'unknown', spans: 0, rejected: 0 }));
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
    return { analysis: this.analyzer.finish(), inputs: this.inputs, rejections: this.rejections };
  }
}

export async function analyzeFiles(files: readonly string[], opts: AnalyzeFilesOptions): Promise<AnalyzeFilesResult> {
  const mode = opts.readerThread ?? 'auto';
  if (mode === 'always' || (mode === 'auto' && (await totalBytes(files)) >= READER_THREAD_MIN_BYTES)) return analyzeWithReaderThread(files, opts);
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

function analyzeWithReaderThread(files: readonly string[], opts: AnalyzeFilesOptions): Promise<AnalyzeFilesResult> {
  const intake = new Intake(files, opts);
  const worker = new Worker(new URL('./ts-worker-boot.mjs', import.meta.url), {
    workerData: { entry: new URL('./read-worker.ts', import.meta.url).href, files: [...files] },
    // The boot file registers the TypeScript loader; the parent's loader flags would fail in a worker.
    execArgv: process.execArgv.filter((a) => !a.includes('tsx') && a !== '--import' && a !== '--require'),
  });
  return new Promise<AnalyzeFilesResult>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      fn();
    };
    worker.on('message', (m: FromReader) => {
      if (m.type === 'batch') {
        try {
          intake.add(m.file, m);
        } catch (err) {
          settle(() => reject(err));
          return;
        }
        worker.postMessage({ type: 'ack' } satisfies ToReader);
      } else if (m.type === 'done') {
        settle(() => {
          try {
            resolve(intake.finish());
          } catch (err) {
            reject(err as Error);
          }
        });
      } else if (m.type === 'input-error') settle(() => reject(new InputError(m.message)));
      else settle(() => reject(new Error(`trace reader thread failed: ${m.message}`)));
    });
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) => settle(() => reject(new Error(`trace reader thread exited with code ${code} before finishing`))));
  });
}
