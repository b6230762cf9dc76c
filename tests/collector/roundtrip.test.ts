// Round trip through the real OpenTelemetry JS exporters: what the store gives back equals
// what the SDK sent, field by field.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestCollector, startTestCollector, withStore } from './helpers.ts';
import { RESOURCE_ATTRS, expectedSpan, makeSdkSpans } from './sdk-spans.ts';

let tc: TestCollector;
beforeAll(async () => {
  tc = await startTestCollector();
});
afterAll(async () => {
  await tc.cleanup();
});

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

function checkStored(spans: ReadableSpan[]): void {
  const traceIds = [...new Set(spans.map((s) => s.spanContext().traceId))];
  const stored = withStore(tc.dbPath, (s) => traceIds.flatMap((t) => s.getTrace(t)));
  expect(stored).toHaveLength(spans.length);
  for (const sdk of spans) {
    const got = stored.find((x) => x.spanId === sdk.spanContext().spanId);
    expect(got, `span ${sdk.name}`).toBeDefined();
    expect(got).toMatchObject(expectedSpan(sdk));
    expect(got!.resource).toMatchObject({ serviceName: 'checkout', serviceNamespace: 'shop', serviceVersion: '2.3.1', serviceInstanceId: 'checkout-1' });
    expect(got!.resource.attributes).toEqual(RESOURCE_ATTRS);
    expect(got!.scope).toMatchObject({ name: 'tests.collector', version: '0.9.0' });
  }
  const root = stored.find((x) => x.name === 'POST /orders')!;
  // Typed attributes survive: ints stay ints, doubles doubles, arrays arrays.
  expect(root.attributes['http.response.status_code']).toBe(201);
  expect(root.attributes['app.ratio']).toBe(0.25);
  expect(root.attributes['app.flag']).toBe(true);
  expect(root.attributes['app.tags']).toEqual(['a', 'b']);
  expect(root.attributes['app.counts']).toEqual([1, 2, 3]);
  expect(root.links).toHaveLength(1);
  expect(root.events.map((e) => e.name)).toEqual(['validated']);
  const db = stored.find((x) => x.kind === 'client')!;
  expect(db.status).toEqual({ code: 'error', message: 'deadlock detected' });
  expect(db.parentSpanId).toBe(root.spanId);
  expect(db.events[0].attributes).toEqual({ attempt: 2 });
}

describe('traces', () => {
  it('exporter-trace-otlp-proto (protobuf) round-trips every field', async () => {
    const spans = makeSdkSpans();
    const exporter = new OTLPTraceExporterProto({ url: `${tc.collector.url}/v1/traces` });
    const res = await exportWith(exporter, spans);
    expect(res.code, String(res.error)).toBe(ExportResultCode.SUCCESS);
    checkStored(spans);
    await exporter.shutdown();
  });

  it('exporter-trace-otlp-http (JSON) round-trips every field', async () => {
    const spans = makeSdkSpans();
    const exporter = new OTLPTraceExporterJson({ url: `${tc.collector.url}/v1/traces` });
    const res = await exportWith(exporter, spans);
    expect(res.code, String(res.error)).toBe(ExportResultCode.SUCCESS);
    checkStored(spans);
    await exporter.shutdown();
  });

  it('gzip-compressed protobuf from the exporter is accepted', async () => {
    const spans = makeSdkSpans();
    const exporter = new OTLPTraceExporterProto({ url: `${tc.collector.url}/v1/traces`, compression: CompressionAlgorithm.GZIP });
    const res = await exportWith(exporter, spans);
    expect(res.code, String(res.error)).toBe(ExportResultCode.SUCCESS);
    checkStored(spans);
    await exporter.shutdown();
  });

  it('a BatchSpanProcessor flush of many spans is stored completely', async () => {
    const exporter = new OTLPTraceExporterProto({ url: `${tc.collector.url}/v1/traces` });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'batcher' }),
      spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, maxQueueSize: 4096, scheduledDelayMillis: 60_000 })],
    });
    const tracer = provider.getTracer('batch');
    const root = tracer.startSpan('root');
    const ctx = trace.setSpan(context.active(), root);
    for (let i = 0; i < 1999; i++) tracer.startSpan(`child ${i}`, {}, ctx).end();
    root.end();
    await provider.forceFlush();
    const traceId = root.spanContext().traceId;
    const stored = withStore(tc.dbPath, (s) => s.getTrace(traceId));
    expect(stored).toHaveLength(2000);
    expect(new Set(stored.map((s) => s.spanId)).size).toBe(2000);
    await provider.shutdown();
  });
});

describe('metrics', () => {
  it('exporter-metrics-otlp-http round-trips a counter, a histogram and a gauge', async () => {
    const exporter = new OTLPMetricExporter({ url: `${tc.collector.url}/v1/metrics`, temporalityPreference: AggregationTemporality.CUMULATIVE });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'metered' }), readers: [reader] });
    const meter = provider.getMeter('tests.metrics', '1.0.0');
    const counter = meter.createCounter('orders.placed', { unit: '{order}', description: 'orders placed' });
    counter.add(3, { region: 'eu' });
    counter.add(2, { region: 'eu' });
    const hist = meter.createHistogram('http.server.request.duration', { unit: 's' });
    for (const v of [0.004, 0.02, 0.3]) hist.record(v, { 'http.route': '/orders' });
    const gauge = meter.createGauge('queue.depth');
    gauge.record(17, { queue: 'q1' });
    await reader.forceFlush();

    const points = withStore(tc.dbPath, (s) => s.queryMetrics({ service: 'metered' }));
    const byName = new Map(points.map((p) => [p.name, p]));
    expect(byName.get('orders.placed')).toMatchObject({ type: 'sum', monotonic: true, temporality: 'cumulative', value: 5, unit: '{order}', description: 'orders placed', attributes: { region: 'eu' } });
    const h = byName.get('http.server.request.duration')!;
    expect(h).toMatchObject({ type: 'histogram', count: 3, unit: 's', attributes: { 'http.route': '/orders' }, min: 0.004, max: 0.3 });
    expect(h.sum).toBeCloseTo(0.324, 9);
    expect(h.bucketCounts!.reduce((a, b) => a + b, 0)).toBe(3);
    expect(h.bucketCounts!.length).toBe(h.explicitBounds!.length + 1);
    expect(byName.get('queue.depth')).toMatchObject({ type: 'gauge', value: 17, attributes: { queue: 'q1' } });
    expect(h.resource.serviceName).toBe('metered');
    expect(h.scope).toMatchObject({ name: 'tests.metrics', version: '1.0.0' });
    await provider.shutdown();
  });
});

describe('logs', () => {
  it('exporter-logs-otlp-http round-trips a log record correlated to a span', async () => {
    // Records captured from the SDK, then exported with the real exporter and its result awaited:
    // SimpleLogRecordProcessor.forceFlush does not wait for the HTTP export to finish.
    const captured = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ resource: resourceFromAttributes({ 'service.name': 'logger' }), processors: [new SimpleLogRecordProcessor({ exporter: captured })] });
    const spanCtx = makeSdkSpans()[0].spanContext();
    const logger = provider.getLogger('tests.logs', '1.0.0');
    const when = Date.now();
    logger.emit({
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: 'payment declined',
      attributes: { 'order.id': 42, retry: false },
      timestamp: when,
      context: trace.setSpanContext(context.active(), spanCtx),
    });
    await provider.forceFlush();
    const exporter = new OTLPLogExporter({ url: `${tc.collector.url}/v1/logs` });
    const res = await new Promise<ExportResult>((resolve) => exporter.export(captured.getFinishedLogRecords(), resolve));
    expect(res.code, String(res.error)).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    const logs = withStore(tc.dbPath, (s) => s.queryLogs({ traceId: spanCtx.traceId }));
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      body: 'payment declined',
      attributes: { 'order.id': 42, retry: false },
      traceId: spanCtx.traceId,
      spanId: spanCtx.spanId,
      timeNs: BigInt(when) * 1_000_000n,
    });
    expect(logs[0].resource.serviceName).toBe('logger');
    await provider.shutdown();
  });
});
