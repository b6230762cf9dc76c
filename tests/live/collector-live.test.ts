// End to end: two services' real OpenTelemetry SDK exporters send the two halves of one call to a
// real collector in separate requests, server half first; the collector's live analyzer thread
// pairs them from storage and the graph query shows the edge.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '../../collector/index.ts';
import { Query } from '../../lib/query/query.ts';
import { openStore } from '../../lib/store/index.ts';
import { RollupReader } from '../../lib/store/rollups/reader.ts';

function provider(service: string): { tracer: ReturnType<BasicTracerProvider['getTracer']>; spans: () => ReadableSpan[] } {
  const mem = new InMemorySpanExporter();
  const p = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(mem)] });
  return { tracer: p.getTracer('tests.live'), spans: () => mem.getFinishedSpans() };
}

function exportTo(url: string, spans: ReadableSpan[]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces` });
  return new Promise((resolve, reject) => {
    exporter.export(spans, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed'))));
  });
}

async function until<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('collector + live analyzer thread', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-live-e2e-'));
  const dbPath = path.join(dir, 'live.db');
  let collector: RunningCollector | undefined;
  let query: Query | undefined;

  afterAll(async () => {
    query?.close();
    await collector?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('pairs halves sent in separate requests, server first, and shows the edge in the graph', async () => {
    collector = await startCollector({ port: 0, dbUrl: dbPath, retentionMs: 0 });
    const web = provider('web');
    const orders = provider('orders');
    const root = web.tracer.startSpan('GET /checkout', { kind: SpanKind.SERVER });
    const client = web.tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'server.address': 'orders', 'server.port': 8080 } }, trace.setSpan(context.active(), root));
    const server = orders.tracer.startSpan('GET /orders/{id}', { kind: SpanKind.SERVER }, trace.setSpan(context.active(), client));
    server.end();
    client.end();
    root.end();

    await exportTo(collector.url, orders.spans());
    await exportTo(collector.url, web.spans());

    const store = openStore(dbPath);
    query = new Query({ store, rollups: new RollupReader(dbPath), graphCacheMs: 0 });
    const q = query;
    const graph = await until(() => {
      const g = q.graph({ fromMs: Date.now() - 15 * 60_000, toMs: Date.now() + 60_000 });
      return g.edges.some((e) => e.id === 'web->orders|sync') ? g : undefined;
    }, 20_000);
    expect(graph.edges.map((e) => [e.id, e.calls, e.paired])).toEqual([
      ['client->web|sync', 1, 0],
      ['web->orders|sync', 1, 1],
    ]);
    expect(graph.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['client', 'client'],
      ['orders', 'service'],
      ['web', 'service'],
    ]);
    expect(graph.freshness.spansBehind).toBe(0);

    // The collector's /metrics tells how far the analyzer got (a pass reports every 500 ms).
    const metric = async (name: string) => {
      const text = await (await fetch(`${collector!.url}/metrics`)).text();
      return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1]);
    };
    await until(async () => ((await metric('faultline_live_spans_analyzed_total')) === 3 ? true : undefined), 5_000);
    expect(await metric('faultline_live_leader')).toBe(1);
    expect(await metric('faultline_live_spans_behind')).toBe(0);
    expect(await metric('faultline_live_errors_total')).toBe(0);
    // The writers handed both commits to the analyzer: nothing was read back from storage.
    expect(await metric('faultline_live_spans_fed_total')).toBe(3);
    expect(await metric('faultline_live_feed_dropped_spans_total')).toBe(0);
    // Each thread's V8 heap: in use, and held (in use plus garbage not yet collected, at least as much).
    for (const thread of ['http', 'writer', 'live']) {
      const used = await metric(`faultline_collector_memory_bytes{kind="heap_used",thread="${thread}"}`);
      const held = await metric(`faultline_collector_memory_bytes{kind="heap_physical",thread="${thread}"}`);
      expect(used, thread).toBeGreaterThan(0);
      expect(held, thread).toBeGreaterThanOrEqual(used);
    }
    // And the buffers each thread's objects own outside its heap (request bodies, feed groups, the pending clients' columns).
    expect(await metric('faultline_collector_memory_bytes{kind="external"}')).toBeGreaterThan(0);
    for (const thread of ['writer', 'live']) expect(await metric(`faultline_collector_memory_bytes{kind="external",thread="${thread}"}`), thread).toBeGreaterThan(0);
  });
});
