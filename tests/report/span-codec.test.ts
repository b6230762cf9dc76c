// The binary span batches between reader threads and the analyzing thread: every span comes out
// as it went in (fields, optional-field presence, values of every AnyValue type), batch after batch.
import { describe, expect, it } from 'vitest';
import type { Resource, Span } from '../../lib/model/index.ts';
import { SpanDecoder, SpanEncoder } from '../../lib/report/io/span-codec.ts';

const resource: Resource = {
  serviceName: 'orders',
  attributes: { 'service.name': 'orders', 'service.version': '1.2.0', 'host.cpus': 4, nested: { a: [1, 'x', null] } },
  serviceVersion: '1.2.0',
  sdk: { language: 'nodejs' },
};

function span(over: Partial<Span> = {}): Span {
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    name: 'GET /orders/{id}',
    kind: 'server',
    startNs: 1767225600000000000n,
    endNs: 1767225600012500000n,
    durationNs: 12_500_000,
    status: { code: 'unset' },
    attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 },
    events: [],
    links: [],
    resource,
    scope: { name: 'faultline-test', version: '1.0.0' },
    ...over,
  };
}

function roundTrip(batches: Span[][]): Span[][] {
  const enc = new SpanEncoder();
  const dec = new SpanDecoder();
  return batches.map((b) => {
    enc.add(b);
    const t = enc.take();
    expect(t.spans).toBe(b.length);
    return dec.decode(t.buffer, t.bytes, t.spans);
  });
}

describe('span codec', () => {
  it('keeps every field and the presence of every optional one', () => {
    const spans: Span[] = [
      span(),
      span({ spanId: '00f067aa0ba902b8', parentSpanId: '00f067aa0ba902b7', kind: 'client', status: { code: 'error', message: 'boom ✖' } }),
      span({
        traceId: 'ffffffffffffffffffffffffffffffff',
        traceState: 'vendor=x',
        flags: 1,
        droppedAttributesCount: 2,
        droppedEventsCount: 0,
        droppedLinksCount: 3,
        shared: true,
        events: [
          { timeNs: 1767225600001000000n, name: 'exception', attributes: { 'exception.type': 'Error', 'exception.message': 'naïve 日本' } },
          { timeNs: 0n, name: 'retry', attributes: {}, droppedAttributesCount: 1 },
        ],
        links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', attributes: { k: true }, traceState: 'a=b', flags: 1, droppedAttributesCount: 4 }],
      }),
      span({ shared: false, kind: 'consumer', status: { code: 'ok' } }),
    ];
    const [out] = roundTrip([spans]);
    expect(out).toEqual(spans);
    for (let i = 0; i < spans.length; i++) expect(Object.keys(out[i]).sort()).toEqual(Object.keys(spans[i]).sort());
  });

  it('attribute values of every type: strings, doubles, booleans, null, int64 as bigint, bytes, arrays, key-value lists', () => {
    const attributes = {
      s: 'text',
      empty: '',
      n: -1.5,
      big: 9223372036854775807n,
      negBig: -9223372036854775808n,
      t: true,
      f: false,
      nil: null,
      bytes: new Uint8Array([0, 1, 254, 255]),
      arr: ['a', 1, [true, { deep: 'x' }]],
      kv: { inner: { list: [] }, n: 0 },
      '42': 'numeric key keeps its place',
    };
    const [[out]] = roundTrip([[span({ attributes })]]);
    expect(out.attributes).toEqual(attributes);
    expect(out.attributes.bytes).toBeInstanceOf(Uint8Array);
    expect(Object.keys(out.attributes)).toEqual(Object.keys(attributes));
  });

  it('timestamps beyond 64 bits and zero survive', () => {
    const huge = (1n << 70n) + 5n;
    const [[a, b]] = roundTrip([[span({ startNs: 0n, endNs: 0n, durationNs: 0 }), span({ startNs: huge, endNs: huge + 1n, durationNs: 1 })]]);
    expect([a.startNs, a.endNs, b.startNs, b.endNs]).toEqual([0n, 0n, huge, huge + 1n]);
  });

  it('strings, resources and scopes sent once are referenced in later batches; equal resources become one object', () => {
    const copy: Resource = structuredClone(resource);
    const batches = [[span(), span({ resource: copy })], [span({ resource: structuredClone(resource) })], [span({ name: 'other', resource: { serviceName: 'stock', attributes: {} } })]];
    const out = roundTrip(batches);
    expect(out.flat()).toEqual(batches.flat());
    expect(out[0][0].resource).toBe(out[0][1].resource);
    expect(out[1][0].resource).toBe(out[0][0].resource);
    expect(out[1][0].scope).toBe(out[0][0].scope);
    expect(out[2][0].resource.serviceName).toBe('stock');
  });

  it('an empty batch, and many batches of mixed sizes, stay in step', () => {
    const batches: Span[][] = [[]];
    for (let b = 0; b < 20; b++) {
      batches.push(
        Array.from({ length: b * 7 }, (_, i) =>
          span({ spanId: (b * 1000 + i).toString(16).padStart(16, '0'), name: `op-${i % 5}`, attributes: { i, unique: `value-${b}-${i}`.repeat(i % 3 === 0 ? 200 : 1) } }),
        ),
      );
    }
    expect(roundTrip(batches)).toEqual(batches);
  });

  it('past the string and resource tables\' bounds, values are sent inline and still decode', () => {
    const many: Span[] = Array.from({ length: 100_050 }, (_, i) => span({ attributes: { unique: `value-${i}` }, resource: i >= 99_990 ? { serviceName: `svc-${i}`, attributes: { i } } : resource }));
    const resources: Span[] = Array.from({ length: 10_050 }, (_, i) => span({ resource: { serviceName: `r-${i}`, attributes: {} } }));
    // The last two share one resource object that is past the table bound: sent inline twice.
    const last = [span({ attributes: { unique: 'value-100049' } }), resources[10_049], span({ spanId: '00000000000000aa', resource: resources[10_049].resource })];
    const out = roundTrip([many.slice(0, 60_000), many.slice(60_000), resources, last]);
    expect(out.flat()).toEqual([...many, ...resources, ...last]);
  });
});
