import { describe, expect, it } from 'vitest';
import { GraphAccumulator } from '../../lib/analysis/graph/accumulator.ts';
import { graphToJson } from '../../lib/analysis/graph/json.ts';
import type { ServiceGraph } from '../../lib/analysis/graph/types.ts';
import { buildTraceTree, groupByTrace } from '../../lib/analysis/trace/tree.ts';
import type { Span } from '../../lib/model/index.ts';
import { call, span, trace } from './helpers.ts';

function graphOf(spans: Span[]): ServiceGraph {
  const acc = new GraphAccumulator();
  for (const t of groupByTrace(spans).values()) acc.addTrace(buildTraceTree(t));
  return acc.build();
}
const edge = (g: ServiceGraph, source: string, target: string) => g.edges.find((e) => e.source === source && e.target === target);
const node = (g: ServiceGraph, id: string) => g.nodes.find((n) => n.id === id);

const db = (p: { id: string; parent: string; service: string; attrs: Record<string, string | number>; trace?: string }): Span =>
  span({ ...p, kind: 'client', name: 'db', attrs: p.attrs });

describe('sync edges', () => {
  it('pairs CLIENT→SERVER by ids and adds a client node for the root', () => {
    const g = graphOf([
      span({ id: 'r', service: 'web', kind: 'server', name: 'GET /', dur: 50 }),
      ...call({ id: 'c', parent: 'r', from: 'web', to: 'api', name: 'GET /items', start: 1, dur: 20 }),
    ]);
    expect(edge(g, 'client', 'web')).toMatchObject({ kind: 'sync', calls: 1 });
    const e = edge(g, 'web', 'api')!;
    expect(e).toMatchObject({ kind: 'sync', calls: 1, errors: 0, paired: 1, unpaired: 0, p50Ms: 20, serverP50Ms: 19 });
    expect(e.operations?.[0]).toMatchObject({ name: 'GET /items', calls: 1 });
    expect(g.unpairedClientSpans).toBe(0);
    expect(node(g, 'api')).toMatchObject({ kind: 'service', calls: 1 });
  });

  it('pairs despite clock skew: the server starts before its client (ids, never time)', () => {
    const g = graphOf(
      trace('t', [
        { id: 'r', service: 'servicea', kind: 'server', start: 0, dur: 100 },
        { id: 'x', parent: 'r', service: 'servicea', kind: 'client', start: 3, dur: 94 },
        { id: 'x', parent: 'r', service: 'serviceb', kind: 'server', shared: true, start: -63, dur: 93 },
      ]),
    );
    expect(edge(g, 'servicea', 'serviceb')).toMatchObject({ calls: 1, paired: 1 });
    expect(g.unpairedClientSpans).toBe(0);
  });

  it('walks through internal spans between the client and the wire', () => {
    const g = graphOf(
      trace('t', [
        { id: 'r', service: 'a', kind: 'server' },
        { id: 'c', parent: 'r', service: 'a', kind: 'client' },
        { id: 'w', parent: 'c', service: 'a', kind: 'internal' },
        { id: 's', parent: 'w', service: 'b', kind: 'server' },
      ]),
    );
    expect(edge(g, 'a', 'b')).toMatchObject({ paired: 1 });
    expect(g.unpairedClientSpans).toBe(0);
  });

  it('treats a kindless span whose parent is in another service as the server of a call', () => {
    const g = graphOf(
      trace('t', [
        { id: 'r', service: 'a', kind: 'unspecified' },
        { id: 's', parent: 'r', service: 'b', kind: 'unspecified' },
      ]),
    );
    expect(edge(g, 'client', 'a')).toBeDefined();
    expect(edge(g, 'a', 'b')).toMatchObject({ calls: 1 });
  });

  it('sends unpaired clients to an external node named from service.peer.name or server.address:port', () => {
    const g = graphOf(
      trace('t', [
        { id: 'r', service: 'a', kind: 'server' },
        { id: 'c1', parent: 'r', service: 'a', kind: 'client', attrs: { 'server.address': 'api.stripe.com', 'server.port': 443 } },
        { id: 'c2', parent: 'r', service: 'a', kind: 'client', attrs: { 'service.peer.name': 'legacy-billing', 'server.address': '10.0.0.1' } },
        { id: 'c3', parent: 'r', service: 'a', kind: 'client', attrs: { 'url.full': 'http://inventory:8080/x?y=1' } },
      ]),
    );
    expect(node(g, 'ext:api.stripe.com:443')).toMatchObject({ kind: 'external', calls: 1 });
    expect(node(g, 'ext:legacy-billing')).toMatchObject({ kind: 'external' });
    expect(node(g, 'ext:inventory:8080')).toBeDefined();
    expect(edge(g, 'a', 'ext:api.stripe.com:443')).toMatchObject({ unpaired: 1, paired: 0 });
    expect(g.unpairedClientSpans).toBe(3);
  });

  it('resolves a peer named after a known service onto that service', () => {
    const g = graphOf([
      span({ trace: 't1', id: 'r', service: 'web', kind: 'server' }),
      span({ trace: 't1', id: 'c', parent: 'r', service: 'web', kind: 'client', attrs: { 'service.peer.name': 'Cart_Service' } }),
      ...call({ trace: 't2', id: 'k', from: 'web', to: 'cart-service' }),
    ]);
    expect(edge(g, 'web', 'cart-service')).toMatchObject({ calls: 2, paired: 1, unpaired: 1 });
    expect(node(g, 'ext:Cart_Service')).toBeUndefined();
  });
});

describe('database nodes', () => {
  const mysql = (ns: string) => ({ 'db.system.name': 'mysql', 'server.address': 'db1', 'server.port': 3306, 'db.namespace': ns });

  it('two services on one address+namespace are one node; another namespace is another node', () => {
    const g = graphOf([
      span({ trace: 't1', id: 'r', service: 'orders', kind: 'server' }),
      db({ trace: 't1', id: 'q1', parent: 'r', service: 'orders', attrs: { ...mysql('shop'), 'db.query.text': 'INSERT INTO orders (id) VALUES (?)' } }),
      span({ trace: 't2', id: 'r', service: 'reports', kind: 'server' }),
      db({ trace: 't2', id: 'q2', parent: 'r', service: 'reports', attrs: { ...mysql('shop'), 'db.query.text': 'SELECT * FROM orders o JOIN customers c ON o.c = c.id' } }),
      db({ trace: 't2', id: 'q3', parent: 'r', service: 'reports', attrs: { ...mysql('audit'), 'db.collection.name': 'events', 'db.operation.name': 'SELECT' } }),
    ]);
    const dbs = g.nodes.filter((n) => n.kind === 'database');
    expect(dbs.map((n) => n.id)).toEqual(['db:mysql|db1:3306|audit', 'db:mysql|db1:3306|shop']);
    const shop = node(g, 'db:mysql|db1:3306|shop')!;
    expect(shop).toMatchObject({ dbSystem: 'mysql', address: 'db1:3306', namespace: 'shop', calls: 2, identityKnown: true });
    expect(shop.tables).toEqual([
      { name: 'customers', readers: ['reports'], writers: [], counts: { reports: { reads: 1, writes: 0 } } },
      { name: 'orders', readers: ['reports'], writers: ['orders'], counts: { orders: { reads: 0, writes: 1 }, reports: { reads: 1, writes: 0 } } },
    ]);
    expect(edge(g, 'orders', 'db:mysql|db1:3306|shop')).toMatchObject({ kind: 'db', calls: 1 });
    expect(edge(g, 'orders', 'db:mysql|db1:3306|shop')!.operations![0].name).toBe('INSERT orders');
    expect(g.unpairedClientSpans).toBe(0);
  });

  it('never merges databases by type alone: without address or namespace the node is per service', () => {
    const g = graphOf([
      db({ trace: 't1', id: 'q', parent: 'x', service: 'a', attrs: { 'db.system.name': 'postgresql', 'db.query.text': 'select 1' } }),
      db({ trace: 't2', id: 'q', parent: 'x', service: 'b', attrs: { 'db.system.name': 'postgresql', 'db.query.text': 'select 1' } }),
    ]);
    const dbs = g.nodes.filter((n) => n.kind === 'database');
    expect(dbs.map((n) => [n.id, n.identityKnown])).toEqual([
      ['db:postgresql||@a', false],
      ['db:postgresql||@b', false],
    ]);
  });

  it('recognizes a database named only by its product as the remote service (Zipkin)', () => {
    const g = graphOf([
      span({ id: 'r', service: 'yelp-main', kind: 'server' }),
      span({ id: 'q', parent: 'r', service: 'yelp-main', kind: 'client', name: 'commit', attrs: { 'service.peer.name': 'mysql' } }),
      span({ id: 'z', parent: 'r', service: 'yelp-main', kind: 'client', attrs: { 'service.peer.name': 'app_db', 'db.query.text': 'insert into revinfo values (1)' } }),
    ]);
    expect(node(g, 'db:mysql||@yelp-main')).toMatchObject({ kind: 'database', dbSystem: 'mysql' });
    expect(node(g, 'db:unknown|app_db|')).toMatchObject({ kind: 'database', tables: [expect.objectContaining({ name: 'revinfo', writers: ['yelp-main'] })] });
    expect(g.unpairedClientSpans).toBe(0);
  });
});

describe('async edges', () => {
  it('PRODUCER → topic node → CONSUMER, paired by parentage or link', () => {
    const kafka = { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' };
    const g = graphOf([
      span({ trace: 't1', id: 'r', service: 'checkout', kind: 'server' }),
      span({ trace: 't1', id: 'p', parent: 'r', service: 'checkout', kind: 'producer', attrs: kafka }),
      span({ trace: 't1', id: 'c', parent: 'p', service: 'shipping', kind: 'consumer', attrs: kafka }),
      span({ trace: 't2', id: 'c2', service: 'billing', kind: 'consumer', attrs: kafka, links: [{ trace: 't1', id: 'p' }] }),
    ]);
    expect(node(g, 'queue:kafka|orders')).toMatchObject({ kind: 'queue', messagingSystem: 'kafka', destination: 'orders', calls: 1 });
    expect(edge(g, 'checkout', 'queue:kafka|orders')).toMatchObject({ kind: 'async', paired: 1 });
    expect(edge(g, 'queue:kafka|orders', 'shipping')).toMatchObject({ kind: 'async', paired: 1 });
    expect(edge(g, 'queue:kafka|orders', 'billing')).toMatchObject({ kind: 'async', paired: 1 });
    expect(edge(g, 'client', 'billing')).toBeUndefined();
    expect(node(g, 'checkout')).toMatchObject({ asyncCallsOut: 1, syncCallsOut: 0 });
  });

  it('fills a missing destination from the paired half and counts producers nobody consumed', () => {
    const g = graphOf([
      span({ trace: 't1', id: 'p', service: 'a', kind: 'producer', attrs: { 'service.peer.name': 'rabbitmq' } }),
      span({ trace: 't1', id: 'c', parent: 'p', service: 'b', kind: 'consumer', attrs: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'jobs' } }),
      span({ trace: 't2', id: 'p', service: 'a', kind: 'producer', attrs: { 'messaging.system': 'rabbitmq', 'messaging.destination.name': 'jobs' } }),
    ]);
    expect(g.nodes.filter((n) => n.kind === 'queue').map((n) => n.id)).toEqual(['queue:rabbitmq|jobs']);
    expect(edge(g, 'a', 'queue:rabbitmq|jobs')).toMatchObject({ calls: 2, paired: 1, unpaired: 1 });
    expect(g.unpairedProducerSpans).toBe(1);
  });
});

describe('GraphAccumulator', () => {
  it('merging per-minute accumulators equals one accumulator over everything', () => {
    const traces = Array.from({ length: 30 }, (_, i) => [
      span({ trace: `t${i}`, id: 'r', service: 'web', kind: 'server', dur: 10 + i }),
      ...call({ trace: `t${i}`, id: 'c', parent: 'r', from: 'web', to: 'api', dur: 5 + i, error: i % 7 === 0 }),
    ]);
    const whole = new GraphAccumulator();
    const parts = [new GraphAccumulator(), new GraphAccumulator()];
    traces.forEach((t, i) => {
      const tree = buildTraceTree(t);
      whole.addTrace(tree);
      parts[i % 2].addTrace(tree);
    });
    const merged = new GraphAccumulator();
    for (const p of parts) merged.merge(p);
    const strip = (g: ServiceGraph) => ({ ...g, edges: g.edges.map((e) => ({ ...e, traceIds: e.traceIds.length })) });
    expect(strip(merged.build())).toEqual(strip(whole.build()));
  });

  it('serializes to the ARCHITECTURE.md §3 contract', () => {
    const g = graphOf(call({ id: 'c', from: 'a', to: 'b' }));
    const j = JSON.parse(JSON.stringify(graphToJson(g)));
    expect(Object.keys(j.edges[0]).sort()).toEqual(['calls', 'errors', 'kind', 'p50Ms', 'p95Ms', 'p99Ms', 'source', 'target']);
    expect(j.nodes.every((n: { id: string; kind: string }) => typeof n.id === 'string' && ['service', 'database', 'queue', 'external', 'client'].includes(n.kind))).toBe(true);
    expect(graphToJson(g, { detail: 'full' }).edges[0].operations).toBeDefined();
  });
});

describe('bounds', () => {
  it('stops adding nodes and edges past the bounds and counts what it left out', () => {
    const acc = new GraphAccumulator({ maxNodes: 4, maxEdges: 3 });
    for (let i = 0; i < 10; i++) {
      acc.addTrace(buildTraceTree([span({ trace: `t${i}`, id: 'r', service: 'web', kind: 'server' }), span({ trace: `t${i}`, id: 'c', parent: 'r', service: 'web', kind: 'client', attrs: { 'server.address': `10.0.0.${i}` } })]));
    }
    const g = acc.build();
    expect(g.nodes.length).toBe(4); // web, client, two peers
    expect(g.edges.every((e) => g.nodes.some((n) => n.id === e.source) && g.nodes.some((n) => n.id === e.target))).toBe(true);
    expect(g.edges.length).toBeLessThanOrEqual(3);
    expect(g.dropped!.nodes).toBe(8);
    expect(g.dropped!.calls).toBeGreaterThanOrEqual(8);
    expect(g.edges.find((e) => e.source === 'client')!.calls).toBe(10);
  });
});
