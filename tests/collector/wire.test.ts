// Every bad input of WIRE.md gets its exact status and a clear message; the collector stays up,
// and good spans sent beside bad ones are stored.
import zlib from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type TestCollector, metricValue, startTestCollector, withStore } from './helpers.ts';
import { decodeStatusProto, encodeTraceRequestProto, ids, send, traceRequestJson } from './wire-helpers.ts';

const LIMIT = 64 * 1024;
let tc: TestCollector;
let traces: string;
beforeAll(async () => {
  tc = await startTestCollector({ maxBodyBytes: LIMIT });
  traces = `${tc.collector.url}/v1/traces`;
});
afterAll(async () => {
  await tc.cleanup();
});

// After every bad input the collector must still answer and store a good span.
afterEach(async () => {
  const { traceId, spanIds } = ids(1);
  const res = await send(traces, { headers: { 'Content-Type': 'application/json' }, body: traceRequestJson('alive', [{ traceId, spanId: spanIds[0], name: 'still up' }]) });
  expect(res.status).toBe(200);
  expect(withStore(tc.dbPath, (s) => s.getTrace(traceId))).toHaveLength(1);
});

const JSON_CT = { 'Content-Type': 'application/json' };
const PROTO_CT = { 'Content-Type': 'application/x-protobuf' };

function statusJson(body: Buffer): { code: number; message: string } {
  return JSON.parse(body.toString('utf8'));
}

describe('methods, paths and content types', () => {
  it('answers 405 with Allow: POST for a GET on an export path', async () => {
    const res = await send(traces, { method: 'GET' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(statusJson(res.body).message).toMatch(/method GET not allowed/);
  });

  it('answers 415 for an unknown Content-Type, naming the ones it takes', async () => {
    const res = await send(traces, { headers: { 'Content-Type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(415);
    expect(statusJson(res.body).message).toMatch(/unsupported Content-Type "text\/plain".*application\/x-protobuf or application\/json/);
  });

  it('answers 415 when Content-Type is missing', async () => {
    const res = await send(traces, { body: '{}' });
    expect(res.status).toBe(415);
  });

  it('accepts Content-Type parameters (charset)', async () => {
    const res = await send(traces, { headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: '{"resourceSpans":[]}' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
  });

  it('answers 404 for an unknown path', async () => {
    const res = await send(`${tc.collector.url}/v1/profiles`, { headers: JSON_CT, body: '{}' });
    expect(res.status).toBe(404);
  });

  it('answers 415 for an unsupported Content-Encoding', async () => {
    const res = await send(traces, { headers: { ...JSON_CT, 'Content-Encoding': 'br' }, body: 'x' });
    expect(res.status).toBe(415);
    expect(statusJson(res.body).message).toMatch(/Content-Encoding "br"/);
  });
});

describe('empty requests are successes', () => {
  for (const [name, headers, ct] of [['JSON', JSON_CT, 'application/json'], ['protobuf', PROTO_CT, 'application/x-protobuf']] as const) {
    it(`empty ${name} body → 200 in the request's encoding`, async () => {
      const res = await send(traces, { headers, body: Buffer.alloc(0) });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(ct);
    });
  }

  it('an empty JSON object → 200 with no partial success', async () => {
    const res = await send(traces, { headers: JSON_CT, body: '{}' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({});
  });
});

describe('bad data → 400 with google.rpc.Status in the request encoding', () => {
  it('malformed JSON', async () => {
    const res = await send(traces, { headers: JSON_CT, body: '{"resourceSpans": [' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    const st = statusJson(res.body);
    expect(st.code).toBe(3);
    expect(st.message).toMatch(/not valid JSON/);
  });

  it('JSON of the wrong shape', async () => {
    const res = await send(traces, { headers: JSON_CT, body: '{"resourceSpans": 7}' });
    expect(res.status).toBe(400);
    expect(statusJson(res.body).message).toMatch(/resourceSpans must be an array/);
  });

  it('malformed protobuf, answered in protobuf', async () => {
    const { traceId, spanIds } = ids(1);
    const truncated = encodeTraceRequestProto('p', [{ traceId, spanId: spanIds[0], name: 'x' }]).subarray(0, 20);
    const res = await send(traces, { headers: PROTO_CT, body: truncated });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    const st = decodeStatusProto(res.body);
    expect(st.code).toBe(3);
    expect(st.message).toMatch(/malformed ExportTraceServiceRequest protobuf/);
  });

  it('corrupt gzip', async () => {
    const res = await send(traces, { headers: { ...JSON_CT, 'Content-Encoding': 'gzip' }, body: Buffer.from('definitely not gzip') });
    expect(res.status).toBe(400);
    expect(statusJson(res.body).message).toMatch(/invalid gzip body/);
  });
});

describe('partial success: only malformed spans are rejected, the rest stored', () => {
  it('JSON: good spans beside bad ones are stored; the response says how many were rejected and why', async () => {
    const { traceId, spanIds } = ids(3);
    const body = traceRequestJson('mixed', [
      { traceId, spanId: spanIds[0], name: 'good 1' },
      { traceId, spanId: 'xyz', name: 'bad span id' },
      { traceId, spanId: spanIds[1], parentSpanId: spanIds[0], name: 'good 2' },
      { traceId: '00000000000000000000000000000000', spanId: spanIds[2], name: 'zero trace id' },
    ]);
    const res = await send(traces, { headers: JSON_CT, body });
    expect(res.status).toBe(200);
    const parsed = JsonTraceSerializer.deserializeResponse(res.body);
    expect(Number(parsed.partialSuccess?.rejectedSpans)).toBe(2);
    expect(parsed.partialSuccess?.errorMessage).toMatch(/2 spans rejected: .*span id is not hex.*trace id is all zeros/);
    const stored = withStore(tc.dbPath, (s) => s.getTrace(traceId));
    expect(stored.map((s) => s.name).sort()).toEqual(['good 1', 'good 2']);
  });

  it('protobuf: wrong-length ids rejected per span, answered as ExportTraceServiceResponse', async () => {
    const { traceId, spanIds } = ids(2);
    const body = encodeTraceRequestProto('mixed-proto', [
      { traceId, spanId: spanIds[0], name: 'good' },
      { traceId: traceId.slice(0, 16), spanId: spanIds[1], name: '8-byte trace id' },
      { traceId, spanId: spanIds[1], parentSpanId: 'abcd', name: '2-byte parent' },
    ]);
    const res = await send(traces, { headers: PROTO_CT, body });
    expect(res.status).toBe(200);
    const parsed = ProtobufTraceSerializer.deserializeResponse(res.body);
    expect(Number(parsed.partialSuccess?.rejectedSpans)).toBe(2);
    expect(parsed.partialSuccess?.errorMessage).toMatch(/trace id must be 16 bytes/);
    expect(withStore(tc.dbPath, (s) => s.getTrace(traceId)).map((s) => s.name)).toEqual(['good']);
    expect(await metricValue(tc.collector.url, 'faultline_collector_rejected_items_total{signal="traces",item="spans"}')).toBeGreaterThanOrEqual(4);
  });
});

describe('413: too large, raw and decompressed', () => {
  it('refuses a body whose Content-Length passes the limit', async () => {
    const res = await send(traces, { headers: JSON_CT, body: Buffer.alloc(LIMIT + 1, 0x20) });
    expect(res.status).toBe(413);
    expect(statusJson(res.body).message).toMatch(/exceeds the limit of 65536 bytes/);
  });

  it('refuses a chunked body (no Content-Length) once it passes the limit', async () => {
    async function* chunks() {
      for (let i = 0; i < 40; i++) yield Buffer.alloc(8 * 1024, 0x20);
    }
    const res = await send(traces, { headers: { ...JSON_CT, 'Transfer-Encoding': 'chunked' }, body: chunks() });
    expect(res.status).toBe(413);
  });

  it('refuses a small gzip body that inflates past the limit, in the request encoding', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(4 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(LIMIT);
    const res = await send(traces, { headers: { ...PROTO_CT, 'Content-Encoding': 'gzip' }, body: bomb });
    expect(res.status).toBe(413);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    expect(decodeStatusProto(res.body).message).toMatch(/decompressed body exceeds the limit/);
  });

  it('accepts gzip that stays under the limit after inflating', async () => {
    const { traceId, spanIds } = ids(1);
    const body = zlib.gzipSync(traceRequestJson('gz', [{ traceId, spanId: spanIds[0], name: 'zipped' }]));
    const res = await send(traces, { headers: { ...JSON_CT, 'Content-Encoding': 'gzip' }, body });
    expect(res.status).toBe(200);
    expect(withStore(tc.dbPath, (s) => s.getTrace(traceId))).toHaveLength(1);
  });
});

describe('self-observability', () => {
  it('GET /healthz and GET /metrics answer on the collector port', async () => {
    const h = await send(`${tc.collector.url}/healthz`, { method: 'GET' });
    expect(h.status).toBe(200);
    expect(JSON.parse(h.body.toString()).status).toBe('ok');
    const m = await send(`${tc.collector.url}/metrics`, { method: 'GET' });
    expect(m.status).toBe(200);
    const text = m.body.toString();
    for (const name of [
      'faultline_collector_received_items_total',
      'faultline_collector_accepted_items_total',
      'faultline_collector_rejected_items_total',
      'faultline_collector_dropped_items_total',
      'faultline_collector_duplicate_items_total',
      'faultline_collector_queue_bytes',
      'faultline_collector_batch_write_seconds_bucket',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/faultline_collector_refused_requests_total\{signal="traces",reason="too_large"\} [1-9]/);
  });
});
