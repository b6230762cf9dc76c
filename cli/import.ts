// `faultline import FILE…`: streams trace files into the store, one transaction per batch.
// A file that cannot be read is reported with its position and the others still import.
import { basename } from 'node:path';
import { stringOption, UsageError } from './args.ts';
import type { Command } from './command.ts';
import { absoluteDbUrl } from './db-url.ts';
import type { CliIo } from './io.ts';
import { ImportProgress } from './progress.ts';

/** What a collector keeps by default (collector/index.ts DEFAULT_RETENTION_MS), for the note below. */
const DEFAULT_RETENTION_DAYS = 7;

interface FileOutcome {
  file: string;
  format?: string;
  spansRead: number;
  stored: number;
  duplicates: number;
  rejected: number;
  reasons: string[];
  /** Why the file stopped early (TraceFileError message: FILE:LINE:COLUMN: reason). */
  failure?: string;
}

const MAX_REASONS_SHOWN = 5;

export const importCommand: Command = {
  name: 'import',
  summary: 'load trace files (OTLP JSON / JSON-lines, Zipkin v2, Jaeger JSON) into the store',
  allowPositionals: true,
  options: {
    db: { type: 'string' },
  },
  help: `Usage: faultline import FILE… [--db URL]

Loads trace files into the store, streaming them (files of any size, in bounded memory):
  - OTLP JSON: one ExportTraceServiceRequest, an array of them, or JSON-lines with one
    request per line (what the OpenTelemetry Collector's file exporter writes)
  - Zipkin v2 JSON: an array of spans (zipkin-lens download, /api/v2/trace/{id})
  - Jaeger JSON: the UI's "Download JSON" ({"data": [trace…]}) or one {traceID, spans, processes}
Files may be gzip-compressed. The format is recognised from the content.

Spans already stored (same trace id, span id and kind) are skipped, so importing a file
twice stores it once. A file that is missing, empty, truncated, invalid JSON or not a trace
is reported as FILE:LINE:COLUMN: reason; the other files still import.

Options:
  --db URL    where to store: a file path or file: URL (SQLite), or postgresql://…
              (default ./data/faultline.db)
  -h, --help  show this help

Environment:
  FAULTLINE_DB  default for --db

Progress goes to stderr (a bar on a terminal, a line every few seconds otherwise); the
summary goes to stdout.

Exit codes: 0 every file imported (some spans may be rejected; the summary says why),
            1 the database failed (or a bug), 2 usage error or at least one file could not be read.

Examples:
  faultline import traces.json
  faultline import --db file:/tmp/ci.db otel-export.jsonl zipkin/*.json jaeger-trace.json
`,
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new UsageError('import needs at least one FILE; see faultline import --help');
    const { resolveDbUrl, openStore } = await import('../lib/store/index.ts');
    const { readTraceFile, TraceFileError } = await import('../lib/otlp/files.ts');
    const dbUrl = absoluteDbUrl(resolveDbUrl(stringOption(values.db)));
    let store: ReturnType<typeof openStore>;
    try {
      store = openStore(dbUrl);
    } catch (err) {
      io.err(`faultline import: cannot open the database ${dbUrl}: ${(err as Error).message}\n`);
      return 1;
    }
    const progress = new ImportProgress(io);
    const started = performance.now();
    const retentionCutoffNs = BigInt(Date.now() - DEFAULT_RETENTION_DAYS * 86_400_000) * 1_000_000n;
    let olderThanRetention = 0;
    const outcomes: FileOutcome[] = [];
    let storeFailure: string | undefined;
    let unexpected: unknown;
    try {
      for (const file of positionals) {
        const o: FileOutcome = { file, spansRead: 0, stored: 0, duplicates: 0, rejected: 0, reasons: [] };
        outcomes.push(o);
        progress.startFile();
        try {
          for await (const batch of readTraceFile(file, { onProgress: (read, total) => progress.update(basename(file), read, total, o.spansRead) })) {
            if (batch.format) o.format = batch.format;
            o.spansRead += batch.spans.length;
            o.rejected += batch.rejected;
            for (const r of batch.errors) if (o.reasons.length < MAX_REASONS_SHOWN && !o.reasons.includes(r)) o.reasons.push(r);
            if (batch.spans.length === 0) continue;
            for (const span of batch.spans) if (span.endNs < retentionCutoffNs) olderThanRetention++;
            try {
              const w = store.writeBatch({ spans: batch.spans, metrics: [], logs: [] });
              o.stored += w.spansInserted;
              o.duplicates += w.spansDuplicate;
            } catch (err) {
              storeFailure = `${file}: the database refused a batch: ${(err as Error).message}`;
              throw err;
            }
          }
        } catch (err) {
          if (err instanceof TraceFileError) o.failure = err.message;
          else if (storeFailure) break;
          else {
            // Not a property of the file: a bug. Stop, say so, exit 1 after the summary.
            o.failure = `${file}: internal error while importing`;
            unexpected = err;
            break;
          }
        }
      }
    } finally {
      progress.clear();
      store.close();
    }
    printSummary(io, outcomes, dbUrl, (performance.now() - started) / 1000);
    if (olderThanRetention > 0) {
      io.out(
        `Note: ${plural(olderThanRetention, 'span')} ended more than ${DEFAULT_RETENTION_DAYS} days ago. A collector deletes data older than its ` +
          `--retention (default ${DEFAULT_RETENTION_DAYS}d) soon after it starts; to keep them, run it with --retention 0 ` +
          `(faultline serve --retention 0) or a longer age.\n`,
      );
    }
    if (unexpected !== undefined) {
      io.err(`faultline import: unexpected failure: ${(unexpected as Error).stack ?? String(unexpected)}\n`);
      return 1;
    }
    if (storeFailure) {
      io.err(`faultline import: ${storeFailure}\n`);
      return 1;
    }
    return outcomes.some((o) => o.failure) ? 2 : 0;
  },
};

function printSummary(io: CliIo, outcomes: FileOutcome[], dbUrl: string, seconds: number): void {
  const sum = (f: (o: FileOutcome) => number) => outcomes.reduce((n, o) => n + f(o), 0);
  const failed = outcomes.filter((o) => o.failure).length;
  const read = sum((o) => o.spansRead);
  const lines: string[] = [];
  for (const o of outcomes) {
    const counts = `${plural(o.spansRead, 'span')}${o.format ? ` (${o.format})` : ''}: ${o.stored} stored, ${o.duplicates} duplicates skipped, ${o.rejected} rejected`;
    if (o.failure) {
      lines.push(`  FAILED  ${o.failure}`);
      if (o.spansRead > 0) lines.push(`          before the error: ${counts}`);
    } else {
      lines.push(`  ok      ${o.file}: ${counts}`);
    }
    for (const r of o.reasons) lines.push(`          rejected: ${r}`);
  }
  const rate = Math.round(read / Math.max(seconds, 0.001));
  lines.push(
    `Imported ${outcomes.length - failed} of ${plural(outcomes.length, 'file')} into ${dbUrl}: ` +
      `${plural(sum((o) => o.stored), 'span')} stored, ${sum((o) => o.duplicates)} duplicates skipped, ${sum((o) => o.rejected)} rejected` +
      `${failed ? `, ${plural(failed, 'file')} failed` : ''} (${seconds.toFixed(1)} s, ${rate} spans/s)`,
  );
  io.out(lines.join('\n') + '\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
