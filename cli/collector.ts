// `faultline collector`: OTLP/HTTP ingest only, in this process. Several collectors may share
// one database (scale-out); `faultline serve` also runs this command as its ingest child.
import { durationOption, formatDuration, portOption, stringOption, type ParsedArgs } from './args.ts';
import type { Command } from './command.ts';
import { absoluteDbUrl } from './db-url.ts';
import type { CliIo } from './io.ts';
import { waitForStop } from './signals.ts';

/** Sent over IPC to a supervising `faultline serve` once the collector listens. */
export interface CollectorReadyMessage {
  type: 'faultline:collector-ready';
  port: number;
  url: string;
  dbUrl: string;
  /** 0 when retention is off. */
  retentionMs: number;
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
    try {
      return await runCollector(args.values, io);
    } finally {
      // Under `faultline serve` the IPC channel would keep this process alive after we are done.
      if (process.connected) process.disconnect();
    }
  },
};

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
  let collector: Awaited<ReturnType<typeof startCollector>>;
  try {
    collector = await startCollector({ port, host, dbUrl, retentionMs });
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
    io.out(
      `Faultline collector listening on ${endpoint} (OTLP/HTTP: /v1/traces, /v1/metrics, /v1/logs)\n` +
        `Database: ${dbUrl} (${keeping(retentionMs)})\n` +
        `Point services at it: OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint}\n` +
        `Press Ctrl-C to stop.\n`,
    );
  }
  const why = await stopping;
  await collector.close();
  if (!process.send) io.out(`Faultline collector stopped (${why}).\n`);
  return 0;
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
