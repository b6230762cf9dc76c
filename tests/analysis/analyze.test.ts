// The whole pipeline (graph, RED, findings) through the one entry point the CLI and API call.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze, Analyzer } from '../../lib/analysis/analyze.ts';
import type { Span } from '../../lib/model/index.ts';
import { decodeZipkinSpans } from '../../lib/otlp/zipkin.ts';
import { call, span } from './helpers.ts';
import { ZIPKIN_FIXTURES_URL } from '../shared.ts';

const yelp = (): Span[] => decodeZipkinSpans(JSON.parse(readFileSync(new URL('yelp.json', ZIPKIN_FIXTURES_URL), 'utf8'))).items;

describe('analyze', () => {
  it('yelp: mysql used by yelp-main alone is not a shared database', () => {
    const r = analyze(yelp(), { now: 0 });
    expect(r.graph.nodes.some((n) => n.dbSystem === 'mysql')).toBe(true);
    const shared = r.findings.findings.filter((f) => f.rule === 'shared-database' && f.resources.some((x) => x.name.includes('mysql')));
    expect(shared).toEqual([]);
    expect(r.findings.traces).toBe(1);
  });

  it('two services writing one table of one database are a shared database', () => {
    const db = { 'db.system.name': 'postgresql', 'server.address': 'pg', 'server.port': 5432, 'db.namespace': 'shop' };
    const spans: Span[] = [];
    for (let i = 0; i < 5; i++) {
      spans.push(span({ trace: `a${i}`, id: 'r', service: 'orders', kind: 'server', name: 'POST /api/v1/orders' }));
      spans.push(span({ trace: `a${i}`, id: 'q', parent: 'r', service: 'orders', kind: 'client', attrs: { ...db, 'db.query.text': 'INSERT INTO orders (id) VALUES ($1)' } }));
      spans.push(span({ trace: `b${i}`, id: 'r', service: 'billing', kind: 'server', name: 'POST /api/v1/invoices' }));
      spans.push(span({ trace: `b${i}`, id: 'q', parent: 'r', service: 'billing', kind: 'client', attrs: { ...db, 'db.query.text': 'UPDATE orders SET paid = true WHERE id = $1' } }));
    }
    const a = new Analyzer({ now: 0 });
    a.add(spans.slice(0, 7));
    a.add(spans.slice(7)); // batches split traces: they still come together
    const r = a.finish();
    expect(r.traces).toBe(10);
    const f = r.findings.findings.filter((x) => x.rule === 'shared-database');
    expect(f.length).toBeGreaterThan(0);
    expect(f[0].services).toEqual(['billing', 'orders']);
    expect(f.some((x) => x.severity === 'high')).toBe(true);
  });

  it('a clean two-service system has no high findings and pairs every call', () => {
    const spans: Span[] = [];
    for (let i = 0; i < 3; i++) {
      spans.push(span({ trace: `t${i}`, id: 'r', service: 'gateway', kind: 'server', name: 'GET /api/v1/items' }));
      spans.push(...call({ trace: `t${i}`, id: 'c', parent: 'r', from: 'gateway', to: 'items', name: 'GET /api/v1/items' }));
    }
    const r = analyze(spans, { now: 0 });
    expect(r.quality.unpairedClientSpans).toBe(0);
    expect(r.findings.findings.filter((f) => f.severity === 'high')).toEqual([]);
  });
});
