// `faultline collector`: OTLP/HTTP ingest only. Started by hand, it runs the collector in a child
// node process with the collector's runtime flags (runInChild); under `faultline serve`, which
// gives them, in this process. Several collectors may share one database (scale-out).
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { COLLECTOR_NODE_FLAGS, collectorEnv } from '../lib/runtime/workers.ts';
import { durationOption, formatDuration, portOption, stringOption, type ParsedArgs } from './args.ts';
import type { Command } from './command.ts';
import { absoluteDbUrl } from './db-url.ts';
import type { CliIo } from './io.ts';
import { binPath } from './paths.ts';
import { waitForStop } from './signals.ts';

/** Set in the environment of the collector process `faultline collector` re-runs itself as. */
const REEXEC_ENV = 'FAULTLINE_COLLECTOR_REEXEC';

/** Sent over IPC to a supervising `faultline serve` once the collector listens. */
export interface CollectorReadyMessage {
  type: 'faultline:collector-ready';
  port: number;
  url: string;
  dbUrl: string;
  /** 0 when retention is off. */
  retentionMs: number;
}

/** Whether an IPC message from a collector process says it listens. */
export function isCollectorReady(m: unknown): m is CollectorReadyMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'faultline:collector-ready';
}

export const collectorCommand: Command = {
  name: 'collector',
  summary: 'OTLP/HTTP ingest only: receive traces, metrics and logs and store them',
  allowPositionals: false,
  options: {
    'otlp-port': { type: 'string' },
    host: { type: 'string' },
    db: { type: 'string' },
    retention: { type: 'string' },
  },
  help: `Usage: faultline collector [--otlp-port 4318] [--host 127.0.0.1] [--db URL] [--retention 7d]

Receives OTLP/HTTP (POST /v1/traces, /v1/metrics, /v1/logs; protobuf or JSON, gzip) and
stores what it receives. No dashboard: run several
collectors against one database to scale out ingest, and \`faultline serve\` to look.
Self-metrics at GET /metrics, liveness at GET /healthz on the same port.

Options:
  --otlp-port PORT  port to listen on (default 4318; 0 picks a free port)
  --host HOST       interface to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --db URL          where to store: a file path or file: URL (SQLite), or postgresql://…
                    (default ./data/faultline.db)
  --retention AGE   delete spans, metric points and logs older than AGE, in the background
                    (default 7d; e.g. 12h, 30d; 0 keeps everything, e.g. for imported old traces)
  -h, --help        show this help

Environment:
  FAULTLINE_OTLP_PORT  default for --otlp-port
  FAULTLINE_DB         default for --db
  FAULTLINE_RETENTION  default for --retention

Stops cleanly on Ctrl-C (SIGINT) or SIGTERM: what was acknowledged is committed.

Examples:
  faultline collector
  faultline collector --otlp-port 4318 --host 0.0.0.0 --db file:/var/lib/faultline/faultline.db
  OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node my-service.js
`,
  async run(args, io) {
    const argv = reexecArgv();
    if (argv !== undefined) return runInChild(argv, io);
    try {
      return await runCollector(args.values, io);
    } finally {
      // Under `faultline serve` the IPC channel would keep this process alive after we are done.
      if (process.connected) process.disconnect();
    }
  },
};

/**
 * The node arguments to run this command again with, when it was started by hand without the
 * collector's runtime settings (lib/runtime/workers.ts: `--single-threaded-gc`, `--expose-gc` and
 * capped malloc arenas), which node and glibc take only when a process starts; undefined to run here. `serve`
 * and `forkCollector` start collectors with them already; `main()` called in-process (tests)
 * and a process under a debugger run here too.
 */
function reexecArgv(): string[] | undefined {
  if (process.platform === 'win32' || process.env[REEXEC_ENV] !== undefined || process.send) return undefined;
  // A debugger attached to this process must see the collector, not a stand-in.
  if (process.execArgv.some((a) => a.startsWith('--inspect'))) return undefined;
  const script = process.argv[1];
  if (script === undefined || realPath(script) !== realPath(binPath())) return undefined;
  const missing = COLLECTOR_NODE_FLAGS.filter((f) => !process.execArgv.includes(f));
  if (missing.length === 0 && process.env.MALLOC_ARENA_MAX !== undefined) return undefined;
  return [...process.execArgv, ...missing, script, ...process.argv.slice(2)];
}

function realPath(file: string): string | undefined {
  try {
    return realpathSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Runs the collector in a child node process and stands in for it: the child has a process
 * group of its own, so Ctrl-C reaches it once, through here (twice, its second SIGINT would
 * interrupt the clean stop), and an IPC channel, so it stops on its own if this process is
 * killed. Prints what the collector prints when run directly; exits with its exit code.
 */
function runInChild(argv: string[], io: CliIo): Promise<number> {
  return new Promise((done) => {
    const child = spawn(process.execPath, argv, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...collectorEnv(process.env), [REEXEC_ENV]: '1' },
      detached: true,
    });
    let why: string | undefined;
    const forward = (signal: NodeJS.Signals) => () => {
      why ??= signal;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    child.on('message', (m: unknown) => {
      if (isCollectorReady(m)) io.out(banner(m));
    });
    const finish = (code: number) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      done(code);
    };
    child.once('error', (err) => {
      io.err(`faultline collector: cannot start the collector process: ${err.message}\n`);
      finish(1);
    });
    child.once('exit', (code, signal) => {
      if (code === 0 && why !== undefined) io.out(`Faultline collector stopped (${why}).\n`);
      finish(code ?? (signal !== null ? 1 : 0));
    });
  });
}

function banner(ready: Pick<CollectorReadyMessage, 'url' | 'dbUrl' | 'retentionMs'>): string {
  return (
    `Faultline collector listening on ${ready.url} (OTLP/HTTP: /v1/traces, /v1/metrics, /v1/logs)\n` +
    `Database: ${ready.dbUrl} (${keeping(ready.retentionMs)})\n` +
    `Point services at it: OTEL_EXPORTER_OTLP_ENDPOINT=${ready.url}\n` +
    `Press Ctrl-C to stop.\n`
  );
}

async function runCollector(values: ParsedArgs['values'], io: CliIo): Promise<number> {
  const port = portOption('otlp-port', values['otlp-port'], 'FAULTLINE_OTLP_PORT', 4318);
  const host = stringOption(values.host) ?? '127.0.0.1';
  const retentionFlag = durationOption('retention', values.retention, 'FAULTLINE_RETENTION');
  const { resolveDbUrl } = await import('../lib/store/index.ts');
  const dbUrl = absoluteDbUrl(resolveDbUrl(stringOption(values.db)));
  const { startCollector, DEFAULT_RETENTION_MS } = await import('../collector/index.ts');
  const retentionMs = retentionFlag ?? DEFAULT_RETENTION_MS;
  // Listen for Ctrl-C before saying where we listen: a signal sent the moment the banner
  // appears must stop us cleanly, not kill us mid-write.
  const stopping = waitForStop();
  const indexing = indexingReport(io);
  let collector: Awaited<ReturnType<typeof startCollector>>;
  try {
    collector = await startCollector({ port, host, dbUrl, retentionMs, onIndexing: indexing.onIndexing });
    indexing.finished();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      io.err(`faultline collector: port ${port} on ${host} is already in use; pick another with --otlp-port\n`);
    } else {
      io.err(`faultline collector: cannot start: ${e.message}\n`);
    }
    return 1;
  }
  const endpoint = endpointFor(host, collector.port);
  if (process.send) {
    const ready: CollectorReadyMessage = { type: 'faultline:collector-ready', port: collector.port, url: endpoint, dbUrl, retentionMs };
    process.send(ready);
  } else {
    io.out(banner({ url: endpoint, dbUrl, retentionMs }));
  }
  const why = await stopping;
  await collector.close();
  if (!process.send) io.out(`Faultline collector stopped (${why}).\n`);
  return 0;
}

/** Trace ids missing from the index file past which opening says it is indexing them (fewer take about a second). */
const ANNOUNCE_INDEXING = 500_000;

/**
 * Reports the indexing of what the trace-id index file lacks when the collector first opens the
 * database (a database from before that file, or copied without it: ~55 s for 4.35M traces), so
 * that it is not a silent start; `finished` says how long it took, once it was announced.
 */
function indexingReport(io: CliIo): { onIndexing: (indexed: number, missing: number) => void; finished(): void } {
  const t0 = performance.now();
  let printed = t0;
  let reported = t0;
  let announced = false;
  const count = (n: number) => n.toLocaleString('en-US');
  return {
    onIndexing(indexed, missing) {
      reported = performance.now();
      if (missing < ANNOUNCE_INDEXING) return;
      if (!announced) {
        announced = true;
        io.err(`Indexing the ids of ${count(missing)} traces missing from the trace-id index file (once: a database from before that file, or copied without it)…\n`);
      } else if (reported - printed >= 5000) {
        printed = reported;
        io.err(`  ${count(indexed)} of ${count(missing)} indexed\n`);
      }
    },
    finished() {
      // Timed to the last step, not to the threads' start after it.
      if (announced) io.err(`Trace ids indexed in ${((reported - t0) / 1000).toFixed(0)} s.\n`);
    },
  };
}

export function keeping(retentionMs: number): string {
  return retentionMs > 0 ? `keeping ${formatDuration(retentionMs)} of data` : 'keeping everything';
}

/** The URL a service on this machine should export to: a wildcard bind is reached via loopback. */
export function endpointFor(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const h = reachable.includes(':') ? `[${reachable}]` : reachable;
  return `http://${h}:${port}`;
}
