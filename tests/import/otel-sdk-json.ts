// Real OTLP/JSON produced by the OpenTelemetry JS SDK and its own JSON serializer (the bytes
// @opentelemetry/exporter-trace-otlp-http sends), so import tests read what SDKs really write.
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

export interface SdkTrace {
  spans: ReadableSpan[];
  /** ExportTraceServiceRequest as JSON text, exactly as the SDK serializes it. */
  json: string;
}

/** A small checkout trace: frontend SERVER → CLIENT → orders SERVER → DB CLIENT (error). */
export function sdkTrace(service = 'frontend', callee = 'orders'): SdkTrace {
  const exporter = new InMemorySpanExporter();
  const make = (name: string) =>
    new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': name, 'service.version': '1.2.3' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
  const front = make(service).getTracer('checkout', '0.1.0');
  const back = make(callee).getTracer('orders-lib');
  const root = front.startSpan('GET /checkout', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/checkout' } });
  const rootCtx = trace.setSpan(context.active(), root);
  const client = front.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'http.method': 'GET', 'net.peer.name': callee, 'http.status_code': 500 } }, rootCtx);
  const server = back.startSpan('GET /orders', { kind: SpanKind.SERVER, attributes: { 'http.route': '/orders' } }, trace.setSpan(context.active(), client));
  const db = back.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', 'db.name': 'shop', 'db.statement': 'select * from orders' } }, trace.setSpan(context.active(), server));
  db.addEvent('retry', { attempt: 2 });
  db.setStatus({ code: SpanStatusCode.ERROR, message: 'connection reset' });
  db.end();
  server.end();
  client.end();
  root.end();
  const spans = exporter.getFinishedSpans();
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error('the SDK serializer returned nothing');
  return { spans, json: new TextDecoder().decode(bytes) };
}
