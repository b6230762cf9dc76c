import { describe, expect, it } from 'vitest';
import { analyzeSpans, SpanAnalyzer } from '../../lib/analysis/analyzer.ts';
import type { TraceTree } from '../../lib/analysis/trace/tree.ts';
import { T0, call, span } from './helpers.ts';

const T0_MS = Number(T0 / 1_000_000n);

describe('analyzeSpans', () => {
  const spans = [
    ...[0, 1, 2].flatMap((i) => [
      span({ trace: `t${i}`, id: 'r', service: 'web', kind: 'server', start: i * 60_000, dur: 20, version: i < 2 ? '1.0' : '1.1' }),
      ...call({ trace: `t${i}`, id: 'c', parent: 'r', from: 'web', to: 'api', start: i * 60_000 + 1, dur: 10 }),
    ]),
    span({ trace: 'late', id: 'o', parent: 'gone', service: 'api', kind: 'server', start: 30_000 }),
  ];

  it('returns graph, RED, versions and data quality from one pass', () => {
    const r = analyzeSpans(spans, { now: T0_MS + 600_000, stepMs: 60_000 });
    expect(r).toMatchObject({ now: T0_MS + 600_000, traces: 4, spans: 10 });
    expect(r.window.fromMs).toBe(T0_MS);
    expect(r.graph.edges.map((e) => e.id)).toEqual(['client->api|sync', 'client->web|sync', 'web->api|sync']);
    expect(r.services.map((s) => [s.service, s.calls])).toEqual([
      ['web', 3],
      ['api', 4],
    ]);
    expect(r.series!.web.map((p) => p.calls)).toEqual([1, 1, 1]);
    expect(r.serviceVersions.map((v) => [v.service, v.version])).toEqual([
      ['web', '1.0'],
      ['web', '1.1'],
    ]);
    expect(r.serviceVersions[1].firstSeenNs).toBe(T0 + 120_000n * 1_000_000n);
    expect(r.quality).toMatchObject({ orphanSpans: 1, unpairedClientSpans: 0, duplicateSpans: 0 });
  });

  it('feeds every tree to visitors, once, and does not change the caller’s spans', () => {
    const seen: string[] = [];
    const before = JSON.stringify(spans, (_, v) => (typeof v === 'bigint' ? String(v) : v));
    analyzeSpans(spans, { now: 0, visitors: [{ visitTrace: (t: TraceTree) => seen.push(t.traceId.replace(/^0+/, '')) }] });
    expect(seen.sort()).toEqual(['late', 't0', 't1', 't2']);
    expect(JSON.stringify(spans, (_, v) => (typeof v === 'bigint' ? String(v) : v))).toBe(before);
  });

  it('refuses to be used after finish', () => {
    const a = new SpanAnalyzer({ now: 0 });
    a.add(spans);
    a.finish();
    expect(() => a.add(spans)).toThrow(/after finish/);
  });
});
