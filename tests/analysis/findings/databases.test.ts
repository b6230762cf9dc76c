// shared-database, service-intimacy, architecture/ownership.
import { describe, expect, it } from 'vitest';
import type { Span } from '../../../lib/model/index.ts';
import { config, dbSpan, findingsOf, notEvaluatedReason, span } from './helpers.ts';

/** One trace per (service, query): a SERVER span with one database call under it. */
function uses(list: { service: string; query?: string; namespace?: string; address?: string; system?: string; times?: number }[]): Span[] {
  const out: Span[] = [];
  list.forEach((u, i) => {
    for (let k = 0; k < (u.times ?? 1); k++) {
      const trace = `u${i}k${k}`;
      out.push(span({ trace, id: 'root', service: u.service, kind: 'server' }));
      out.push(dbSpan({ trace, id: 'q', parent: 'root', service: u.service, namespace: u.namespace ?? 'orders', address: u.address, system: u.system, query: u.query ?? 'SELECT 1' }));
    }
  });
  return out;
}

describe('shared-database', () => {
  it('one service on a database: nothing', () => {
    expect(findingsOf(uses([{ service: 'orders', query: 'SELECT * FROM orders' }]), 'shared-database')).toEqual([]);
  });

  it('two services on one database, no common table: medium', () => {
    const f = findingsOf(uses([{ service: 'orders', query: 'SELECT * FROM orders' }, { service: 'billing', query: 'SELECT * FROM invoices' }]), 'shared-database');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'medium', services: ['billing', 'orders'] });
    expect(f[0].resources).toEqual([{ kind: 'database', name: 'db:postgresql|db.internal|orders' }]);
    expect(f[0].evidence.traceIds.length).toBeGreaterThan(0);
  });

  it('a table written by one service and read by another: high, owner named', () => {
    const f = findingsOf(
      uses([
        { service: 'orders', query: "INSERT INTO orders VALUES (1, 'x')", times: 3 },
        { service: 'reporting', query: 'SELECT * FROM orders' },
      ]),
      'shared-database',
    );
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('high');
    expect(f[0].resources).toContainEqual({ kind: 'table', name: 'orders.orders' });
    expect(f[0].evidence.details?.['table orders.orders']).toBe('used by orders, reporting; written by orders; owner orders');
  });

  it('two readers of one table and no writer: medium, not high', () => {
    const f = findingsOf(uses([{ service: 'a', query: 'SELECT * FROM t' }, { service: 'b', query: 'SELECT * FROM t' }]), 'shared-database');
    expect(f[0].severity).toBe('medium');
  });

  it('one instance, different namespaces: info', () => {
    const f = findingsOf(uses([{ service: 'orders', namespace: 'orders' }, { service: 'users', namespace: 'users' }]), 'shared-database');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'info', services: ['orders', 'users'] });
  });

  it('the same namespace on different hosts is two databases', () => {
    expect(findingsOf(uses([{ service: 'a', address: 'db1' }, { service: 'b', address: 'db2' }]), 'shared-database')).toEqual([]);
  });

  it('caches are their own class: off by default, on with includeCaches', () => {
    const spans = uses([{ service: 'a', system: 'redis', query: 'GET x' }, { service: 'b', system: 'redis', query: 'GET y' }]);
    expect(findingsOf(spans, 'shared-database')).toEqual([]);
    expect(findingsOf(spans, 'shared-database', config({ rules: { 'shared-database': { thresholds: { includeCaches: true } } } }))).toHaveLength(1);
  });

  it('the allow-list lets reporting read the orders database', () => {
    const spans = uses([{ service: 'orders', query: 'INSERT INTO orders VALUES (1)' }, { service: 'reporting', query: 'SELECT * FROM orders' }]);
    const cfg = config({ rules: { 'shared-database': { allow: [{ service: 'reporting', database: 'orders' }] } } });
    expect(findingsOf(spans, 'shared-database', cfg)).toEqual([]);
    // A third service is still caught.
    const more = [...spans, ...uses([{ service: 'billing', query: 'SELECT * FROM orders' }]).map((s) => ({ ...s, traceId: s.traceId.replace(/^0/, 'f') }))];
    expect(findingsOf(more, 'shared-database', cfg)[0].services).toEqual(['billing', 'orders']);
  });

  it('is not evaluated without database spans', () => {
    expect(notEvaluatedReason([span({ id: 'r', service: 'a', kind: 'server' })], 'shared-database')).toBe('no database spans (db.system.name, db.namespace, db.query.text) in the data');
  });
});

describe('service-intimacy', () => {
  const spans = uses([
    { service: 'orders', query: 'INSERT INTO orders VALUES (1)', times: 3 },
    { service: 'reporting', query: 'SELECT * FROM orders JOIN customers ON 1 = 1' },
    { service: 'customers', query: 'UPDATE customers SET x = 1', times: 2 },
  ]);

  it('names who reaches into whose tables', () => {
    const f = findingsOf(spans, 'service-intimacy');
    expect(f.map((x) => x.title).sort()).toEqual(['reporting reads table orders.customers owned by customers', 'reporting reads table orders.orders owned by orders']);
    expect(f.every((x) => x.severity === 'high')).toBe(true);
  });

  it('a declared owner (architecture.ownership) wins over the most writes', () => {
    const cfg = config({ architecture: { ownership: [{ service: 'reporting', writes: ['orders.orders'] }] } });
    const f = findingsOf(spans, 'service-intimacy', cfg);
    expect(f.map((x) => x.title).sort()).toEqual(['orders writes table orders.orders owned by reporting', 'reporting reads table orders.customers owned by customers']);
  });

  it('is not evaluated when no table is known', () => {
    expect(notEvaluatedReason(uses([{ service: 'a', query: 'BEGIN' }]), 'service-intimacy')).toBe('no database spans with db.collection.name or a parseable db.query.text');
  });
});

describe('architecture/ownership', () => {
  it('only the declared owner may write its tables', () => {
    const spans = uses([
      { service: 'orders', query: 'INSERT INTO orders VALUES (1)' },
      { service: 'billing', query: 'UPDATE orders SET paid = true' },
      { service: 'reporting', query: 'SELECT * FROM orders' },
    ]);
    const cfg = config({ architecture: { ownership: [{ service: 'orders', writes: ['orders.*'] }] } });
    const f = findingsOf(spans, 'architecture/ownership', cfg);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'high', services: ['billing', 'orders'] });
    expect(f[0].title).toBe('billing writes orders.orders, which only orders may write (orders.*)');
    expect(findingsOf(spans, 'architecture/ownership')).toEqual([]);
  });
});

describe('shared-database without a database identity', () => {
  const anon = (trace: string, service: string) => [
    span({ trace, id: 'root', service, kind: 'server' }),
    span({ trace, id: 'q', parent: 'root', service, kind: 'client', attrs: { 'db.system.name': 'mysql', 'db.query.text': 'SELECT * FROM t' } }),
  ];
  it('two services on "mysql" with no address or namespace: not evaluated, not "unshared"', () => {
    expect(notEvaluatedReason([...anon('a', 'x'), ...anon('b', 'y')], 'shared-database')).toBe(
      '2 services use mysql, but their spans name neither server.address nor db.namespace, so it cannot be told whether they share one',
    );
  });
  it('one service on it: conclusively not shared', () => {
    const spans = anon('a', 'x');
    expect(notEvaluatedReason(spans, 'shared-database')).toBeUndefined();
    expect(findingsOf(spans, 'shared-database')).toEqual([]);
  });
});
