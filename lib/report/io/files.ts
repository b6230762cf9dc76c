// Trace files → one streaming Analyzer: every file is read in batches (readTraceFile) and fed
// straight in, so memory holds the compact spans the analysis needs, never a file's text.
import { Analyzer, type FullAnalysis } from '../../analysis/analyze.ts';
import type { FaultlineConfig } from '../../analysis/findings/index.ts';
import { readTraceFile, TraceFileError } from '../../otlp/files.ts';
import type { ReportInput } from '../types.ts';
import { expandGlob, hasGlob } from './glob.ts';

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

export async function analyzeFiles(
  files: readonly string[],
  opts: { now: number; config: FaultlineConfig; onProgress?: (file: string, bytesRead: number, totalBytes: number) => void },
): Promise<AnalyzeFilesResult> {
  const analyzer = new Analyzer({ now: opts.now, config: opts.config });
  const inputs: ReportInput[] = [];
  const rejections: string[] = [];
  for (const file of files) {
    const input: ReportInput = { source: file, format: 'unknown', spans: 0, rejected: 0 };
    inputs.push(input);
    try {
      for await (const batch of readTraceFile(file, { onProgress: opts.onProgress ? (r, t) => opts.onProgress!(file, r, t) : undefined })) {
        if (batch.format) input.format = batch.format;
        input.spans += batch.spans.length;
        input.rejected += batch.rejected;
        for (const e of batch.errors) if (rejections.length < 10) rejections.push(`${file}: ${e}`);
        analyzer.add(batch.spans);
      }
    } catch (err) {
      // A truncated or invalid file fails the whole report: a gate must not pass on half the data.
      if (err instanceof TraceFileError) throw new InputError(err.message);
      throw err;
    }
  }
  return { analysis: analyzer.finish(), inputs, rejections };
}
