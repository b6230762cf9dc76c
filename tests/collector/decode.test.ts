// OTLP decoders: JSON rules of WIRE.md, per-span rejection, and protobuf/JSON agreement on
// payloads serialized by the OpenTelemetry JS serializers.
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { UNKNOWN_SERVICE } from '../../lib/model/index.ts';
import { decodeOtlpJsonLogs, decodeOtlpJsonMetrics, decodeOtlpJsonTraces, encodeExportResponseJson } from '../../lib/otlp/json.ts';
import { decodeOtlpProtoLogs, decodeOtlpProtoMetrics, decodeOtlpProtoTraces, encodeExportResponse, encodeRpcStatus } from '../../lib/otlp/protobuf.ts';
import { expectedSpan, makeSdkSpans } from './sdk-spans.ts';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

function request(spans: unknown[], resourceAttrs: unknown[] = [{ key: 'service.name', value: { stringValue: 'api' } }]) {
  return { resourceSpans: [{ resource: { attributes: resourceAttrs }, scopeSpans: [{ scope: { name: 'lib', version: '1' }, spans }] }] };
}

describe('decodeOtlpJsonTraces', () => {
  it('reads lowerCamelCase with int64 as strings', () => {
    const r = decodeOtlpJsonTraces(
      request([
        {
          traceId: TRACE,
          spanId: SPAN,
          parentSpanId: 'eee19b7ec3c1b173',
          name: 'GET /',
          kind: 2,
          startTimeUnixNano: '1544712660000000000',
          endTimeUnixNano: '1544712661000000000',
          attributes: [
            { key: 'n', value: { intValue: '42' } },
            { key: 'huge', value: { intValue: '9223372036854775807' } },
            { key: 'neg', value: { intValue: -5 } },
            { key: 'd', value: { doubleValue: 1.5 } },
            { key: 'b', value: { boolValue: false } },
            { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: 1 }] } } },
            { key: 'kv', value: { kvlistValue: { values: [{ key: 'inner', value: { stringValue: 'y' } }] } } },
            { key: 'raw', value: { bytesValue: 'AQID' } },
          ],
          status: { code: 2, message: 'boom' },
          someFutureField: { ignored: true },
        },
      ]),
    );
    expect(r.rejected).toBe(0);
    expect(r.items).toHaveLength(1);
    const s = r.items[0];
    expect(s).toMatchObject({ traceId: TRACE, spanId: SPAN, parentSpanId: 'eee19b7ec3c1b173', kind: 'server', startNs: 1544712660000000000n, endNs: 1544712661000000000n, durationNs: 1e9, status: { code: 'error', message: 'boom' } });
    expect(s.attributes).toEqual({ n: 42, huge: 9223372036854775807n, neg: -5, d: 1.5, b: false, arr: ['x', 1], kv: { inner: 'y' }, raw: new Uint8Array([1, 2, 3]) });
    expect(s.resource.serviceName).toBe('api');
    expect(s.scope).toEqual({ name: 'lib', version: '1' });
  });

  it('reads snake_case keys and integer timestamps as numbers', () => {
    const r = decodeOtlpJsonTraces({
      resource_spans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { string_value: 'snake' } }] },
          scope_spans: [{ spans: [{ trace_id: TRACE.toUpperCase(), span_id: SPAN, parent_span_id: '', name: 'x', kind: 3, start_time_unix_nano: 1000, end_time_unix_nano: 3000, attributes: [{ key: 'k', value: { int_value: 7 } }] }] }],
        },
      ],
    });
    expect(r.rejected).toBe(0);
    expect(r.items[0]).toMatchObject({ traceId: TRACE, spanId: SPAN, kind: 'client', startNs: 1000n, endNs: 3000n, durationNs: 2000, attributes: { k: 7 } });
    expect(r.items[0].parentSpanId).toBeUndefined();
    expect(r.items[0].resource.serviceName).toBe('snake');
  });

  it('rejects only the spans with malformed ids, with reasons', () => {
    const good = { traceId: TRACE, spanId: SPAN, name: 'ok' };
    const r = decodeOtlpJsonTraces(
      request([
        good,
        { traceId: 'abc', spanId: SPAN, name: 'short trace id' },
        { traceId: TRACE, spanId: 'zzzzzzzzzzzzzzzz', name: 'non-hex span id' },
        { traceId: '00000000000000000000000000000000', spanId: SPAN, name: 'zero trace id' },
        { traceId: TRACE, spanId: '0000000000000000', name: 'zero span id' },
        { traceId: TRACE, spanId: SPAN, parentSpanId: '12', name: 'bad parent' },
        { traceId: TRACE, spanId: 'eee19b7ec3c1b175', startTimeUnixNano: 'soon', name: 'bad time' },
      ]),
    );
    expect(r.items.map((s) => s.name)).toEqual(['ok']);
    expect(r.rejected).toBe(6);
    expect(r.errors.join('\n')).toMatch(/trace id must be 16 bytes/);
    expect(r.errors.join('\n')).toMatch(/span id is not hex/);
    expect(r.errors.join('\n')).toMatch(/trace id is all zeros/);
  });

  it('names a resource without service.name unknown_service', () => {
    const r = decodeOtlpJsonTraces(request([{ traceId: TRACE, spanId: SPAN, name: 'x' }], [{ key: 'host.name', value: { stringValue: 'h' } }]));
    expect(r.items[0].resource.serviceName).toBe(UNKNOWN_SERVICE);
  });

  it('folds old semantic-convention names once', () => {
    const r = decodeOtlpJsonTraces(request([{ traceId: TRACE, spanId: SPAN, name: 'q', kind: 3, attributes: [{ key: 'db.name', value: { stringValue: 'shop' } }, { key: 'net.peer.name', value: { stringValue: 'pg' } }] }]));
    expect(r.items[0].attributes).toEqual({ 'db.namespace': 'shop', 'server.address': 'pg' });
  });

  it('treats a non-object body or non-array resourceSpans as a malformed request', () => {
    expect(decodeOtlpJsonTraces('x').fatal).toMatch(/JSON object/);
    expect(decodeOtlpJsonTraces({ resourceSpans: 5 }).fatal).toMatch(/resourceSpans must be an array/);
  });

  it('accepts an empty request', () => {
    expect(decodeOtlpJsonTraces({})).toEqual({ items: [], rejected: 0, errors: [] });
  });
});

describe('protobuf and JSON from the OpenTelemetry serializers agree', () => {
  const sdkSpans = makeSdkSpans();
  const proto = decodeOtlpProtoTraces(ProtobufTraceSerializer.serializeRequest(sdkSpans)!);
  const json = decodeOtlpJsonTraces(JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(sdkSpans)!).toString('utf8')));

  it('decodes every span of both', () => {
    expect(proto.rejected).toBe(0);
    expect(json.rejected).toBe(0);
    expect(proto.items).toHaveLength(sdkSpans.length);
  });

  it('gives the same model objects for both encodings', () => {
    expect(json.items).toEqual(proto.items);
  });

  it('matches the SDK spans field by field', () => {
    for (const s of sdkSpans) {
      const got = proto.items.find((x) => x.spanId === s.spanContext().spanId);
      expect(got).toMatchObject(expectedSpan(s));
      expect(got?.resource).toMatchObject({ serviceName: 'checkout', serviceNamespace: 'shop', serviceVersion: '2.3.1', serviceInstanceId: 'checkout-1', sdk: { name: 'opentelemetry', language: 'nodejs', version: '2.0.0' } });
      expect(got?.scope).toMatchObject({ name: 'tests.collector', version: '0.9.0' });
    }
  });
});

describe('malformed protobuf', () => {
  it('is a fatal decode error, not an exception', () => {
    const good = ProtobufTraceSerializer.serializeRequest(makeSdkSpans())!;
    const truncated = good.subarray(0, good.length - 7);
    const r = decodeOtlpProtoTraces(truncated);
    expect(r.fatal).toMatch(/malformed ExportTraceServiceRequest protobuf/);
    expect(r.items).toEqual([]);
    expect(decodeOtlpProtoTraces(Buffer.from('{"resourceSpans":[]}')).fatal).toBeDefined();
  });

  it('decodes an empty buffer as an empty request', () => {
    expect(decodeOtlpProtoTraces(new Uint8Array(0))).toEqual({ items: [], rejected: 0, errors: [] });
    expect(decodeOtlpProtoMetrics(new Uint8Array(0)).items).toEqual([]);
    expect(decodeOtlpProtoLogs(new Uint8Array(0)).items).toEqual([]);
  });
});

describe('metrics and logs JSON', () => {
  it('reads every point type', () => {
    const r = decodeOtlpJsonMetrics({
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'm' } }] },
          scopeMetrics: [
            {
              scope: { name: 's' },
              metrics: [
                { name: 'g', unit: '1', gauge: { dataPoints: [{ timeUnixNano: '10', asInt: '3', attributes: [{ key: 'a', value: { stringValue: 'b' } }] }] } },
                { name: 'c', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ startTimeUnixNano: '5', timeUnixNano: '10', asDouble: 1.5 }] } },
                { name: 'h', histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: '10', count: '4', sum: 10, bucketCounts: ['1', '3'], explicitBounds: [5], min: 1, max: 7 }] } },
                { name: 'e', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ timeUnixNano: '10', count: '2', scale: 3, zeroCount: '0', positive: { offset: -1, bucketCounts: ['1', '1'] } }] } },
                { name: 's', summary: { dataPoints: [{ timeUnixNano: '10', count: '2', sum: 3, quantileValues: [{ quantile: 0.5, value: 1 }] }] } },
                { name: 'empty' },
              ],
            },
          ],
        },
      ],
    });
    expect(r.rejected).toBe(1);
    expect(r.items.map((p) => [p.name, p.type])).toEqual([['g', 'gauge'], ['c', 'sum'], ['h', 'histogram'], ['e', 'exponential_histogram'], ['s', 'summary']]);
    expect(r.items[0]).toMatchObject({ value: 3, unit: '1', attributes: { a: 'b' }, timeNs: 10n });
    expect(r.items[1]).toMatchObject({ value: 1.5, temporality: 'cumulative', monotonic: true, startNs: 5n });
    expect(r.items[2]).toMatchObject({ count: 4, sum: 10, bucketCounts: [1, 3], explicitBounds: [5], min: 1, max: 7, temporality: 'delta' });
    expect(r.items[3]).toMatchObject({ count: 2, scale: 3, positive: { offset: -1, bucketCounts: [1, 1] } });
    expect(r.items[4]).toMatchObject({ count: 2, sum: 3, quantiles: [{ quantile: 0.5, value: 1 }] });
  });

  it('reads log records and rejects one with a malformed trace id', () => {
    const r = decodeOtlpJsonLogs({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: '7', severityNumber: 17, severityText: 'ERROR', body: { stringValue: 'failed' }, traceId: TRACE, spanId: SPAN, attributes: [] },
                { timeUnixNano: '8', traceId: 'nothex', body: { stringValue: 'x' } },
              ],
            },
          ],
        },
      ],
    });
    expect(r.rejected).toBe(1);
    expect(r.items).toHaveLength(1);
    expect(r.items[0]).toMatchObject({ timeNs: 7n, severityNumber: 17, severityText: 'ERROR', body: 'failed', traceId: TRACE, spanId: SPAN });
    expect(r.items[0].resource.serviceName).toBe(UNKNOWN_SERVICE);
  });
});

describe('response encoders', () => {
  it('leaves partial_success unset on full success', () => {
    expect(encodeExportResponse(0)).toHaveLength(0);
  });

  it('encodes partial success and google.rpc.Status', () => {
    // field 1 (len) { field 1 varint 3, field 2 "x" }
    expect([...encodeExportResponse(3, 'x')]).toEqual([0x0a, 5, 0x08, 3, 0x12, 1, 0x78]);
    expect([...encodeRpcStatus(3, 'bad')]).toEqual([0x08, 3, 0x12, 3, 0x62, 0x61, 0x64]);
  });
});

describe('JSON responses', () => {
  it('name the rejected count per signal, int64 as a string', () => {
    expect(encodeExportResponseJson('traces', 0)).toBe('{}');
    expect(JSON.parse(encodeExportResponseJson('traces', 2, 'why'))).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: 'why' } });
    expect(JSON.parse(encodeExportResponseJson('metrics', 1, 'm'))).toEqual({ partialSuccess: { rejectedDataPoints: '1', errorMessage: 'm' } });
    expect(JSON.parse(encodeExportResponseJson('logs', 3, 'l'))).toEqual({ partialSuccess: { rejectedLogRecords: '3', errorMessage: 'l' } });
  });
});
