// `faultline serve`: the dashboard and the collector, each in its own child process, so ingest
// never runs on the dashboard's event loop and a burst of spans cannot stall a page.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { join } from 'node:path';
import { durationOption, formatDuration, portOption, stringOption } from './args.ts';
import { prefixLines, startChild, stopChild, type Child } from './children.ts';
import type { CollectorReadyMessage } from './collector.ts';
import { endpointFor, isCollectorReady, keeping } from './collector.ts';
import type { Command } from './command.ts';
import { ensureDashboardBuild } from './dashboard-build.ts';
import { COLLECTOR_NODE_FLAGS, collectorEnv } from '../lib/runtime/workers.ts';
import { absoluteDbUrl } from './db-url.ts';
import type { CliIo } from './io.ts';
import { binPath, checkoutRoot } from './paths.ts';
import { waitForStop } from './signals.ts';

const STARTUP_TIMEOUT_MS = 120_000;

export const serveCommand: Command = {
  name: 'serve',
  summary: 'dashboard + collector (embedded SQLite by default)',
  allowPositionals: false,
  options: {
    port: { type: 'string' },
    'otlp-port': { type: 'string' },
    host: { type: 'string' },
    db: { type: 'string' },
    retention: { type: 'string' },
    demo: { type: 'boolean' },
  },
  help: `Usage: faultline serve [--port 3000] [--otlp-port 4318] [--host 127.0.0.1] [--db URL] [--retention 7d] [--demo]

Runs the Faultline dashboard and an OTLP/HTTP collector that share one database. The
collector runs in its own process, so ingest never blocks the dashboard. The dashboard is
the production build (next start) when one exists in .next/, else the development server
(run \`npx next build\` once for the fast one).

Options:
  --port PORT       dashboard port (default 3000; 0 picks a free port)
  --otlp-port PORT  OTLP/HTTP collector port (default 4318; 0 picks a free port)
  --host HOST       interface for both (default 127.0.0.1; 0.0.0.0 for every interface)
  --db URL          where to store: a file path or file: URL (SQLite), or postgresql://…
                    (default ./data/faultline.db)
  --retention AGE   delete spans, metric points and logs older than AGE, in the background
                    (default 7d; e.g. 12h, 30d; 0 keeps everything, e.g. for imported old traces)
  --demo            also run the sample shop (faultline demo) against this collector, after
                    building the dashboard when .next/ has no build or an older one (npm start)
  -h, --help        show this help

Environment:
  FAULTLINE_PORT       default for --port
  FAULTLINE_OTLP_PORT  default for --otlp-port
  FAULTLINE_DB         default for --db
  FAULTLINE_RETENTION  default for --retention

Ctrl-C (or SIGTERM) stops the dashboard and the collector.

Examples:
  faultline serve
  faultline serve --port 8080 --otlp-port 4318 --db file:./data/staging.db
  faultline serve --demo         # what npm start runs: build if needed, then Faultline + the demo shop
  FAULTLINE_PORT=8080 FAULTLINE_DB=/var/lib/faultline.db faultline serve --host 0.0.0.0
`,
  async run({ values }, io) {
    const port = portOption('port', values.port, 'FAULTLINE_PORT', 3000);
    const otlpPort = portOption('otlp-port', values['otlp-port'], 'FAULTLINE_OTLP_PORT', 4318);
    const host = stringOption(values.host) ?? '127.0.0.1';
    const retentionMs = durationOption('retention', values.retention, 'FAULTLINE_RETENTION');
    const { resolveDbUrl } = await import('../lib/store/index.ts');
    const dbUrl = absoluteDbUrl(resolveDbUrl(stringOption(values.db)));

    const stopping = waitForStop();
    const children: Child[] = [];
    const stopAll = async () => {
      await Promise.all(children.map((c) => stopChild(c)));
    };
    const withDemo = values.demo === true;
    try {
      if (withDemo && !(await ensureDashboardBuild(checkoutRoot(), io, stopping))) {
        io.out('Stopped before the dashboard build finished.\n');
        return 0;
      }
      // Children join the list as soon as they are spawned, so Ctrl-C during startup stops them too.
      const startup = (async () => {
        const collector = await startCollectorChild(io, children, otlpPort, host, dbUrl, retentionMs);
        // The shop's processes take longer to boot than the dashboard: start them side by side.
        if (withDemo) startDemoChild(io, children, collector.ready.url);
        const dashboard = await startDashboardChild(io, children, port, host, dbUrl, collector.ready.url);
        return { collector, dashboard };
      })();
      const started = await Promise.race([startup, stopping.then((why) => ({ why }))]);
      if ('why' in started) {
        startup.catch(() => undefined);
        io.out(`Stopping (${started.why})…\n`);
        await stopAll();
        return 0;
      }
      const { collector, dashboard } = started;

      io.out(
        `Faultline is running\n` +
          `  Dashboard  ${dashboard.url}  (${dashboard.mode === 'start' ? 'production build' : 'development server: no build in .next/, run `npx next build` for the fast one'})\n` +
          `  Collector  ${collector.ready.url}  (OTLP/HTTP: /v1/traces, /v1/metrics, /v1/logs)\n` +
          `  Database   ${dbUrl}  (${keeping(collector.ready.retentionMs)})\n` +
          `Point services at it: OTEL_EXPORTER_OTLP_ENDPOINT=${collector.ready.url}\n` +
          (withDemo ? `  Demo       the sample shop is starting; its services fill the map within a minute (docs/demo.md)\n` : '') +
          `Press Ctrl-C to stop.\n`,
      );

      const firstExit = Promise.race(children.map((c) => c.exited.then((code) => ({ child: c, code }))));
      const outcome = await Promise.race([stopping.then((why) => ({ why })), firstExit]);
      if ('why' in outcome) {
        io.out(`Stopping (${outcome.why})…\n`);
        await stopAll();
        io.out('Faultline stopped.\n');
        return 0;
      }
      io.err(`faultline serve: the ${outcome.child.name} exited unexpectedly (code ${outcome.code}); stopping.\n`);
      await stopAll();
      return 1;
    } catch (err) {
      io.err(`faultline serve: ${(err as Error).message}\n`);
      await stopAll();
      return 1;
    }
  },
};

async function startCollectorChild(
  io: CliIo,
  children: Child[],
  port: number,
  host: string,
  dbUrl: string,
  retentionMs: number | undefined,
): Promise<{ child: Child; ready: CollectorReadyMessage }> {
  const args = ['collector', '--otlp-port', String(port), '--host', host, '--db', dbUrl];
  if (retentionMs !== undefined) args.push('--retention', retentionMs > 0 ? formatDuration(retentionMs) : '0');
  const child = startChild('collector', process.execPath, [...COLLECTOR_NODE_FLAGS, binPath(), ...args], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: collectorEnv(process.env),
  });
  children.push(child);
  prefixLines(child.proc.stdout, 'collector | ', io.out);
  prefixLines(child.proc.stderr, 'collector | ', io.err);
  const ready = await new Promise<CollectorReadyMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the collector did not start within 2 minutes')), STARTUP_TIMEOUT_MS);
    child.proc.on('message', (m: unknown) => {
      if (isCollectorReady(m)) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the collector could not start (exit code ${code}); see its messages above`));
    });
  });
  return { child, ready: { ...ready, url: endpointFor(host, ready.port) } };
}

/** The sample shop (`faultline demo`), in its own process group like the other children. */
function startDemoChild(io: CliIo, children: Child[], collectorUrl: string): void {
  const child = startChild('demo', process.execPath, [binPath(), 'demo', '--server', collectorUrl], {
    cwd: process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: process.env,
  });
  children.push(child);
  prefixLines(child.proc.stdout, 'demo | ', io.out);
  prefixLines(child.proc.stderr, 'demo | ', io.err);
}

interface Dashboard {
  child: Child;
  url: string;
  mode: 'start' | 'dev';
}

async function startDashboardChild(io: CliIo, children: Child[], port: number, host: string, dbUrl: string, collectorUrl: string): Promise<Dashboard> {
  const root = checkoutRoot();
  const mode = existsSync(join(root, '.next', 'BUILD_ID')) ? 'start' : 'dev';
  const nextBin = createRequire(join(root, 'package.json')).resolve('next/dist/bin/next');
  const child = startChild('dashboard', process.execPath, [nextBin, mode, root, '--port', String(port), '--hostname', host], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      FAULTLINE_DB: dbUrl,
      FAULTLINE_COLLECTOR_URL: collectorUrl,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(join(root, 'cli', 'parent-watch.cjs'))}`.trim(),
    },
  });
  children.push(child);
  // Until it is ready, Next's banner is kept to explain a failure; afterwards its output is forwarded.
  const early: string[] = [];
  let ready = false;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the dashboard did not start within 2 minutes:\n${early.join('')}`)), STARTUP_TIMEOUT_MS);
    let seenUrl: string | undefined;
    const onLine = (line: string) => {
      if (ready) return;
      early.push(line);
      const local = /Local:\s+(https?:\/\/\S+)/.exec(line);
      if (local) seenUrl = local[1];
      if (/\bReady\b/.test(line) || /ready started server/i.test(line)) {
        const actual = seenUrl ? Number(new URL(seenUrl).port) : port;
        ready = true;
        clearTimeout(timer);
        void waitForPort(host, actual).then(() => resolve(`http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}`), reject);
      }
    };
    prefixLines(child.proc.stdout, '', (l) => (ready ? io.out(`dashboard | ${l}`) : onLine(l)));
    prefixLines(child.proc.stderr, '', (l) => (ready ? io.err(`dashboard | ${l}`) : onLine(l)));
    void child.exited.then((code) => {
      clearTimeout(timer);
      if (ready) return;
      const output = early.join('');
      if (/EADDRINUSE/.test(output)) reject(new Error(`dashboard port ${port} on ${host} is already in use; pick another with --port`));
      else reject(new Error(`the dashboard could not start (exit code ${code}):\n${output}`));
    });
  });
  return { child, url, mode };
}

/** Next prints "Ready" as it binds; a connection proves the port really accepts requests. */
async function waitForPort(host: string, port: number): Promise<void> {
  const target = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  for (let attempt = 0; attempt < 100; attempt++) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: target, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the dashboard said it was ready but ${target}:${port} refuses connections`);
}
