// Spans made by the real OpenTelemetry SDK, and what the store must give back for them.
import { SpanKind, SpanStatusCode, context, trace, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Span } from '../../lib/model/index.ts';

export function hrToNs(t: HrTime): bigint {
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

export const RESOURCE_ATTRS = {
  'service.name': 'checkout',
  'service.namespace': 'shop',
  'service.version': '2.3.1',
  'service.instance.id': 'checkout-1',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.version': '2.0.0',
  'host.cores': 2,
};

/** A small trace with every field kind: nested spans, typed attributes, events, links, statuses. */
export function makeSdkSpans(resourceAttrs: Record<string, string | number> = RESOURCE_ATTRS): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(resourceAttrs), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('tests.collector', '0.9.0');
  const linked = tracer.startSpan('background job', { kind: SpanKind.INTERNAL });
  linked.end();
  const root = tracer.startSpan('POST /orders', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'POST',
      'http.route': '/orders',
      'http.response.status_code': 201,
      'app.ratio': 0.25,
      'app.flag': true,
      'app.tags': ['a', 'b'],
      'app.counts': [1, 2, 3],
      'app.big': 9007199254740991,
    },
    links: [{ context: linked.spanContext(), attributes: { 'link.reason': 'follows' } }],
  });
  const ctx = trace.setSpan(context.active(), root);
  const db = tracer.startSpan('INSERT shop.orders', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'shop', 'server.address': 'pg', 'server.port': 5432 } }, ctx);
  db.addEvent('retry', { attempt: 2 });
  db.setStatus({ code: SpanStatusCode.ERROR, message: 'deadlock detected' });
  db.end();
  const pub = tracer.startSpan('orders publish', { kind: SpanKind.PRODUCER, attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' } }, ctx);
  pub.end();
  root.setStatus({ code: SpanStatusCode.OK });
  root.addEvent('validated');
  root.end();
  return exporter.getFinishedSpans();
}

const KINDS: Span['kind'][] = ['internal', 'server', 'client', 'producer', 'consumer'];
const STATUSES: Span['status']['code'][] = ['unset', 'ok', 'error'];

/** The model span the SDK span must become (attributes already use the new semconv names). */
export function expectedSpan(s: ReadableSpan): Partial<Span> {
  const sc = s.spanContext();
  const start = hrToNs(s.startTime);
  const end = hrToNs(s.endTime);
  const out: Partial<Span> = {
    traceId: sc.traceId,
    spanId: sc.spanId,
    name: s.name,
    kind: KINDS[s.kind],
    startNs: start,
    endNs: end,
    durationNs: Number(end - start),
    status: s.status.message ? { code: STATUSES[s.status.code], message: s.status.message } : { code: STATUSES[s.status.code] },
    attributes: { ...s.attributes } as Span['attributes'],
    events: s.events.map((e) => ({ name: e.name, timeNs: hrToNs(e.time), attributes: { ...(e.attributes ?? {}) } as Span['attributes'] })),
    links: s.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: { ...(l.attributes ?? {}) } as Span['attributes'] })),
  };
  const parent = s.parentSpanContext?.spanId;
  if (parent) out.parentSpanId = parent;
  return out;
}
