// The collector's maintenance thread keeps the trace-id index file current (the writers only
// append trace rows): spans sent with the real OpenTelemetry exporter end up indexed without
// anyone else opening the database, and /metrics says how far indexing has got.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { type TestCollector, metricValue, startTestCollector, withStore } from './helpers.ts';
import { makeSdkSpans } from './sdk-spans.ts';
import { indexEntries } from '../store/helpers.ts';

let tc: TestCollector | undefined;
afterAll(async () => {
  await tc?.cleanup();
});

function exportWith(exporter: OTLPTraceExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

describe('trace-id index in the collector', () => {
  it('indexes the traces it stores in the background and reports it on /metrics', async () => {
    tc = await startTestCollector({ live: false });
    const exporter = new OTLPTraceExporter({ url: `${tc.collector.url}/v1/traces` });
    const traceIds = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const spans = makeSdkSpans();
      for (const s of spans) traceIds.add(s.spanContext().traceId);
      expect((await exportWith(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
    }
    await exporter.shutdown();
    // Wait for the maintenance thread's passes (bounded; this waits, it does not time).
    let done = 0;
    for (let i = 0; i < 200; i++) {
      done = await metricValue(tc.collector.url, 'faultline_collector_trace_ids_indexed_total');
      if (done >= traceIds.size) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(done).toBe(traceIds.size);
    expect(await metricValue(tc.collector.url, 'faultline_collector_trace_ids_unindexed')).toBe(0);
    const entries = indexEntries(tc.dbPath);
    expect([...entries.keys()].sort()).toEqual([...traceIds].sort());
    withStore(tc.dbPath, (s) => {
      for (const t of traceIds) expect(s.getTrace(t).length).toBeGreaterThan(0);
    });
  });
});
