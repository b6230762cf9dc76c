// The ingest workload shared by bench:ingest and the writer profile: 512-span OTLP protobuf
// requests built by the real OpenTelemetry SDK (one service per request, as SDKs send them),
// and fresh copies with unique ids and current timestamps.
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProtoReader } from '../lib/otlp/proto/wire.ts';

export const BATCH = 512;

// ---------- realistic spans from the real SDK ----------

function tracerFor(service: string, exporter: InMemorySpanExporter) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'service.version': '1.4.2',
      'service.instance.id': `${service}-7c9f6d5b8-x2k4q`,
      'deployment.environment.name': 'bench',
      'host.name': 'bench-node-1',
      'telemetry.sdk.name': 'opentelemetry',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': '2.0.0',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return provider.getTracer(`@bench/${service}`, '1.0.0');
}

/** One request through frontend → checkout → (postgres, inventory → redis): server, client and db spans. */
export function buildTemplates(): Uint8Array[] {
  const ex = { frontend: new InMemorySpanExporter(), checkout: new InMemorySpanExporter(), inventory: new InMemorySpanExporter() };
  const t = { frontend: tracerFor('frontend', ex.frontend), checkout: tracerFor('checkout', ex.checkout), inventory: tracerFor('inventory', ex.inventory) };
  for (let i = 0; i < 700; i++) {
    const id = 1000 + i;
    const root = t.frontend.startSpan('GET /api/orders/:id', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'http.route': '/api/orders/:id', 'url.path': `/api/orders/${id}`, 'url.scheme': 'https', 'http.response.status_code': 200, 'server.address': 'shop.example.com', 'server.port': 443, 'client.address': '10.0.3.17', 'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64)', 'network.protocol.version': '1.1' },
    });
    const rctx = trace.setSpan(context.active(), root);
    const call = t.frontend.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET', 'url.full': `http://checkout:8080/orders/${id}`, 'server.address': 'checkout', 'server.port': 8080, 'http.response.status_code': 200, 'network.peer.address': '10.0.5.2' } }, rctx);
    const cctx = trace.setSpan(context.active(), call);
    const srv = t.checkout.startSpan('GET /orders/{id}', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/orders/{id}', 'url.path': `/orders/${id}`, 'http.response.status_code': 200, 'server.address': 'checkout', 'server.port': 8080 } }, cctx);
    const sctx = trace.setSpan(context.active(), srv);
    for (const [op, table] of [['SELECT', 'orders'], ['SELECT', 'order_items'], ['UPDATE', 'orders']]) {
      const db = t.checkout.startSpan(`${op} shop.${table}`, { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'shop', 'db.collection.name': table, 'db.operation.name': op, 'db.query.text': `${op} * FROM ${table} WHERE order_id = $1`, 'server.address': 'orders-db', 'server.port': 5432 } }, sctx);
      db.end();
    }
    const inv = t.checkout.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET', 'url.full': `http://inventory:8080/items?order=${id}`, 'server.address': 'inventory', 'server.port': 8080, 'http.response.status_code': i % 50 === 0 ? 503 : 200 } }, sctx);
    if (i % 50 === 0) inv.setStatus({ code: SpanStatusCode.ERROR });
    const ictx = trace.setSpan(context.active(), inv);
    const isrv = t.inventory.startSpan('GET /items', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/items', 'url.path': '/items', 'url.query': `order=${id}`, 'http.response.status_code': i % 50 === 0 ? 503 : 200, 'server.address': 'inventory', 'server.port': 8080 } }, ictx);
    const redis = t.inventory.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'redis', 'db.namespace': '0', 'db.operation.name': 'GET', 'db.query.text': `GET stock:${id}`, 'server.address': 'cache', 'server.port': 6379 } }, trace.setSpan(context.active(), isrv));
    redis.end();
    if (i % 50 === 0) isrv.addEvent('exception', { 'exception.type': 'StockServiceDown', 'exception.message': 'upstream unavailable' });
    isrv.end();
    inv.end();
    srv.end();
    call.end();
    root.end();
  }
  const batches: Uint8Array[] = [];
  for (const e of Object.values(ex)) {
    const spans: ReadableSpan[] = e.getFinishedSpans();
    for (let i = 0; i + BATCH <= spans.length; i += BATCH) batches.push(ProtobufTraceSerializer.serializeRequest(spans.slice(i, i + BATCH))!);
  }
  return batches;
}

// ---------- unique ids and current timestamps per send ----------

export interface Template {
  buf: Uint8Array;
  /** Offsets of the first byte of every 16-byte trace id and 8-byte span id (span, parent, links). */
  ids: number[];
  /** Offsets of every fixed64 timestamp (span start/end, event time). */
  times: number[];
  baseNs: bigint;
}

export function indexTemplate(buf: Uint8Array): Template {
  const r = new ProtoReader(buf);
  const ids: number[] = [];
  const times: number[] = [];
  let baseNs = 0n;
  const walk = (end: number, depth: number) => {
    while (r.pos < end) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (wt !== 2) {
        if (depth === 3 && wt === 1 && (field === 7 || field === 8)) {
          times.push(r.pos);
          if (baseNs === 0n) baseNs = new DataView(buf.buffer, buf.byteOffset).getBigUint64(r.pos, true);
        }
        if (depth === 4 && wt === 1 && field === 1) times.push(r.pos);
        r.skip(wt);
        continue;
      }
      const e = r.delimitedEnd();
      // depth 0 ResourceSpans, 1 ScopeSpans, 2 Span (inside ScopeSpans field 2), 3 span fields.
      if (depth === 0 && field === 1) walk(e, 1);
      else if (depth === 1 && field === 2) walk(e, 2);
      else if (depth === 2 && field === 2) walk(e, 3);
      else if (depth === 3 && (field === 1 || field === 2 || field === 4) && e - r.pos > 0) ids.push(r.pos);
      else if (depth === 3 && (field === 11 || field === 13)) walk(e, 4);
      else if (depth === 4 && (field === 1 || field === 2) && e - r.pos > 0 && (e - r.pos === 16 || e - r.pos === 8)) ids.push(r.pos);
      r.pos = e;
    }
  };
  walk(buf.length, 0);
  return { buf, ids, times, baseNs };
}

let sendCounter = 0;

/**
 * The body of the next request, from a global send counter. By default the templates are sent
 * in rounds that share one id salt, so a round carries the same 700 traces from all three
 * services, each service's spans in its own requests — as three instrumented services export
 * parts of the same traces. `uniqueTraces` salts every request alone instead: each request's
 * traces are new (2.5 spans per trace id instead of 9, so 3.6× more trace-index inserts), a
 * harsher and less realistic load kept for comparison.
 */
export function nextBody(templates: Template[], uniqueTraces = false): Buffer {
  const n = sendCounter++;
  return freshBody(templates[n % templates.length], uniqueTraces ? n + 1 : Math.floor(n / templates.length) + 1);
}

/** A copy of the template with ids salted (the same XOR salt keeps parent links intact) and times moved to now. */
export function freshBody(t: Template, salt: number): Buffer {
  const out = Buffer.from(t.buf);
  for (const o of t.ids) out.writeUInt32LE((out.readUInt32LE(o) ^ salt) >>> 0, o);
  const shift = BigInt(Date.now()) * 1_000_000n - t.baseNs;
  for (const o of t.times) out.writeBigUInt64LE(out.readBigUInt64LE(o) + shift, o);
  return out;
}
