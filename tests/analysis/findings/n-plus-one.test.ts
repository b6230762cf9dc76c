import { describe, expect, it } from 'vitest';
import type { Span } from '../../../lib/model/index.ts';
import { call, config, dbSpan, findingsOf, notEvaluatedReason, span } from './helpers.ts';

/** A SERVER span in `orders` with `n` sequential same-shape queries of `dur` ms each. */
function loop(n: number, dur: number, opts: { parentDur?: number; gap?: number; overlap?: boolean; trace?: string } = {}): Span[] {
  const trace = opts.trace ?? 't1';
  const out: Span[] = [span({ trace, id: 'root', service: 'orders', kind: 'server', name: 'GET /orders', dur: opts.parentDur ?? 10_000 })];
  for (let i = 0; i < n; i++) {
    const start = opts.overlap ? 1 : 1 + i * (dur + (opts.gap ?? 0.5));
    out.push(dbSpan({ trace, id: `q${i}`, parent: 'root', service: 'orders', namespace: 'shop', query: `SELECT * FROM items WHERE id = ${100 + i}`, start, dur }));
  }
  return out;
}

describe('n-plus-one-db', () => {
  it('4 same-shape queries: nothing; 5: medium', () => {
    expect(findingsOf(loop(4, 20), 'n-plus-one-db')).toEqual([]);
    const f = findingsOf(loop(5, 20), 'n-plus-one-db');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('medium');
    expect(f[0].services).toEqual(['orders']);
    expect(f[0].evidence.counts).toMatchObject({ maxQueries: 5, maxTotalMs: 100 });
    expect(f[0].evidence.details?.query).toBe('SELECT * FROM items WHERE id = ?');
    expect(f[0].evidence.spans).toHaveLength(5);
    expect(f[0].resources).toEqual([{ kind: 'database', name: 'db:postgresql|db.internal|shop' }]);
  });

  it('total 49 ms: nothing; 50 ms: medium', () => {
    expect(findingsOf(loop(5, 9.8), 'n-plus-one-db')).toEqual([]);
    expect(findingsOf(loop(5, 10), 'n-plus-one-db')).toHaveLength(1);
  });

  it('19 queries: medium; 20: high; >30% of the parent: high', () => {
    expect(findingsOf(loop(19, 10, { parentDur: 100_000 }), 'n-plus-one-db')[0].severity).toBe('medium');
    expect(findingsOf(loop(20, 10, { parentDur: 100_000 }), 'n-plus-one-db')[0].severity).toBe('high');
    // 5 × 20 ms = 100 ms of a 300 ms parent is 33%.
    expect(findingsOf(loop(5, 20, { parentDur: 300 }), 'n-plus-one-db')[0].severity).toBe('high');
    // …of a 400 ms parent is 25%.
    expect(findingsOf(loop(5, 20, { parentDur: 400 }), 'n-plus-one-db')[0].severity).toBe('medium');
  });

  it('queries running in parallel are not a loop', () => {
    expect(findingsOf(loop(8, 20, { overlap: true }), 'n-plus-one-db')).toEqual([]);
  });

  it('different shapes are not a loop', () => {
    const spans: Span[] = [span({ id: 'root', service: 'orders', kind: 'server', dur: 10_000 })];
    const tables = ['a', 'b', 'c', 'd', 'e', 'f'];
    tables.forEach((t, i) => spans.push(dbSpan({ id: `q${i}`, parent: 'root', service: 'orders', query: `SELECT * FROM ${t} WHERE id = 1`, start: 1 + i * 30, dur: 20 })));
    expect(findingsOf(spans, 'n-plus-one-db')).toEqual([]);
  });

  it('has one fingerprint for the same loop in different traces and runs', () => {
    const a = findingsOf(loop(5, 20, { trace: 'aaa' }), 'n-plus-one-db');
    const b = findingsOf([...loop(6, 30, { trace: 'bbb' }), ...loop(7, 30, { trace: 'ccc' })], 'n-plus-one-db');
    expect(a[0].evidence.traceIds).not.toEqual(b[0].evidence.traceIds);
    expect(a[0].fingerprint).toBe(b[0].fingerprint);
    expect(b[0].evidence.counts.traces).toBe(2);
  });

  it('uses db.collection.name when there is no query text', () => {
    const spans: Span[] = [span({ id: 'root', service: 'cart', kind: 'server', dur: 10_000 })];
    for (let i = 0; i < 5; i++) spans.push(dbSpan({ id: `q${i}`, parent: 'root', service: 'cart', system: 'mongodb', collection: 'carts', operation: 'find', start: 1 + i * 20, dur: 15 }));
    expect(findingsOf(spans, 'n-plus-one-db')).toHaveLength(1);
  });

  it('is not evaluated without query text or collection', () => {
    expect(notEvaluatedReason([span({ id: 'root', service: 'x', kind: 'server' })], 'n-plus-one-db')).toBe(
      'no database spans with db.query.text or db.collection.name',
    );
    const bare = [span({ id: 'root', service: 'x', kind: 'server' }), dbSpan({ id: 'q', parent: 'root', service: 'x' })];
    expect(notEvaluatedReason(bare, 'n-plus-one-db')).toBe('none of 1 database spans has db.query.text or db.collection.name');
  });

  it('honours the allow-list by database', () => {
    expect(findingsOf(loop(5, 20), 'n-plus-one-db', config({ rules: { 'n-plus-one-db': { allow: [{ service: 'orders', database: 'shop' }] } } }))).toEqual([]);
  });
});

describe('n-plus-one-api', () => {
  const calls = (n: number, route = (i: number) => `/users/${i}`) => {
    const out: Span[] = [span({ id: 'root', service: 'web', kind: 'server', dur: 10_000 })];
    for (let i = 0; i < n; i++) {
      out.push(
        ...call({ id: `c${i}`, parent: 'root', from: 'web', to: 'users', start: 1 + i * 12, dur: 10, clientAttrs: { 'http.request.method': 'GET', 'url.path': route(i) }, serverAttrs: { 'http.request.method': 'GET', 'http.route': route(0).startsWith('/users/') ? '/users/:id' : route(i) } }),
      );
    }
    return out;
  };

  it('4 calls to one route: nothing; 5: medium', () => {
    expect(findingsOf(calls(4), 'n-plus-one-api')).toEqual([]);
    const f = findingsOf(calls(5), 'n-plus-one-api');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('medium');
    expect(f[0].services).toEqual(['users', 'web']);
    expect(f[0].resources).toContainEqual({ kind: 'route', name: 'GET /users/:id' });
    expect(f[0].evidence.counts.maxCalls).toBe(5);
  });

  it('calls to different routes are not N+1', () => {
    expect(findingsOf(calls(6, (i) => `/report/${['a', 'b', 'c', 'd', 'e', 'f'][i]}`), 'n-plus-one-api')).toEqual([]);
  });
});
