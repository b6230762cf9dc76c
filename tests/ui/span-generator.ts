// Realistic spans for the dashboard's browser journeys and screenshots, sent the way a real
// service sends them: the OpenTelemetry SDK with its OTLP/HTTP protobuf exporter, one tracer
// provider (one Resource) per service, into a running collector.
//
// The shop it simulates has the smells Faultline looks for: a database shared by orders and
// inventory, a sync cycle orders ⇄ inventory, an N+1 in recommendations, an uninstrumented
// payment provider, async order events over Kafka, and a burst of payment errors.
//
//   npx tsx tests/ui/span-generator.ts http://127.0.0.1:4318 [traces] [spreadMinutes]
//   npx tsx tests/ui/span-generator.ts http://127.0.0.1:4318 --big 1000 5000   (map scale test)
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

type Attrs = Record<string, string | number | boolean>;

export class SpanSender {
  private providers = new Map<string, BasicTracerProvider>();
  constructor(private readonly collectorUrl: string) {}

  tracer(service: string, version = '1.4.2'): Tracer {
    let p = this.providers.get(service);
    if (!p) {
      p = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service, 'service.version': version, 'service.namespace': 'shop', 'deployment.environment.name': 'demo' }),
        spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${this.collectorUrl}/v1/traces` }), { maxQueueSize: 100_000, maxExportBatchSize: 512, scheduledDelayMillis: 200 })],
      });
      this.providers.set(service, p);
    }
    return p.getTracer('faultline-ui-generator', '1.0.0');
  }

  async flush(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => p.shutdown()));
  }
}

interface Step {
  service: string;
  name: string;
  kind: SpanKind;
  startMs: number;
  durMs: number;
  attrs?: Attrs;
  error?: string;
  parent?: Span;
}

function start(s: SpanSender, step: Step): Span {
  const ctx = step.parent ? trace.setSpan(ROOT_CONTEXT, step.parent) : ROOT_CONTEXT;
  const span = s.tracer(step.service).startSpan(step.name, { kind: step.kind, startTime: step.startMs, attributes: step.attrs }, ctx);
  if (step.error) span.setStatus({ code: SpanStatusCode.ERROR, message: step.error });
  span.end(step.startMs + step.durMs);
  return span;
}

/** A client span in `from` and its server span in `to`; returns the server span (the callee's work hangs off it). */
function call(s: SpanSender, from: string, to: string, route: string, parent: Span, t: number, dur: number, error?: string): Span {
  const method = route.split(' ')[0];
  const client = start(s, { service: from, name: method, kind: SpanKind.CLIENT, startMs: t, durMs: dur, parent, error, attrs: { 'http.request.method': method, 'server.address': to, 'server.port': 8080, 'url.full': `http://${to}:8080${route.split(' ')[1]}`, 'http.response.status_code': error ? 500 : 200 } });
  return start(s, { service: to, name: route, kind: SpanKind.SERVER, startMs: t + 0.4, durMs: Math.max(0.2, dur - 0.8), parent: client, error, attrs: { 'http.request.method': method, 'http.route': route.split(' ')[1], 'http.response.status_code': error ? 500 : 200 } });
}

function db(s: SpanSender, service: string, parent: Span, t: number, dur: number, statement: string, error?: string): void {
  const op = statement.split(' ')[0].toUpperCase();
  const table = /(?:from|into|update)\s+(\w+)/i.exec(statement)?.[1] ?? 'unknown';
  start(s, { service, name: `${op} shop.${table}`, kind: SpanKind.CLIENT, startMs: t, durMs: dur, parent, error, attrs: { 'db.system': 'postgresql', 'db.namespace': 'shop', 'db.query.text': statement, 'db.operation.name': op, 'server.address': 'pg-main', 'server.port': 5432 } });
}

/** Deterministic pseudo-random numbers, so screenshots and tests see the same shop every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

export interface ShopOptions {
  traces?: number;
  /** Traces are spread over this many minutes before `nowMs`. */
  spreadMinutes?: number;
  nowMs?: number;
  seed?: number;
}

/** Returns the trace ids sent, oldest first. */
export async function sendShopTraffic(collectorUrl: string, opts: ShopOptions = {}): Promise<string[]> {
  const s = new SpanSender(collectorUrl);
  const n = opts.traces ?? 240;
  const spread = (opts.spreadMinutes ?? 30) * 60_000;
  const now = opts.nowMs ?? Date.now();
  const rand = rng(opts.seed ?? 42);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = now - spread + (spread * i) / n + rand() * 500 - 5_000;
    // Payment errors burst in the middle third of the window.
    const burst = i > n / 3 && i < n / 2;
    const kind = rand();
    if (kind < 0.55) ids.push(checkout(s, t0, rand, burst));
    else if (kind < 0.85) ids.push(browse(s, t0, rand));
    else ids.push(orderStatus(s, t0, rand));
  }
  await s.flush();
  await s.shutdown();
  return ids;
}

function checkout(s: SpanSender, t: number, rand: () => number, burst: boolean): string {
  const payFails = rand() < (burst ? 0.45 : 0.04);
  const root = start(s, { service: 'web-frontend', name: 'POST /checkout', kind: SpanKind.SERVER, startMs: t, durMs: 180 + rand() * 120, error: payFails ? 'payment declined' : undefined, attrs: { 'http.request.method': 'POST', 'http.route': '/checkout' } });
  const co = call(s, 'web-frontend', 'checkout', 'POST /api/checkout', root, t + 2, 170 + rand() * 100, payFails ? 'payment failed' : undefined);
  const orders = call(s, 'checkout', 'orders', 'POST /orders', co, t + 5, 60 + rand() * 30);
  db(s, 'orders', orders, t + 8, 6 + rand() * 4, 'INSERT INTO orders (id, customer, total) VALUES ($1, $2, $3)');
  const inv = call(s, 'orders', 'inventory', 'POST /reserve', orders, t + 20, 30 + rand() * 10);
  db(s, 'inventory', inv, t + 22, 4 + rand() * 3, 'UPDATE stock SET reserved = reserved + $1 WHERE sku = $2');
  db(s, 'inventory', inv, t + 28, 3 + rand() * 2, 'SELECT * FROM orders WHERE id = $1');
  // inventory calls back into orders: the cycle.
  const back = call(s, 'inventory', 'orders', 'GET /orders/{id}', inv, t + 35, 8 + rand() * 4);
  db(s, 'orders', back, t + 36, 3, 'SELECT * FROM orders WHERE id = $1');
  const pay = call(s, 'checkout', 'payments', 'POST /charge', co, t + 75, 80 + rand() * 60, payFails ? 'card declined' : undefined);
  // The payment provider is not instrumented: only the client span exists.
  start(s, { service: 'payments', name: 'POST', kind: SpanKind.CLIENT, startMs: t + 80, durMs: 60 + rand() * 50, parent: pay, error: payFails ? 'HTTP 402' : undefined, attrs: { 'http.request.method': 'POST', 'server.address': 'api.stripe.com', 'server.port': 443, 'url.full': 'https://api.stripe.com/v1/charges', 'http.response.status_code': payFails ? 402 : 200 } });
  if (!payFails) {
    const prod = start(s, { service: 'checkout', name: 'order-events publish', kind: SpanKind.PRODUCER, startMs: t + 160, durMs: 2, parent: co, attrs: { 'messaging.system': 'kafka', 'messaging.destination.name': 'order-events', 'messaging.operation.type': 'publish' } });
    const cons = start(s, { service: 'notifications', name: 'order-events process', kind: SpanKind.CONSUMER, startMs: t + 190 + rand() * 200, durMs: 20 + rand() * 10, parent: prod, attrs: { 'messaging.system': 'kafka', 'messaging.destination.name': 'order-events', 'messaging.operation.type': 'process' } });
    call(s, 'notifications', 'email', 'POST /send', cons, t + 400, 15 + rand() * 10);
  }
  return root.spanContext().traceId;
}

function browse(s: SpanSender, t: number, rand: () => number): string {
  const root = start(s, { service: 'web-frontend', name: 'GET /products', kind: SpanKind.SERVER, startMs: t, durMs: 90 + rand() * 40, attrs: { 'http.request.method': 'GET', 'http.route': '/products' } });
  const cat = call(s, 'web-frontend', 'catalog', 'GET /products', root, t + 2, 40 + rand() * 10);
  db(s, 'catalog', cat, t + 4, 8 + rand() * 4, 'SELECT * FROM products LIMIT 20');
  const rec = call(s, 'web-frontend', 'recommendations', 'GET /recommendations', root, t + 45, 40 + rand() * 10);
  // N+1: one query per product.
  for (let k = 0; k < 12; k++) db(s, 'recommendations', rec, t + 47 + k * 3, 2, 'SELECT * FROM ratings WHERE product_id = $1');
  return root.spanContext().traceId;
}

function orderStatus(s: SpanSender, t: number, rand: () => number): string {
  const root = start(s, { service: 'web-frontend', name: 'GET /orders/{id}', kind: SpanKind.SERVER, startMs: t, durMs: 30 + rand() * 20, attrs: { 'http.request.method': 'GET', 'http.route': '/orders/{id}' } });
  const o = call(s, 'web-frontend', 'orders', 'GET /orders/{id}', root, t + 2, 20 + rand() * 10, rand() < 0.02 ? 'timeout' : undefined);
  db(s, 'orders', o, t + 4, 3 + rand() * 2, 'SELECT * FROM orders WHERE id = $1');
  return root.spanContext().traceId;
}

/** A synthetic graph of `services` services and about `edges` sync edges (one trace per edge), for the map at scale. */
export async function sendBigGraph(collectorUrl: string, services: number, edges: number, nowMs = Date.now()): Promise<void> {
  const s = new SpanSender(collectorUrl);
  const rand = rng(7);
  const name = (i: number) => `svc-${String(i).padStart(4, '0')}`;
  const seen = new Set<string>();
  // Layered like a real estate: each service calls services with higher indices.
  for (let k = 0; k < edges; k++) {
    const a = Math.floor(rand() * (services - 1));
    const b = Math.min(services - 1, a + 1 + Math.floor(rand() * Math.min(60, services - a - 1)));
    if (seen.has(`${a}>${b}`)) continue;
    seen.add(`${a}>${b}`);
    const t = nowMs - 10 * 60_000 + rand() * 9 * 60_000;
    const root = start(s, { service: name(a), name: 'GET /work', kind: SpanKind.SERVER, startMs: t, durMs: 20, attrs: { 'http.route': '/work' } });
    call(s, name(a), name(b), 'GET /work', root, t + 1, 10, rand() < 0.03 ? 'boom' : undefined);
  }
  await s.flush();
  await s.shutdown();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[2] ?? 'http://127.0.0.1:4318';
  if (process.argv[3] === '--big') {
    await sendBigGraph(url, Number(process.argv[4] ?? 1000), Number(process.argv[5] ?? 5000));
    console.log('sent the big graph');
  } else {
    const ids = await sendShopTraffic(url, { traces: Number(process.argv[3] ?? 240), spreadMinutes: Number(process.argv[4] ?? 30) });
    console.log(`sent ${ids.length} traces`);
  }
}
