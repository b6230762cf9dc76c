import { afterEach, describe, expect, it } from 'vitest';
import type { LogRecord, MetricPoint, Resource, Span } from '../../lib/model/index.ts';
import { openStore } from '../../lib/store/index.ts';
import { batch, hexId, T0, tempDir } from './helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function fresh(opts = {}) {
  const t = tempDir();
  const store = openStore(`${t.dir}/db/faultline.db`, opts);
  cleanups.push(t.cleanup, () => store.close());
  return { store, dir: t.dir };
}

const RESOURCE: Resource = {
  serviceName: 'checkout',
  serviceNamespace: 'shop',
  serviceVersion: '2.3.4',
  serviceInstanceId: 'checkout-7f9c-1',
  sdk: { name: 'opentelemetry', language: 'nodejs', version: '2.2.0' },
  attributes: {
    'service.name': 'checkout',
    'service.namespace': 'shop',
    'service.version': '2.3.4',
    'service.instance.id': 'checkout-7f9c-1',
    'telemetry.sdk.name': 'opentelemetry',
    'telemetry.sdk.language': 'nodejs',
    'telemetry.sdk.version': '2.2.0',
    'host.cpus': 8,
    'host.load': 0.75,
    'k8s.labels': ['a', 'b'],
  },
  droppedAttributesCount: 2,
};

function fullSpan(): Span {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  return {
    traceId,
    spanId: '00f067aa0ba902b7',
    parentSpanId: '53995c3f42cd8ad8',
    traceState: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE',
    flags: 257,
    name: 'POST /api/checkout/:id',
    kind: 'server',
    startNs: 1_731_234_567_123_456_789n,
    endNs: 1_731_234_567_223_456_790n,
    durationNs: 100_000_001,
    status: { code: 'error', message: 'payment declined' },
    attributes: {
      'http.request.method': 'POST',
      'http.response.status_code': 502,
      'server.port': 0,
      ratio: 0.5,
      'whole.double': 2,
      'neg.zero': -0,
      'not.a.number': Number.NaN,
      infinite: Number.POSITIVE_INFINITY,
      negative: -42,
      'big.int': 9_007_199_254_740_993n,
      'big.negative': -9_223_372_036_854_775_808n,
      'max.safe': Number.MAX_SAFE_INTEGER,
      ok: true,
      nope: false,
      nothing: null,
      bytes: new Uint8Array([0, 1, 2, 255]),
      empty: '',
      unicode: 'façade — 漢字 🚀',
      list: ['x', 1, 2.5, true, null, ['nested', 3n]],
      map: { inner: 'v', n: 7, deep: { list: [1, 2] }, b: new Uint8Array([9]) },
      long: 'x'.repeat(5000),
      __proto__key: 'fine',
    },
    events: [
      {
        timeNs: 1_731_234_567_150_000_000n,
        name: 'exception',
        attributes: { 'exception.type': 'Error', 'exception.message': 'boom', 'exception.stacktrace': 'Error: boom\n  at x' },
        droppedAttributesCount: 1,
      },
      { timeNs: 1_731_234_567_100_000_000n, name: 'before start', attributes: {} },
      { timeNs: 1_731_234_567_123_456_789n, name: 'retry', attributes: { attempt: 2 }, droppedAttributesCount: 0 },
    ],
    links: [
      {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        traceState: 'k=v',
        flags: 1,
        attributes: { 'link.kind': 'follows' },
        droppedAttributesCount: 3,
      },
      { traceId: 'ffffffffffffffffffffffffffffffff', spanId: '0000000000000001', attributes: {} },
    ],
    droppedAttributesCount: 4,
    droppedEventsCount: 5,
    droppedLinksCount: 0,
    resource: RESOURCE,
    scope: { name: '@opentelemetry/instrumentation-http', version: '0.57.0', attributes: { 'scope.attr': 1 }, droppedAttributesCount: 1 },
  };
}

describe('round trip', () => {
  it('stores and reads back every span field exactly', () => {
    const { store } = fresh();
    const s = fullSpan();
    Object.defineProperty(s.attributes, '__proto__', { value: 'own key', enumerable: true, configurable: true, writable: true });
    const minimal: Span = {
      traceId: s.traceId,
      spanId: '1111111111111111',
      name: 'minimal',
      kind: 'unspecified',
      startNs: 5n,
      endNs: 3n,
      durationNs: 0,
      status: { code: 'unset' },
      attributes: {},
      events: [],
      links: [],
      resource: { serviceName: 'unknown_service', attributes: {} },
      scope: { name: '' },
      shared: false,
    };
    const res = store.writeBatch(batch([s, minimal]));
    expect(res).toEqual({ spansInserted: 2, spansDuplicate: 0, metricPointsInserted: 0, logRecordsInserted: 0 });
    const got = store.getTrace(s.traceId);
    expect(got).toHaveLength(2);
    const byId = new Map(got.map((g) => [g.spanId, g]));
    expect(byId.get(s.spanId)).toEqual(s);
    expect(byId.get(minimal.spanId)).toEqual(minimal);
    const back = byId.get(s.spanId)!;
    // toEqual is lenient on a few things; check them directly.
    expect(Object.is(back.attributes['neg.zero'], -0)).toBe(true);
    expect(Number.isNaN(back.attributes['not.a.number'])).toBe(true);
    expect(typeof back.attributes['big.int']).toBe('bigint');
    expect(Number.isInteger(back.attributes['whole.double'])).toBe(true);
    expect(back.attributes.bytes).toBeInstanceOf(Uint8Array);
    expect(Object.getOwnPropertyDescriptor(back.attributes, '__proto__')?.value).toBe('own key');
    expect(Object.getPrototypeOf(back.attributes)).toBe(Object.prototype);
    expect(back.endNs).toBe(1_731_234_567_223_456_790n);
    expect(byId.get(minimal.spanId)!.endNs).toBe(3n);
    expect('parentSpanId' in byId.get(minimal.spanId)!).toBe(false);
  });

  it('keeps values typed the same whether interned or stored inline', () => {
    // maxValuesPerKey 2: the third distinct value of a key goes inline.
    const { store } = fresh({ maxValuesPerKey: 2 });
    const traceId = hexId(16);
    const spans: Span[] = [];
    const values = ['a', 'b', 'c', 1, 2, 3.5, true, false, '', 0];
    values.forEach((v, i) => {
      spans.push({ ...fullSpan(), traceId, spanId: hexId(8, 1000 + i), attributes: { k: v, [`key${i % 3}`]: v } });
    });
    store.writeBatch(batch(spans));
    const got = new Map(store.getTrace(traceId).map((g) => [g.spanId, g.attributes]));
    values.forEach((v, i) => {
      expect(got.get(hexId(8, 1000 + i))).toEqual({ k: v, [`key${i % 3}`]: v });
    });
  });

  it('round-trips metric points of every type and log records', () => {
    const { store } = fresh();
    const scope = { name: 'meter', version: '1' };
    const base = { resource: RESOURCE, scope, attributes: { 'http.route': '/x', code: 200 } };
    const points: MetricPoint[] = [
      { ...base, name: 'queue.depth', type: 'gauge', unit: '{item}', timeNs: T0, value: 3.25, flags: 0 },
      {
        ...base, name: 'requests', description: 'all requests', type: 'sum', temporality: 'cumulative', monotonic: true,
        startNs: T0 - 10n, timeNs: T0, value: 12,
      },
      { ...base, name: 'delta.sum', type: 'sum', temporality: 'delta', monotonic: false, timeNs: T0 + 1n, value: -2 },
      {
        ...base, name: 'latency', unit: 'ms', type: 'histogram', temporality: 'delta', startNs: T0 - 5n, timeNs: T0 + 2n,
        count: 10, sum: 123.5, min: 0.5, max: 80, bucketCounts: [1, 2, 3, 4], explicitBounds: [1, 10, 100],
      },
      {
        ...base, name: 'latency.exp', type: 'exponential_histogram', temporality: 'cumulative', timeNs: T0 + 3n,
        count: 7, sum: 9.5, scale: -2, zeroCount: 1, zeroThreshold: 0.001,
        positive: { offset: -3, bucketCounts: [1, 0, 2] }, negative: { offset: 2, bucketCounts: [3] },
      },
      {
        ...base, name: 'rpc.summary', type: 'summary', timeNs: T0 + 4n, count: 4, sum: 10,
        quantiles: [{ quantile: 0.5, value: 2 }, { quantile: 0.99, value: 4.5 }],
      },
    ];
    const logs: LogRecord[] = [
      {
        resource: RESOURCE, scope, timeNs: T0, observedTimeNs: T0 + 5n, severityNumber: 17, severityText: 'ERROR',
        body: { message: 'failed', code: 7, tags: ['a'] }, attributes: { 'log.kind': 'app' },
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: 1, eventName: 'checkout.failed',
        droppedAttributesCount: 1,
      },
      { resource: RESOURCE, scope, timeNs: T0 + 1n, body: 'plain text', attributes: {} },
    ];
    const res = store.writeBatch({ spans: [], metrics: points, logs });
    expect(res.metricPointsInserted).toBe(points.length);
    expect(res.logRecordsInserted).toBe(2);
    expect(store.queryMetrics({})).toEqual(points);
    expect(store.queryMetrics({ name: 'latency' })).toEqual([points[3]]);
    expect(store.queryMetrics({ service: 'checkout', fromNs: T0 + 1n, toNs: T0 + 3n })).toEqual([points[2], points[3]]);
    expect(store.queryMetrics({ service: 'nope' })).toEqual([]);
    expect(store.queryLogs({})).toEqual(logs);
    expect(store.queryLogs({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736' })).toEqual([logs[0]]);
    expect(store.queryLogs({ fromNs: T0 + 1n })).toEqual([logs[1]]);
    expect(store.queryLogs({ traceId: 'not-hex' })).toEqual([]);
  });

  it('rejects a batch with a malformed id as a whole and stays consistent', () => {
    const { store } = fresh();
    const good = { ...fullSpan(), name: 'brand new name', attributes: { 'brand.new.key': 'brand new value' } };
    const bad = { ...fullSpan(), spanId: 'zz' };
    expect(() => store.writeBatch(batch([good, bad]))).toThrow(/malformed span id/);
    expect(store.getTrace(good.traceId)).toEqual([]);
    // The dictionary ids created by the failed transaction are gone; a retry must still work.
    expect(store.writeBatch(batch([good])).spansInserted).toBe(1);
    expect(store.getTrace(good.traceId)).toEqual([good]);
  });
});
