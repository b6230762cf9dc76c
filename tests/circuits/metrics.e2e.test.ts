// resilience4j- and Polly-shaped breaker metrics, sent through the real OpenTelemetry metrics
// exporter to the real collector, map to their edges by breaker name; a breaker no edge matches
// is listed unmapped; and a breaker known only from metrics keeps missing-circuit-breaker quiet
// on its edge while an unprotected caller of the same failing service is still flagged.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitsResponse } from '../../lib/query/circuits.ts';
import { findingsResponse } from '../../lib/query/findings.ts';
import type { CircuitJson } from '../../lib/query/types.ts';
import { startTestCollector, withStore, type TestCollector } from '../collector/helpers.ts';

let tc: TestCollector;
const providers: { shutdown(): Promise<void> }[] = [];
// Whole minutes: the rule judges per-minute buckets, and a partial first minute reads as a rate change.
const T_START = Math.floor((Date.now() - 4 * 60_000) / 60_000) * 60_000;

function meters(service: string) {
  const reader = new PeriodicExportingMetricReader({
    exporter: new OTLPMetricExporter({ url: `${tc.collector.url}/v1/metrics`, temporalityPreference: AggregationTemporality.CUMULATIVE }),
    exportIntervalMillis: 3_600_000,
  });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': service }), readers: [reader] });
  providers.push(provider);
  return { meter: provider.getMeter('resilience'), flush: () => reader.forceFlush() };
}

function tracer(service: string) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${tc.collector.url}/v1/traces` }))],
  });
  providers.push(provider);
  return { tracer: provider.getTracer(service), flush: () => provider.forceFlush() };
}

/** `perMinute` calls caller → callee for `minutes`, each answered by a SERVER span, failing when `failing`. */
async function traffic(caller: string, callee: string, opts: { perMinute: number; minutes: number; failing: boolean }) {
  const c = tracer(caller);
  const s = tracer(callee);
  for (let i = 0; i < opts.perMinute * opts.minutes; i++) {
    const at = T_START + Math.floor((i * 60_000) / opts.perMinute);
    const client = c.tracer.startSpan('GET /stock', { kind: SpanKind.CLIENT, startTime: at, attributes: { 'http.request.method': 'GET', 'server.address': callee } });
    const ctx = trace.setSpan(ROOT_CONTEXT, client);
    const server = s.tracer.startSpan('GET /stock', { kind: SpanKind.SERVER, startTime: at + 1, attributes: { 'http.route': '/stock' } }, ctx);
    if (opts.failing) {
      server.setStatus({ code: SpanStatusCode.ERROR });
      client.setStatus({ code: SpanStatusCode.ERROR });
    }
    server.end(at + 4);
    client.end(at + 5);
  }
  await c.flush();
  await s.flush();
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  tc = await startTestCollector();
  await traffic('checkout-java', 'inventory', { perMinute: 20, minutes: 3, failing: true });
  // 300 a minute: 10 calls inside 10 s, enough for the standard breaker to judge (20 a minute never is).
  await traffic('reports', 'inventory', { perMinute: 300, minutes: 3, failing: true });
  await traffic('basket-dotnet', 'pricing', { perMinute: 5, minutes: 1, failing: false });
  // Every span must be stored before the tests judge (an export lost under load fails here, plainly).
  const expected = 2 * (60 + 900 + 5);
  const stored = withStore(tc.dbPath, (s) => s.stats().spans);
  expect(stored).toBe(expected);
});

afterAll(async () => {
  for (const p of providers) await p.shutdown();
  await tc?.cleanup();
});

function circuits(): CircuitJson[] {
  const now = Date.now() + 1_000;
  return withStore(tc.dbPath, (s) => circuitsResponse(s, T_START - 60_000, now, { nowMs: now })).circuits;
}

describe('resilience4j gauge (Micrometer/OTel names)', () => {
  it('closed → open → half_open → closed on checkout-java → inventory, by breaker name', async () => {
    const { meter, flush } = meters('checkout-java');
    let active = 'closed';
    meter.createObservableGauge('resilience4j.circuitbreaker.state').addCallback((r) => {
      for (const state of ['closed', 'open', 'half_open', 'forced_open', 'disabled']) r.observe(state === active ? 1 : 0, { name: 'inventoryService', state });
    });
    // A breaker whose name matches no service: still listed, unmapped.
    meter.createObservableGauge('resilience4j.circuitbreaker.state').addCallback((r) => {
      for (const state of ['closed', 'open']) r.observe(state === 'open' ? 1 : 0, { name: 'legacyMainframe', state });
    });
    const readAt: number[] = [];
    for (const s of ['closed', 'open', 'half_open', 'closed']) {
      active = s;
      readAt.push(Date.now());
      await flush();
      await pause(5);
    }
    const c = circuits().find((x) => x.caller === 'checkout-java' && x.breaker === 'inventoryService')!;
    expect(c).toMatchObject({ callee: 'inventory', source: 'reported', mappedBy: 'name', reporters: ['resilience4j'], state: 'closed', initialState: 'closed' });
    expect(c.transitions.map((t) => [t.from, t.to])).toEqual([
      ['closed', 'open'],
      ['open', 'half_open'],
      ['half_open', 'closed'],
    ]);
    // Each change is dated by the export that first read it.
    c.transitions.forEach((t, i) => expect(t.atMs).toBeGreaterThanOrEqual(readAt[i + 1]));
    expect(c.calls).toBe(60);
    expect(c.failureRate).toBe(1);

    const legacy = circuits().find((x) => x.breaker === 'legacyMainframe')!;
    expect(legacy).toMatchObject({ caller: 'checkout-java', callee: null, mappedBy: null, source: 'reported', state: 'open' });
  });
});

describe('Polly v8 resilience events', () => {
  it('OnCircuitOpened / HalfOpened / Closed counter rises map to basket-dotnet → pricing', async () => {
    const { meter, flush } = meters('basket-dotnet');
    const events = meter.createCounter('resilience.polly.strategy.events');
    const tags = { 'event.severity': 'Warning', 'pipeline.name': 'pricing-pipeline', 'pipeline.instance': '', 'strategy.name': 'circuit-breaker' };
    const readAt: number[] = [];
    for (const ev of ['OnCircuitOpened', 'OnCircuitHalfOpened', 'OnCircuitClosed']) {
      events.add(1, { ...tags, 'event.name': ev });
      // Another strategy's events in the same counter are not breaker transitions.
      events.add(1, { ...tags, 'strategy.name': 'retry', 'event.name': 'OnRetry' });
      readAt.push(Date.now());
      await flush();
      await pause(5);
    }
    const c = circuits().find((x) => x.caller === 'basket-dotnet' && x.source === 'reported')!;
    expect(c).toMatchObject({ callee: 'pricing', breaker: 'pricing-pipeline', mappedBy: 'name', reporters: ['polly'], state: 'closed' });
    expect(c.transitions.map((t) => t.to)).toEqual(['open', 'half_open', 'closed']);
    c.transitions.forEach((t, i) => expect(t.atMs).toBeGreaterThanOrEqual(readAt[i]));
    expect(c.calls).toBe(5);
    expect(circuits().some((x) => x.source === 'inferred' && x.caller === 'basket-dotnet' && x.callee === 'pricing')).toBe(false);
  });
});

describe('inference beside reported breakers', () => {
  it('reports → inventory has no breaker: inferred, open at its 10th failing call, never labelled reported', () => {
    const c = circuits().find((x) => x.caller === 'reports' && x.callee === 'inventory')!;
    expect(c).toMatchObject({ source: 'inferred', breaker: null, reporters: [] });
    expect(c.transitions[0]).toMatchObject({ from: 'closed', to: 'open', atMs: T_START + 9 * 200 + 5 });
  });
});

describe('findings with metric-reported breakers', () => {
  it('missing-circuit-breaker flags reports → inventory but not checkout-java → inventory (resilience4j)', () => {
    const now = Date.now() + 1_000;
    const f = withStore(tc.dbPath, (s) => findingsResponse(s, T_START - 60_000, now, { nowMs: now, spanLimit: 100_000 }));
    const flagged = f.findings.filter((x) => x.rule === 'missing-circuit-breaker').map((x) => x.resources.find((r) => r.kind === 'edge')?.name);
    expect(flagged).toContain('reports->inventory');
    expect(flagged).not.toContain('checkout-java->inventory');
  });
});
