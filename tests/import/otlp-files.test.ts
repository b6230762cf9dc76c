// OTLP JSON files in the three shapes people have: one request, an array of requests, and
// JSON-lines (the OpenTelemetry Collector's file exporter), made by the real SDK serializer.
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { sdkTrace } from './otel-sdk-json.ts';
import { readAll, tempDir } from './helpers.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const a = sdkTrace('frontend', 'orders');
const b = sdkTrace('web', 'billing');

describe('OTLP JSON trace files', () => {
  it('one ExportTraceServiceRequest: every field the SDK wrote', async () => {
    const r = await readAll(tmp.file('one.json', a.json));
    expect(r.format).toBe('otlp-json');
    expect(r.rejected).toBe(0);
    expect(r.spans).toHaveLength(4);
    for (const sdk of a.spans) {
      const s = r.spans.find((x) => x.spanId === sdk.spanContext().spanId)!;
      expect(s.traceId).toBe(sdk.spanContext().traceId);
      expect(s.name).toBe(sdk.name);
      expect(s.resource.serviceName).toBe(sdk.resource.attributes['service.name']);
      expect(s.parentSpanId).toBe(sdk.parentSpanContext?.spanId);
    }
    const db = r.spans.find((s) => s.name === 'SELECT orders')!;
    expect(db.kind).toBe('client');
    expect(db.status).toEqual({ code: 'error', message: 'connection reset' });
    expect(db.attributes).toMatchObject({ 'db.system.name': 'postgresql', 'db.namespace': 'shop', 'db.query.text': 'select * from orders' });
    expect(db.events.map((e) => [e.name, e.attributes])).toEqual([['retry', { attempt: 2 }]]);
    expect(db.scope.name).toBe('orders-lib');
  });

  it('pretty-printed, across lines, split into chunks of 5 bytes', async () => {
    const pretty = JSON.stringify(JSON.parse(a.json), null, 2);
    const r = await readAll(tmp.file('pretty.json', pretty), { chunkSize: 5 });
    expect(r.format).toBe('otlp-json');
    expect(r.spans).toHaveLength(4);
  });

  it('an array of requests', async () => {
    const r = await readAll(tmp.file('array.json', `[${a.json},\n${b.json}]`));
    expect(r.format).toBe('otlp-json');
    expect(r.spans).toHaveLength(8);
    expect(new Set(r.spans.map((s) => s.resource.serviceName))).toEqual(new Set(['frontend', 'orders', 'web', 'billing']));
  });

  it('JSON-lines, one request per line, read in batches', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => (i % 2 ? a.json : b.json)).join('\n') + '\n';
    const r = await readAll(tmp.file('export.jsonl', lines), { batchSize: 16, chunkSize: 4096 });
    expect(r.format).toBe('otlp-json-lines');
    expect(r.spans).toHaveLength(200);
    expect(r.batches).toBeGreaterThan(5);
  });

  it('JSON-lines with lines too long to parse whole: scanned in pieces, same spans', async () => {
    const text = `${a.json}\n${b.json}\n`;
    const whole = await readAll(tmp.file('whole.jsonl', text));
    const pieces = await readAll(tmp.file('pieces.jsonl', text), { maxWholeLineChars: 100, chunkSize: 64 });
    expect(pieces.format).toBe('otlp-json-lines');
    expect(pieces.spans.map((s) => s.spanId)).toEqual(whole.spans.map((s) => s.spanId));
    expect(pieces.spans).toHaveLength(8);
  });

  it('gzip-compressed JSON-lines', async () => {
    const r = await readAll(tmp.file('export.jsonl.gz', gzipSync(`${a.json}\n${b.json}\n`)));
    expect(r.format).toBe('otlp-json-lines');
    expect(r.spans).toHaveLength(8);
  });

  it('bad spans inside a good file are rejected with a reason naming where, the rest kept', async () => {
    const body = JSON.parse(a.json);
    body.resourceSpans[0].scopeSpans[0].spans[0].traceId = 'not-hex';
    const r = await readAll(tmp.file('partly-bad.json', JSON.stringify(body)));
    expect(r.spans).toHaveLength(3);
    expect(r.rejected).toBe(1);
    expect(r.errors[0]).toBe('line 1: trace id is not hex: "not-hex"');
    // Pretty-printed, the same request is read in pieces and the reason names the element's position.
    const pretty = await readAll(tmp.file('partly-bad-pretty.json', JSON.stringify(body, null, 1)));
    expect(pretty.rejected).toBe(1);
    expect(pretty.errors[0]).toBe('resourceSpans[0] at 3:3: trace id is not hex: "not-hex"');
  });

  it('reports progress in bytes up to the file size', async () => {
    const text = `${a.json}\n`.repeat(20);
    const seen: [number, number][] = [];
    await readAll(tmp.file('progress.jsonl', text), { chunkSize: 1000, onProgress: (read, total) => seen.push([read, total]) });
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.at(-1)).toEqual([Buffer.byteLength(text), Buffer.byteLength(text)]);
    expect(seen.every(([read], i) => i === 0 || read >= seen[i - 1][0])).toBe(true);
  });

  it('skips OTLP metrics lines in a mixed file and refuses a file of metrics only', async () => {
    const metrics = JSON.stringify({ resourceMetrics: [{ resource: {}, scopeMetrics: [] }] });
    const mixed = await readAll(tmp.file('mixed.jsonl', `${metrics}\n${a.json}\n`));
    expect(mixed.spans).toHaveLength(4);
    const err = await readAll(tmp.file('metrics.jsonl', `${metrics}\n${metrics}\n`)).then(
      () => 'no error',
      (e: Error) => e.message,
    );
    expect(err).toMatch(/metrics\.jsonl:1:1: holds OTLP metrics or logs \(resourceMetrics\/resourceLogs\), not traces/);
  });
});
