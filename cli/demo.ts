// `faultline demo`: the bundled sample shop (demo/) against a running Faultline's collector.
// `npm start` runs the same thing under `faultline serve --demo`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError, stringOption } from './args.ts';
import type { Command } from './command.ts';
import { waitForStop } from './signals.ts';

const DEFAULT_RATE = 2;
const MAX_RATE = 20;

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the sample shop (9 services with planted smells) against a server',
  allowPositionals: false,
  options: {
    server: { type: 'string' },
    rate: { type: 'string' },
    'data-dir': { type: 'string' },
  },
  help: `Usage: faultline demo [--server URL] [--rate ${DEFAULT_RATE}] [--data-dir DIR]

Runs the bundled sample system, an online shop, against a running Faultline: a gateway, a
web BFF, catalog, orders, payments, inventory, shipping, notifications and recommendations,
each a real Node HTTP service in its own process with the OpenTelemetry SDK, a message
broker (shopbus), and shoppers with a daily rhythm and bursts. It has planted architecture
smells for Faultline to find; docs/demo.md lists them.

Options:
  --server URL    the Faultline COLLECTOR's OTLP/HTTP base URL, the one \`faultline serve\`
                  prints as "Collector" (default: $OTEL_EXPORTER_OTLP_ENDPOINT, else
                  http://127.0.0.1:4318). Not the dashboard URL.
  --rate N        mean shopper requests per second (default ${DEFAULT_RATE}, at most ${MAX_RATE})
  --data-dir DIR  where the services keep their SQLite files (default: a temporary
                  directory, removed on exit)
  -h, --help      show this help

Ctrl-C (or SIGTERM) stops every service of the demo.

Examples:
  faultline serve                # in one terminal
  faultline demo                 # in another: sends to http://127.0.0.1:4318
  faultline demo --server http://faultline.internal:4318 --rate 5
`,
  async run({ values }, io) {
    const server = collectorUrl(stringOption(values.server) ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318');
    const rate = rateOption(values.rate);
    const given = stringOption(values['data-dir']);
    const dataDir = given ? resolve(given) : mkdtempSync(join(tmpdir(), 'faultline-demo-'));
    const cleanup = () => {
      if (!given) rmSync(dataDir, { recursive: true, force: true });
    };

    const stopping = Promise.race([waitForStop(), parentGone()]);
    const problem = await probeCollector(server);
    if (problem) {
      io.err(`faultline demo: no Faultline collector answers at ${server}: ${problem}.\nStart one with \`npx faultline serve\` and pass the URL it prints as "Collector" (--server).\n`);
      cleanup();
      return 1;
    }
    const { startDemo } = await import('../demo/supervisor.ts');
    let demo;
    try {
      demo = await startDemo({ otlpEndpoint: server, dataDir, rate, log: io.out });
    } catch (err) {
      io.err(`faultline demo: ${(err as Error).message}\n`);
      cleanup();
      return 1;
    }
    io.out(
      `Demo shop running: gateway http://127.0.0.1:${demo.ports.gateway}/api/v1/home, 9 services + shopbus, ~${rate} requests/s\n` +
        `  sending telemetry to ${server}\n` +
        `  planted smells and where to see them: docs/demo.md\n`,
    );
    const outcome = await Promise.race([stopping.then((why) => ({ why, ok: true })), demo.failed.then((why) => ({ why, ok: false }))]);
    if (!outcome.ok) io.err(`faultline demo: ${outcome.why}; stopping.\n`);
    await demo.stop();
    cleanup();
    const t = demo.traffic;
    io.out(`Demo stopped (${outcome.why}): ${t.sent} shopper requests, ${t.ok} answered, ${t.failed} failed, ${t.shed} shed.\n`);
    return outcome.ok ? 0 : 1;
  },
};

/**
 * Resolves when this process is re-parented: whoever started it (faultline serve, a shell) died
 * without stopping it. The shop then stops cleanly instead of running on as an orphan.
 */
function parentGone(): Promise<string> {
  const parent = process.ppid;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(timer);
        resolve('parent process gone');
      }
    }, 1000);
    timer.unref();
  });
}

/** The collector's base URL; a full `/v1/traces` URL is accepted and trimmed. */
export function collectorUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--server must be a URL like http://127.0.0.1:4318, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--server must be an http:// or https:// URL, got '${raw}'`);
  return url.href.replace(/\/v1\/traces\/?$/, '').replace(/\/+$/, '');
}

function rateOption(flag: unknown): number {
  if (typeof flag !== 'string') return DEFAULT_RATE;
  const n = Number(flag);
  if (!Number.isFinite(n) || n <= 0 || n > MAX_RATE) throw new UsageError(`--rate must be a number of requests per second above 0 and at most ${MAX_RATE}, got '${flag}'`);
  return n;
}

/** An empty OTLP/JSON export is a success for any OTLP receiver: undefined when it answers so. */
async function probeCollector(base: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${base}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
      signal: AbortSignal.timeout(5000),
    });
    return res.ok ? undefined : `POST /v1/traces answered HTTP ${res.status}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return cause ?? (err as Error).message;
  }
}
