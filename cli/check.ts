// `faultline check -- <command…>`: an ephemeral collector on a free port, the command run with
// OTEL_EXPORTER_OTLP_ENDPOINT pointing at it, a flush grace period, then the report of `report`.
// Exit codes: those of report (0, 1, 2), and 3 when the command itself failed — so a pipeline
// tells "your tests failed" from "your architecture drifted".
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FullAnalysis } from '../lib/analysis/analyze.ts';
import type { FaultlineConfig } from '../lib/analysis/findings/index.ts';
import { EXIT, sourceFromAnalysis } from '../lib/report/index.ts';
import { InputError } from '../lib/report/io/files.ts';
import { portOption, stringOption, UsageError } from './args.ts';
import type { Command } from './command.ts';
import type { CliIo } from './io.ts';
import { emitReport, loadReportFiles, parseReportFlags, REPORT_FLAG_SPEC, REPORT_FLAGS_HELP } from './report.ts';

const DEFAULT_GRACE_MS = 2000;

export const checkCommand: Command = {
  name: 'check',
  summary: 'run a command (your tests) against an ephemeral collector, then report like `report`',
  allowPositionals: true,
  options: {
    'otlp-port': { type: 'string' },
    host: { type: 'string' },
    grace: { type: 'string' },
    ...REPORT_FLAG_SPEC,
  },
  help: `Usage: faultline check [options] -- <command…>

Starts an ephemeral OTLP/HTTP collector on a free port, runs the command with
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:<port>
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:<port>/v1/traces
  OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (unless already set: JSON works too)
  OTEL_BSP_SCHEDULE_DELAY=200 (unless already set, so spans leave before the command exits)
so instrumented tests and services export their traces to it, waits for the command to exit
and a flush grace period, then analyzes what arrived and reports like \`faultline report\`.
The command's own stdout and stderr go to stderr; stdout holds only the report.

Collector:
      --otlp-port PORT       port for the collector (default 0: a free port)
      --host HOST            interface (default 127.0.0.1)
      --grace DURATION       wait after the command exits for late exports (default 2s; 500ms, 5s…)

Report:
${REPORT_FLAGS_HELP}
  -h, --help                 show this help

Exit codes: 0 nothing (new) at or above --fail-on, 1 findings at or above it,
            2 usage or input error (bad flag, invalid config or baseline, the command cannot be
            started, no spans arrived without --allow-empty),
            3 the command itself failed (non-zero exit or signal): the report is still printed.

Examples:
  faultline check -- npm test
  faultline check --fail-on medium --output sarif=faultline.sarif -- node --test tests/
  faultline check --baseline .faultline/baseline.json --format markdown -- npx vitest run tests/integration
`,
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new UsageError('check needs a command after --, e.g. faultline check -- npm test');
    const flags = parseReportFlags(values);
    const port = portOption('otlp-port', values['otlp-port'], undefined, 0);
    const host = stringOption(values.host) ?? '127.0.0.1';
    const graceMs = typeof values.grace === 'string' ? parseGrace(values.grace) : DEFAULT_GRACE_MS;
    let files: Awaited<ReturnType<typeof loadReportFiles>>;
    try {
      files = await loadReportFiles(flags);
    } catch (err) {
      if (err instanceof InputError) {
        io.err(`faultline check: ${err.message}\n`);
        return EXIT.usage;
      }
      throw err;
    }
    const dir = await mkdtemp(join(tmpdir(), 'faultline-check-'));
    try {
      return await runCheck(positionals, { port, host, graceMs, dir }, io, async (analysisOf) => {
        const analysis = analysisOf(files.config);
        const src = sourceFromAnalysis(analysis, [{ source: positionals.join(' '), format: 'collector', spans: analysis.spans, rejected: 0 }]);
        return emitReport(src, flags, files.baseline, io, { command: 'check', env: process.env, stdoutIsTTY: process.stdout.isTTY === true });
      });
    } catch (err) {
      if (err instanceof InputError) {
        io.err(`faultline check: ${err.message}\n`);
        return EXIT.usage;
      }
      throw err;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

function parseGrace(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(raw);
  if (!m) throw new UsageError(`--grace: not a duration: '${raw}' (e.g. 500ms, 2s, 1m)`);
  const ms = Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : m[2] === 'ms' ? 1 : 1000);
  if (ms > 10 * 60_000) throw new UsageError(`--grace: at most 10m, got '${raw}'`);
  return ms;
}

interface CheckSetup {
  port: number;
  host: string;
  graceMs: number;
  /** Temporary directory for the collector's database (removed by the caller). */
  dir: string;
}

type Analyze = (config: FaultlineConfig) => FullAnalysis;

async function runCheck(command: string[], s: CheckSetup, io: CliIo, report: (analysisOf: Analyze) => Promise<number>): Promise<number> {
  const { startCollector } = await import('../collector/index.ts');
  const { analyzeStore } = await import('../lib/report/io/store.ts');
  const dbPath = join(s.dir, 'check.db');
  let collector: Awaited<ReturnType<typeof startCollector>>;
  try {
    collector = await startCollector({ port: s.port, host: s.host, dbUrl: dbPath, live: false, retentionMs: 0 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InputError(e.code === 'EADDRINUSE' ? `port ${s.port} on ${s.host} is already in use; pick another with --otlp-port (0 picks a free one)` : `cannot start the collector: ${e.message}`);
  }
  let outcome: CommandOutcome;
  try {
    io.err(`faultline check: collector on ${collector.url}; running: ${command.join(' ')}\n`);
    outcome = await runCommand(command, collector.url, io);
    if (outcome.kind === 'not-started') throw new InputError(`cannot run ${command[0]}: ${outcome.reason}`);
    // Exporters of processes the command left behind (and batch processors flushing on exit)
    // may still be sending: give them the grace period before the collector stops taking spans.
    await new Promise((r) => setTimeout(r, s.graceMs));
  } finally {
    await collector.close();
  }
  const failed = outcome.kind === 'exited' && (outcome.code !== 0 || outcome.signal !== null);
  const code = await report((config) => analyzeStore(dbPath, { now: Date.now(), config }));
  if (failed && outcome.kind === 'exited') {
    const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
    io.err(`faultline check: the command failed (${how}): exit ${EXIT.commandFailed} (the report above still covers what it sent)\n`);
    return EXIT.commandFailed;
  }
  return code;
}

type CommandOutcome = { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null } | { kind: 'not-started'; reason: string };

function runCommand(command: string[], endpoint: string, io: CliIo): Promise<CommandOutcome> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${endpoint}/v1/traces`,
    OTEL_EXPORTER_OTLP_PROTOCOL: process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    OTEL_BSP_SCHEDULE_DELAY: process.env.OTEL_BSP_SCHEDULE_DELAY ?? '200',
  };
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { env, stdio: ['inherit', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8').on('data', (d: string) => io.err(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => io.err(d));
    // Ctrl-C / a CI cancel reaches the command; check then reports what arrived and exits 3.
    const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const done = (o: CommandOutcome) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(o);
    };
    child.once('error', (err: NodeJS.ErrnoException) => done({ kind: 'not-started', reason: err.code === 'ENOENT' ? 'command not found' : err.message }));
    child.once('close', (code, signal) => done({ kind: 'exited', code, signal }));
  });
}
