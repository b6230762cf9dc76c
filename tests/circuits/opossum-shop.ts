// A real two-service system for the breaker tests: `payments`, an HTTP service that can be told
// to fail, and `shop`, which calls it through an opossum circuit breaker. Both export through the
// real OpenTelemetry SDK to a Faultline collector, and shop reports its breaker by the convention
// in docs/circuit-breakers.md: a `circuit_breaker.state_change` event per transition, a
// `circuit_breaker.state` gauge, and refused calls as CLIENT spans marked circuit_breaker.state=open.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import CircuitBreaker from 'opossum';

export type State = 'closed' | 'open' | 'half_open';
const GAUGE: Record<State, number> = { closed: 0, open: 1, half_open: 2 };

function tracerProvider(service: string, collectorUrl: string): BasicTracerProvider {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${collectorUrl}/v1/traces` }), { scheduledDelayMillis: 200 })],
  });
}

export interface Payments {
  url: string;
  failing: boolean;
  requests: number;
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The callee: answers 503 while `failing`, else 200; a SERVER span per request, child of the caller's span. */
export async function startPayments(collectorUrl: string): Promise<Payments> {
  const provider = tracerProvider('payments', collectorUrl);
  const tracer = provider.getTracer('payments');
  const state = { failing: false, requests: 0 };
  const server = http.createServer((req, res) => {
    state.requests++;
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(String(req.headers.traceparent ?? ''));
    const parent = m ? trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1], spanId: m[2], traceFlags: TraceFlags.SAMPLED, isRemote: true }) : ROOT_CONTEXT;
    const span = tracer.startSpan('POST /charge', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.route': '/charge' } }, parent);
    const status = state.failing ? 503 : 200;
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'charged' : 'unavailable');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/charge`;
  return Object.assign(state, {
    url,
    flush: () => provider.forceFlush(),
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await provider.shutdown();
    },
  });
}

export interface Shop {
  /** Transitions as opossum announced them, with the instant reported. */
  transitions: { state: State; atMs: number }[];
  /** One checkout: the breaker's verdict. */
  checkout(): Promise<'ok' | 'failed' | 'rejected'>;
  state(): State;
  /** Resolves at the breaker's next transition to `state`. */
  next(state: State): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export interface ShopOptions {
  service?: string;
  breakerName?: string;
  /** opossum's resetTimeout: how long it stays open before half-opening. */
  resetTimeoutMs?: number;
  metricIntervalMs?: number;
}

export function startShop(collectorUrl: string, paymentsUrl: string, o: ShopOptions = {}): Shop {
  const service = o.service ?? 'shop';
  const name = o.breakerName ?? 'payments-breaker';
  const provider = tracerProvider(service, collectorUrl);
  const tracer: Tracer = provider.getTracer('shop');
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${collectorUrl}/v1/metrics`, temporalityPreference: AggregationTemporality.CUMULATIVE }),
    exportIntervalMillis: o.metricIntervalMs ?? 3_600_000,
  });
  const meters = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': service }), readers: [reader] });
  const breaker = new CircuitBreaker(async (call: () => Promise<string>) => call(), {
    name,
    timeout: 5_000,
    errorThresholdPercentage: 50,
    volumeThreshold: 4,
    resetTimeout: o.resetTimeoutMs ?? 600,
    rollingCountTimeout: 10_000,
  });
  const attrs = (s: State) => ({ 'circuit_breaker.name': name, 'circuit_breaker.state': s, 'service.peer.name': 'payments' });
  const current = (): State => (breaker.opened ? 'open' : breaker.halfOpen ? 'half_open' : 'closed');
  meters
    .getMeter('shop')
    .createObservableGauge('circuit_breaker.state', { description: '0 closed, 1 open, 2 half_open' })
    .addCallback((r) => r.observe(GAUGE[current()], attrs(current())));

  const transitions: Shop['transitions'] = [];
  const waiters: { state: State; resolve(): void }[] = [];
  // The call in flight: a transition a call caused is an event on that call's span.
  let inFlight: Span | undefined;
  const announce = (state: State) => {
    const atMs = Date.now();
    transitions.push({ state, atMs });
    if (inFlight) inFlight.addEvent('circuit_breaker.state_change', attrs(state), atMs);
    else {
      // opossum half-opens on a timer: no call is running, so the change gets a span of its own.
      const s = tracer.startSpan(`circuit_breaker ${name} state change`, { kind: SpanKind.INTERNAL, attributes: attrs(state), startTime: atMs });
      s.addEvent('circuit_breaker.state_change', attrs(state), atMs);
      s.end(atMs);
    }
    for (const w of waiters.splice(0)) if (w.state === state) w.resolve();
    else waiters.push(w);
  };
  breaker.on('open', () => announce('open'));
  breaker.on('halfOpen', () => announce('half_open'));
  breaker.on('close', () => announce('closed'));

  return {
    transitions,
    state: current,
    next: (state) => new Promise<void>((resolve) => waiters.push({ state, resolve })),
    async checkout() {
      const wrapper = tracer.startSpan(`circuit_breaker ${name}`, { kind: SpanKind.INTERNAL, attributes: attrs(current()) });
      const ctx = trace.setSpan(ROOT_CONTEXT, wrapper);
      inFlight = wrapper;
      try {
        await breaker.fire(async () => {
          const client = tracer.startSpan('POST', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'POST', 'url.full': paymentsUrl, 'service.peer.name': 'payments' } }, ctx);
          const sc = client.spanContext();
          try {
            const res = await fetch(paymentsUrl, { method: 'POST', headers: { traceparent: `00-${sc.traceId}-${sc.spanId}-01` } });
            await res.text();
            client.setAttribute('http.response.status_code', res.status);
            if (res.status >= 500) {
              client.setStatus({ code: SpanStatusCode.ERROR });
              throw new Error(`payments answered ${res.status}`);
            }
            return 'ok';
          } finally {
            client.end();
          }
        });
        return 'ok';
      } catch (err) {
        wrapper.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        if ((err as { code?: string }).code !== 'EOPENBREAKER') return 'failed';
        // Refused without a request: still a CLIENT span, so the edge shows what callers experienced.
        const refused = tracer.startSpan('POST', { kind: SpanKind.CLIENT, attributes: { ...attrs('open'), 'http.request.method': 'POST', 'url.full': paymentsUrl, 'error.type': 'circuit_open' } }, ctx);
        refused.setStatus({ code: SpanStatusCode.ERROR, message: `circuit breaker ${name} is open` });
        refused.end();
        return 'rejected';
      } finally {
        inFlight = undefined;
        wrapper.end();
      }
    },
    async flush() {
      await provider.forceFlush();
      await reader.forceFlush();
    },
    async close() {
      breaker.shutdown();
      await provider.shutdown();
      await meters.shutdown();
    },
  };
}
