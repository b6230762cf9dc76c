// A Faro payload shaped like @grafana/faro-web-sdk's fetch transport body (TransportBody of
// @grafana/faro-core: meta, logs, exceptions, measurements, events, traces), with the traces
// part serialized by the real OpenTelemetry JS serializer as a browser document-load trace.
import { SpanKind, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface FaroFixture {
  payload: Record<string, unknown>;
  traceId: string;
  fetchSpanId: string;
}

/** `sentinel` is a URL the payload names (page, stack frames, source map): the receiver must never request it. */
export function faroPayload(appName = 'shop-web', sentinel = 'http://127.0.0.1:9/never'): FaroFixture {
  const exporter = new InMemorySpanExporter();
  // No service.name on the resource: the SDK's default (unknown_service:…) must be replaced by meta.app.name.
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('@grafana/faro-web-tracing', '2.12.1');
  const load = tracer.startSpan('documentLoad', { kind: SpanKind.INTERNAL, attributes: { 'http.url': `${sentinel}/index.html` } });
  const fetchSpan = tracer.startSpan(
    'HTTP GET',
    { kind: SpanKind.CLIENT, attributes: { 'http.method': 'GET', 'http.url': `${sentinel}/api/cart`, 'http.status_code': 200 } },
    trace.setSpan(context.active(), load),
  );
  fetchSpan.end();
  load.end();
  const spans = exporter.getFinishedSpans();
  const traces = JSON.parse(new TextDecoder().decode(JsonTraceSerializer.serializeRequest(spans)!));
  const traceId = load.spanContext().traceId;
  const fetchSpanId = fetchSpan.spanContext().spanId;
  const now = new Date().toISOString();
  const tctx = { trace_id: traceId, span_id: fetchSpanId };
  return {
    traceId,
    fetchSpanId,
    payload: {
      meta: {
        sdk: { name: '@grafana/faro-web-sdk', version: '2.12.1', integrations: [{ name: '@grafana/faro-web-tracing', version: '2.12.1' }] },
        app: { name: appName, version: '1.4.0', environment: 'production' },
        session: { id: 'sess-abc123', attributes: {} },
        page: { url: `${sentinel}/checkout?step=2`, id: 'pg1' },
        browser: { name: 'Chromium', version: '156', os: 'Linux', mobile: false, userAgent: 'Mozilla/5.0 (X11; Linux x86_64)', language: 'en-US' },
        view: { name: 'checkout' },
      },
      logs: [
        { message: 'cart loaded', level: 'info', context: { items: '3' }, timestamp: now, trace: tctx },
        { message: 'slow image', level: 'warn', context: {}, timestamp: now },
      ],
      exceptions: [
        {
          type: 'TypeError',
          value: "Cannot read properties of undefined (reading 'price')",
          timestamp: now,
          stacktrace: {
            frames: [
              { filename: `${sentinel}/static/app.js`, function: 'renderCart', lineno: 120, colno: 14 },
              { filename: `${sentinel}/static/vendor.js`, function: 'commitRoot', lineno: 9000, colno: 3 },
            ],
          },
          trace: tctx,
        },
      ],
      measurements: [
        { type: 'web-vitals', values: { lcp: 1234.5, cls: 0.02, ttfb: 88 }, timestamp: now, context: { rating: 'good' } },
      ],
      events: [{ name: 'session_start', domain: 'browser', attributes: { referrer: `${sentinel}/ref` }, timestamp: now }],
      traces,
    },
  };
}
