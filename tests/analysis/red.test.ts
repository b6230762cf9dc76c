import { describe, expect, it } from 'vitest';
import { RedAccumulator } from '../../lib/analysis/red/accumulator.ts';
import { redFromMetrics } from '../../lib/analysis/red/metrics.ts';
import { redSeries } from '../../lib/analysis/red/series.ts';
import { buildTraceTree, type TraceTree } from '../../lib/analysis/trace/tree.ts';
import type { MetricPoint } from '../../lib/model/index.ts';
import { T0, call, span } from './helpers.ts';

const T0_MS = Number(T0 / 1_000_000n);

// 10 requests to web (each 100 ms, 40 ms of which waiting on api), one a minute apart; every 5th fails.
function trees(): TraceTree[] {
  return Array.from({ length: 10 }, (_, i) =>
    buildTraceTree([
      span({ trace: `t${i}`, id: 'r', service: 'web', kind: 'server', name: 'GET /', start: i * 60_000, dur: 100, error: i % 5 === 0 }),
      ...call({ trace: `t${i}`, id: 'c', parent: 'r', from: 'web', to: 'api', name: 'GET /items', start: i * 60_000 + 10, dur: 40 }),
    ]),
  );
}

describe('RedAccumulator', () => {
  it('computes rate, errors, percentiles, self time and impact per service and operation', () => {
    const acc = new RedAccumulator();
    for (const t of trees()) acc.addTrace(t);
    const services = acc.services(600_000);
    const web = services.find((s) => s.service === 'web')!;
    expect(web).toMatchObject({ calls: 10, errors: 2, errorRate: 0.2, ratePerSec: Math.round((10 / 600) * 1e6) / 1e6, p50Ms: 100, p99Ms: 100, impactRank: 1, operations: 1 });
    // 100 ms request, 40 ms in the client span it waited on.
    expect(web.meanSelfTimeMs).toBe(60);
    expect(web.selfTimeShare).toBe(0.6);
    const api = services.find((s) => s.service === 'api')!;
    expect(api).toMatchObject({ calls: 10, errors: 0, p50Ms: 39, impactRank: 2, meanSelfTimeMs: 39, selfTimeShare: 1 });
    expect(acc.operations(600_000, 'api')).toEqual([expect.objectContaining({ service: 'api', operation: 'GET /items', calls: 10 })]);
  });

  it('keeps per-step series and merges accumulators', () => {
    const a = new RedAccumulator({ stepMs: 120_000 });
    const b = new RedAccumulator({ stepMs: 120_000 });
    trees().forEach((t, i) => (i < 5 ? a : b).addTrace(t));
    a.merge(b);
    const s = a.series('web');
    expect(s.map((p) => p.calls)).toEqual([2, 2, 2, 2, 2]);
    expect(s[0].timeMs % 120_000).toBe(0);
    expect(s.map((p) => p.errors)).toEqual([1, 0, 1, 0, 0]);
    expect(a.services()[0].calls).toBe(10);
  });

  it('folds operation names past the cap into (other)', () => {
    const acc = new RedAccumulator({ maxOperationsPerService: 2 });
    for (let i = 0; i < 5; i++) acc.addTrace(buildTraceTree([span({ trace: `t${i}`, id: 'r', service: 'x', kind: 'server', name: `GET /u/${i}` })]));
    expect(acc.operations().map((o) => [o.operation, o.calls]).sort()).toEqual([
      ['(other)', 3],
      ['GET /u/0', 1],
      ['GET /u/1', 1],
    ]);
  });
});

describe('redSeries', () => {
  it('buckets one service by step, fills empty buckets, and rejects bad steps as values', () => {
    const s = redSeries(trees(), { service: 'web', stepMs: 60_000, fromMs: T0_MS, toMs: T0_MS + 12 * 60_000 });
    expect(Array.isArray(s)).toBe(true);
    const pts = s as Exclude<typeof s, { error: string }>;
    expect(pts).toHaveLength(12);
    expect(pts.map((p) => p.calls)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect(pts[0]).toMatchObject({ errors: 1, errorRate: 1, p95Ms: 100, ratePerSec: Math.round((1 / 60) * 1e6) / 1e6 });
    expect(redSeries(trees(), { service: 'web', stepMs: 0 })).toEqual({ error: 'stepMs must be > 0, got 0' });
    expect(redSeries(trees(), { service: 'web', stepMs: 1, fromMs: 0, toMs: 1e9 })).toHaveProperty('error');
  });
});

function hist(p: Partial<MetricPoint> & { name: string; bucketCounts: number[]; explicitBounds: number[] }): MetricPoint {
  return {
    resource: { serviceName: 'shop-7d9f8b6c5d-x2kqz', attributes: {} },
    scope: { name: 'test' },
    type: 'histogram',
    temporality: 'delta',
    attributes: { 'http.request.method': 'GET', 'http.route': '/orders' },
    timeNs: T0 + 30_000_000_000n,
    count: p.bucketCounts.reduce((a, b) => a + b, 0),
    ...p,
  };
}

describe('redFromMetrics', () => {
  it('reads new (seconds) and old (milliseconds) duration histograms into one ms scale', () => {
    const r = redFromMetrics([
      hist({ name: 'http.server.request.duration', explicitBounds: [0.05, 0.1, 0.5], bucketCounts: [0, 100, 0, 0] }),
      hist({ name: 'http.server.duration', explicitBounds: [50, 100, 500], bucketCounts: [0, 100, 0, 0], attributes: { 'http.request.method': 'GET', 'http.route': '/orders', 'http.response.status_code': 503 } }),
    ], { fromNs: T0, toNs: T0 + 60_000_000_000n });
    if ('error' in r) throw new Error(r.error);
    expect(r.services).toHaveLength(1);
    const s = r.services[0];
    expect(s).toMatchObject({ service: 'shop', calls: 200, errors: 100, errorRate: 0.5 });
    expect(s.ratePerSec).toBeCloseTo(200 / 60, 3);
    expect(s.p50Ms).toBeGreaterThan(50);
    expect(s.p50Ms).toBeLessThanOrEqual(100);
    expect(r.operations.map((o) => o.operation)).toEqual(['GET /orders']);
  });

  it('turns cumulative points into deltas and ignores what happened before the window', () => {
    const base = { name: 'http.server.request.duration', explicitBounds: [0.01, 1], temporality: 'cumulative' as const, startNs: T0 - 600_000_000_000n };
    const r = redFromMetrics(
      [
        hist({ ...base, bucketCounts: [50, 50, 0], timeNs: T0 - 1n }), // before the window: baseline only
        hist({ ...base, bucketCounts: [60, 80, 0], timeNs: T0 + 10_000_000_000n }),
        hist({ ...base, bucketCounts: [70, 90, 0], timeNs: T0 + 20_000_000_000n }),
      ],
      { fromNs: T0, toNs: T0 + 60_000_000_000n, stepMs: 10_000 },
    );
    if ('error' in r) throw new Error(r.error);
    expect(r.services[0].calls).toBe(60);
    expect(r.series['shop'].map((p) => p.calls)).toEqual([40, 20]);
  });

  it('counts points it cannot use', () => {
    const r = redFromMetrics([{ ...hist({ name: 'http.server.duration', explicitBounds: [1], bucketCounts: [1] }) }]);
    if ('error' in r) throw new Error(r.error);
    expect(r.skipped).toBe(1);
    expect(r.services).toEqual([]);
  });
});

describe('redFromMetrics with exponential histograms', () => {
  it('reads base-2 buckets (scale 0) in seconds into ms percentiles', () => {
    const p: MetricPoint = {
      resource: { serviceName: 'api', attributes: {} },
      scope: { name: 'test' },
      name: 'http.server.request.duration',
      unit: 's',
      type: 'exponential_histogram',
      temporality: 'delta',
      attributes: { 'http.route': '/x' },
      timeNs: T0,
      count: 100,
      scale: 0,
      zeroCount: 0,
      // scale 0: bucket i covers (2^(offset+i), 2^(offset+i+1)] s; offset -5 → (1/32, 1/16] s = (31.25, 62.5] ms
      positive: { offset: -5, bucketCounts: [100] },
    };
    const r = redFromMetrics([p]);
    if ('error' in r) throw new Error(r.error);
    expect(r.services[0].calls).toBe(100);
    expect(r.services[0].p50Ms).toBeGreaterThan(31.25);
    expect(r.services[0].p99Ms).toBeLessThanOrEqual(62.5);
    expect(r.operations[0].operation).toBe('/x');
  });
});

describe('RedAccumulator bounds', () => {
  it('counts requests of services past maxServices instead of growing', () => {
    const acc = new RedAccumulator({ maxServices: 2 });
    for (let i = 0; i < 5; i++) acc.addTrace(buildTraceTree([span({ trace: `t${i}`, id: 'r', service: `svc${i}`, kind: 'server' })]));
    expect(acc.services().length).toBe(2);
    expect(acc.droppedRequests).toBe(3);
  });
});
