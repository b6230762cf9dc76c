// What the trace-page journeys and the UI benchmark need: `faultline serve` on a known dashboard
// port (so the Faro receiver's default CORS allow-list names it), and traces of a known shape
// sent by the real OpenTelemetry SDK through its OTLP/HTTP exporter into the real collector.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, type LongRunning } from '../../cli/run-cli.ts';
import { SpanSender } from '../span-generator.ts';

export interface Served {
  dashboard: string;
  collector: string;
  db: string;
  proc: LongRunning;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `faultline serve` with FAULTLINE_PORT set (not --port), so the collector's Faro CORS default allows the dashboard. */
export async function startServe(env: Record<string, string> = {}): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-traces-ui-'));
  const db = join(dir, 'ui.db');
  const port = await freePort();
  const proc = startCli(['serve', '--otlp-port', '0', '--db', db], { env: { FAULTLINE_PORT: String(port), ...env } });
  try {
    const [, dashboard] = await proc.waitFor(/Dashboard\s+(http:\/\/\S+)/);
    const [, collector] = await proc.waitFor(/Collector\s+(http:\/\/\S+)/);
    return {
      dashboard,
      collector,
      db,
      proc,
      async stop() {
        await proc.stop('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await proc.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

interface Step {
  service: string;
  name: string;
  kind: SpanKind;
  at: number;
  dur: number;
  parent?: Span;
  error?: string;
  attrs?: Record<string, string | number | boolean>;
}

export interface KnownTrace {
  traceId: string;
  /** Span ids by role. */
  ids: Record<'root' | 'cartClient' | 'cartServer' | 'ordersClient' | 'ordersServer' | 'paymentsClient' | 'paymentsServer' | 'stripe' | 'insert' | 'render', string>;
  spanCount: number;
}

/**
 * frontend GET /checkout (0–420 ms)
 * ├─ POST /orders → orders (65–400 ms)
 * │   ├─ SELECT inventory (db)
 * │   ├─ POST /payments → payments (error) → POST stripe (error, external)
 * │   └─ INSERT orders (db)
 * ├─ GET /cart → cart → redis (70–125 ms: parallel to orders, so off the critical path)
 * └─ render (402–418 ms)
 */
export function sendKnownTrace(sender: SpanSender, t0: number): KnownTrace {
  const start = (s: Step): Span => {
    const ctx = s.parent ? trace.setSpan(ROOT_CONTEXT, s.parent) : ROOT_CONTEXT;
    const span = sender.tracer(s.service).startSpan(s.name, { kind: s.kind, startTime: t0 + s.at, attributes: s.attrs }, ctx);
    if (s.error) span.setStatus({ code: SpanStatusCode.ERROR, message: s.error });
    return span;
  };
  const end = (span: Span, s: Step) => span.end(t0 + s.at + s.dur);
  const make = (s: Step): Span => {
    const span = start(s);
    end(span, s);
    return span;
  };
  const root = start({ service: 'frontend', name: 'GET /checkout', kind: SpanKind.SERVER, at: 0, dur: 420, attrs: { 'http.request.method': 'GET', 'http.route': '/checkout', 'url.full': 'https://shop.example/checkout' } });
  const cartClient = make({ service: 'frontend', name: 'GET /cart', kind: SpanKind.CLIENT, at: 70, dur: 55, parent: root, attrs: { 'http.request.method': 'GET', 'server.address': 'cart', 'peer.service': 'cart' } });
  const cartServer = make({ service: 'cart', name: 'GET /cart', kind: SpanKind.SERVER, at: 73, dur: 50, parent: cartClient, attrs: { 'http.route': '/cart' } });
  make({ service: 'cart', name: 'GET cart:42', kind: SpanKind.CLIENT, at: 75, dur: 10, parent: cartServer, attrs: { 'db.system': 'redis', 'server.address': 'redis-main' } });
  const ordersClient = make({ service: 'frontend', name: 'POST /orders', kind: SpanKind.CLIENT, at: 65, dur: 335, parent: root, attrs: { 'http.request.method': 'POST', 'server.address': 'orders' } });
  const ordersServer = make({ service: 'orders', name: 'POST /orders', kind: SpanKind.SERVER, at: 70, dur: 325, parent: ordersClient, attrs: { 'http.route': '/orders' } });
  make({ service: 'orders', name: 'SELECT shop.inventory', kind: SpanKind.CLIENT, at: 75, dur: 35, parent: ordersServer, attrs: { 'db.system': 'postgresql', 'db.namespace': 'shop', 'db.query.text': 'SELECT * FROM inventory WHERE sku = $1', 'server.address': 'pg-main' } });
  const paymentsClient = make({ service: 'orders', name: 'POST /payments', kind: SpanKind.CLIENT, at: 115, dur: 215, parent: ordersServer, error: 'payment failed', attrs: { 'http.request.method': 'POST', 'server.address': 'payments', 'http.response.status_code': 502 } });
  const paymentsServer = make({ service: 'payments', name: 'POST /payments', kind: SpanKind.SERVER, at: 120, dur: 205, parent: paymentsClient, error: 'card declined', attrs: { 'http.route': '/payments', 'http.response.status_code': 502 } });
  const stripeStep: Step = { service: 'payments', name: 'POST api.stripe.example', kind: SpanKind.CLIENT, at: 125, dur: 195, parent: paymentsServer, error: 'HTTP 402', attrs: { 'http.request.method': 'POST', 'server.address': 'api.stripe.example', 'url.full': 'https://api.stripe.example/v1/charges', 'http.response.status_code': 402 } };
  const stripe = start(stripeStep);
  stripe.addEvent('retry', { attempt: 2 }, t0 + 200);
  stripe.recordException({ name: 'CardError', message: 'Your card was declined.' }, t0 + 318);
  end(stripe, stripeStep);
  const insert = make({ service: 'orders', name: 'INSERT shop.orders', kind: SpanKind.CLIENT, at: 335, dur: 55, parent: ordersServer, attrs: { 'db.system': 'postgresql', 'db.namespace': 'shop', 'db.query.text': 'INSERT INTO orders VALUES ($1, $2)', 'server.address': 'pg-main' } });
  const render = make({ service: 'frontend', name: 'render checkout', kind: SpanKind.INTERNAL, at: 402, dur: 16, parent: root });
  end(root, { service: 'frontend', name: '', kind: SpanKind.SERVER, at: 0, dur: 420 });
  const id = (s: Span) => s.spanContext().spanId;
  return {
    traceId: root.spanContext().traceId,
    ids: { root: id(root), cartClient: id(cartClient), cartServer: id(cartServer), ordersClient: id(ordersClient), ordersServer: id(ordersServer), paymentsClient: id(paymentsClient), paymentsServer: id(paymentsServer), stripe: id(stripe), insert: id(insert), render: id(render) },
    spanCount: 12,
  };
}

/**
 * One trace of `spans` spans: a gateway fanning out to `services` services, each doing batches
 * of database calls and nested work, so the tree is wide and deep like a real batch job.
 */
export async function sendBigTrace(collectorUrl: string, spans: number, t0 = Date.now() - 60_000, services = 40): Promise<string> {
  const sender = new SpanSender(collectorUrl);
  const tracer = (i: number) => sender.tracer(`svc-${String(i % services).padStart(2, '0')}`);
  const total = Math.max(2, spans);
  const durMs = 30_000;
  const root = sender.tracer('gateway').startSpan('POST /batch/import', { kind: SpanKind.SERVER, startTime: t0 }, ROOT_CONTEXT);
  let made = 1;
  // Chunks of 50 spans: a client call, its server span, and 48 children with a few grandchildren.
  const chunks = Math.ceil((total - 1) / 50);
  for (let c = 0; c < chunks && made < total; c++) {
    const at = t0 + (c / chunks) * (durMs - 200);
    const client = sender.tracer('gateway').startSpan(`call svc-${c % services}`, { kind: SpanKind.CLIENT, startTime: at, attributes: { 'server.address': `svc-${c % services}` } }, trace.setSpan(ROOT_CONTEXT, root));
    made++;
    if (made >= total) {
      client.end(at + 150);
      break;
    }
    const server = tracer(c).startSpan(`handle chunk ${c}`, { kind: SpanKind.SERVER, startTime: at + 1 }, trace.setSpan(ROOT_CONTEXT, client));
    made++;
    let parent = server;
    for (let k = 0; k < 48 && made < total; k++) {
      const s = tracer(c).startSpan(k % 6 === 0 ? `process item ${k}` : `SELECT items.batch_${k}`, { kind: k % 6 === 0 ? SpanKind.INTERNAL : SpanKind.CLIENT, startTime: at + 2 + k * 3, attributes: k % 6 === 0 ? { item: k } : { 'db.system': 'postgresql', 'db.query.text': `SELECT * FROM batch_${k}` } }, trace.setSpan(ROOT_CONTEXT, parent));
      if (k % 17 === 5) s.setStatus({ code: SpanStatusCode.ERROR, message: 'timeout' });
      s.end(at + 2 + k * 3 + (k % 6 === 0 ? 17 : 2.5));
      made++;
      if (k % 6 === 0) parent = s;
      else if (k % 6 === 5) parent = server;
    }
    server.end(at + 149);
    client.end(at + 150);
    if (c % 40 === 39) await sender.flush();
  }
  root.end(t0 + durMs);
  await sender.flush();
  await sender.shutdown();
  return root.spanContext().traceId;
}
