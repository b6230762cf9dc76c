import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeJaegerJson, decodeJaegerTrace } from '../../lib/otlp/jaeger.ts';
import { readTraceFile } from '../../lib/otlp/files.ts';
import type { Span } from '../../lib/model/index.ts';

const SAMPLE = join(import.meta.dirname, 'data', 'jaeger-hotrod.json');
const body = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { data: unknown[] };

function byName(spans: Span[], name: string): Span {
  const s = spans.find((x) => x.name === name);
  if (!s) throw new Error(`no span ${name}`);
  return s;
}

describe('Jaeger JSON decoder', () => {
  const r = decodeJaegerJson(body);
  const spans = r.items;

  it('decodes every span of every trace in data[]', () => {
    expect(r.rejected).toBe(0);
    expect(r.errors).toEqual([]);
    expect(spans).toHaveLength(6);
  });

  it('maps span.kind tags to kinds and CHILD_OF to the parent', () => {
    const root = byName(spans, 'HTTP GET /dispatch');
    expect(root.kind).toBe('server');
    expect(root.parentSpanId).toBeUndefined();
    expect(root.traceId).toBe('00000000000000007be2a4a0a4c5b1e2');
    expect(root.flags).toBe(1);
    const client = byName(spans, 'HTTP GET');
    expect(client.kind).toBe('client');
    expect(client.parentSpanId).toBe('7be2a4a0a4c5b1e2');
    expect(byName(spans, 'HTTP GET /customer').parentSpanId).toBe('2a2b2c2d2e2f3031');
    expect(byName(spans, 'send confirmation').kind).toBe('producer');
  });

  it('converts µs to integer ns', () => {
    const root = byName(spans, 'HTTP GET /dispatch');
    expect(root.startNs).toBe(1700000000000000000n);
    expect(root.endNs).toBe(1700000000730000000n);
    expect(root.durationNs).toBe(730_000_000);
  });

  it('turns error=true and otel.status_description into an error status', () => {
    const db = byName(spans, 'SQL SELECT');
    expect(db.status).toEqual({ code: 'error', message: 'lock wait timeout' });
    expect(db.attributes.error).toBeUndefined();
    expect(db.attributes['otel.status_description']).toBeUndefined();
    expect(byName(spans, 'HTTP GET /customer').status).toEqual({ code: 'unset' });
  });

  it('keeps typed tag values and folds old names through normalizeSpan', () => {
    const db = byName(spans, 'SQL SELECT');
    expect(db.attributes['db.system.name']).toBe('mysql');
    expect(db.attributes['db.namespace']).toBe('customers');
    expect(db.attributes['db.query.text']).toBe('SELECT * FROM customer WHERE customer_id=123');
    expect(db.attributes['db.type']).toBeUndefined();
    expect(db.attributes['request.weight']).toBe(0.25);
    expect(db.attributes.payload).toEqual(new Uint8Array([1, 2, 3]));
    const root = byName(spans, 'HTTP GET /dispatch');
    expect(root.attributes['http.response.status_code']).toBe(200);
    expect(root.attributes['http.request.method']).toBe('GET');
    expect(root.attributes['sampler.param']).toBe(true);
    expect(root.attributes['internal.span.format']).toBeUndefined();
    expect(root.attributes['span.kind']).toBeUndefined();
    const client = byName(spans, 'HTTP GET');
    expect(client.attributes['service.peer.name']).toBe('customer');
    expect(client.attributes['server.address']).toBe('customer.default.svc');
    expect(client.attributes['server.port']).toBe(8081);
  });

  it('turns FOLLOWS_FROM into a link (and the parent when there is no CHILD_OF)', () => {
    const async = byName(spans, 'send confirmation');
    expect(async.links).toEqual([
      { traceId: '00000000000000007be2a4a0a4c5b1e2', spanId: '7be2a4a0a4c5b1e2', attributes: { 'opentracing.ref_type': 'follows_from' } },
    ]);
    expect(async.parentSpanId).toBe('7be2a4a0a4c5b1e2');
    expect(byName(spans, 'HTTP GET').links).toEqual([]);
  });

  it('turns logs into events named by their event field', () => {
    const root = byName(spans, 'HTTP GET /dispatch');
    expect(root.events).toEqual([{ timeNs: 1700000000000100000n, name: 'HTTP request received', attributes: { level: 'info' } }]);
    const db = byName(spans, 'SQL SELECT');
    expect(db.events[0].name).toBe('error');
    expect(db.events[0].attributes['error.object']).toBe('lock wait timeout exceeded');
  });

  it('makes processes resources, one object per distinct process across traces', () => {
    const front = byName(spans, 'HTTP GET /dispatch').resource;
    expect(front.serviceName).toBe('frontend');
    expect(front.attributes).toMatchObject({ 'service.name': 'frontend', hostname: 'frontend-579b9bff58-t2dbm', ip: '10.0.0.7' });
    const customer = byName(spans, 'SQL SELECT').resource;
    expect(customer.serviceName).toBe('customer');
    expect(customer.serviceVersion).toBe('2.4.1');
    // The second trace repeats frontend's process: same Resource object.
    expect(byName(spans, 'HTTP GET /config').resource).toBe(front);
    expect(new Set(spans.map((s) => s.resource)).size).toBe(2);
  });

  it('pads ids whose leading zeros Jaeger dropped', () => {
    const s = byName(spans, 'HTTP GET /config');
    expect(s.traceId).toBe('00000000000000000f0d3e6d1c2b4a59');
    expect(s.spanId).toBe('0f0d3e6d1c2b4a59');
  });

  it('accepts a bare {traceID, spans, processes} trace', () => {
    const bare = decodeJaegerJson(body.data[0]);
    expect(bare.items).toHaveLength(5);
  });

  it('rejects unusable spans with a reason and keeps the rest', () => {
    const r2 = decodeJaegerTrace({
      traceID: 'abc',
      spans: [
        { traceID: 'zz', spanID: '01', startTime: 1 },
        { traceID: 'abc', spanID: '0000000000000000', startTime: 1 },
        { traceID: 'abc', spanID: '01', operationName: 'no start' },
        { traceID: 'abc', spanID: '02', operationName: 'ok', startTime: 5, duration: 1 },
      ],
      processes: {},
    });
    expect(r2.items.map((s) => s.name)).toEqual(['ok']);
    expect(r2.items[0].resource.serviceName).toBe('unknown_service');
    expect(r2.rejected).toBe(3);
    expect(r2.errors).toHaveLength(3);
    expect(r2.errors[0]).toMatch(/invalid traceID "zz"/);
  });

  it('says what is wrong with a body that is not Jaeger JSON', () => {
    expect(decodeJaegerJson({ foo: 1 }).errors[0]).toMatch(/Jaeger JSON must be/);
  });
});

describe('Jaeger JSON files', () => {
  it('streams the sample download through readTraceFile', async () => {
    const spans: Span[] = [];
    let format: string | undefined;
    for await (const b of readTraceFile(SAMPLE, { chunkSize: 64 })) {
      spans.push(...b.spans);
      format = b.format ?? format;
      expect(b.rejected).toBe(0);
    }
    expect(format).toBe('jaeger');
    expect(spans).toHaveLength(6);
    expect(new Set(spans.map((s) => s.resource.serviceName))).toEqual(new Set(['frontend', 'customer']));
  });
});
