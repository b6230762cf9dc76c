import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTraceFile, type ReadTraceFileOptions, type TraceFileBatch } from '../../lib/otlp/files.ts';
import type { Span } from '../../lib/model/index.ts';
import { ZIPKIN_FIXTURES } from '../shared.ts';

export const FIXTURES = ZIPKIN_FIXTURES;

export interface ReadAll {
  spans: Span[];
  rejected: number;
  errors: string[];
  format?: string;
  batches: number;
}

export async function readAll(path: string, opts?: ReadTraceFileOptions): Promise<ReadAll> {
  const out: ReadAll = { spans: [], rejected: 0, errors: [], batches: 0 };
  for await (const b of readTraceFile(path, opts) as AsyncIterable<TraceFileBatch>) {
    out.batches++;
    out.spans.push(...b.spans);
    out.rejected += b.rejected;
    out.errors.push(...b.errors);
    out.format = b.format ?? out.format;
  }
  return out;
}

/** Reads a file expecting a TraceFileError; returns its message. */
export async function readError(path: string, opts?: ReadTraceFileOptions): Promise<string> {
  try {
    await readAll(path, opts);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${path} was read without an error`);
}

export function tempDir(): { dir: string; file(name: string, content: string | Uint8Array): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-import-'));
  return {
    dir,
    file(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
