// The live analyzer over a real SQLite store: pairing from storage in every arrival order, the
// grace period and late pairs, several writers, restarts, the lease, self time from late children.
import { afterEach, describe, expect, it } from 'vitest';
import { Query } from '../../lib/query/query.ts';
import { openStore } from '../../lib/store/index.ts';
import { RollupReader } from '../../lib/store/rollups/reader.ts';
import { callTrace, edgeCalls, NOW, span, T0_MS, tempEnv, WINDOW, type Env } from './helpers.ts';

let env: Env;
afterEach(() => env?.close());

describe('live analyzer: sync pairing from storage', () => {
  it('pairs client and server that arrive in one chunk', () => {
    env = tempEnv();
    const t = callTrace('t1', 'web', 'orders');
    env.write([t.root, t.client, t.server]);
    const r = env.analyzer().pass(NOW);
    expect(r).toMatchObject({ leader: true, spans: 3, pending: 0 });
    expect(edgeCalls(env.query())).toEqual({ 'client->web|sync': 1, 'web->orders|sync': 1 });
    const g = env.query().graph(WINDOW);
    const e = g.edges.find((x) => x.id === 'web->orders|sync')!;
    expect(e).toMatchObject({ paired: 1, unpaired: 0, traceIds: [t.client.traceId] });
    expect(e.p50Ms).toBeCloseTo(30, 0);
    expect(e.serverP50Ms).toBeCloseTo(25, 0);
    expect(g.quality).toEqual({ unpairedClientSpans: 0, latePairs: 0, unpairedProducerSpans: 0 });
  });

  it('pairs across chunks when the client arrives first', () => {
    env = tempEnv();
    const a = env.analyzer();
    const t = callTrace('t1', 'web', 'orders');
    env.write([t.root, t.client]);
    expect(a.pass(NOW).pending).toBe(1);
    expect(edgeCalls(env.query())).toEqual({ 'client->web|sync': 1 });
    // The graph's freshness tells how many client spans wait for their other half.
    expect(env.query().graph(WINDOW).freshness.pendingClientSpans).toBe(1);
    env.write([t.server]);
    const r = a.pass(NOW + 1000);
    expect(r.pending).toBe(0);
    expect(env.query().graph(WINDOW).freshness.pendingClientSpans).toBe(0);
    // The previous chunk touched this trace: its spans are still in memory, nothing is read back.
    expect(r.lookups).toBe(0);
    expect(edgeCalls(env.query())).toEqual({ 'client->web|sync': 1, 'web->orders|sync': 1 });
  });

  it('reads a trace\'s earlier spans back from storage when chunks in between did not touch it', () => {
    env = tempEnv();
    const a = env.analyzer();
    const t = callTrace('t1', 'web', 'orders');
    const other = callTrace('t2', 'web', 'orders');
    env.write([t.root, t.client]);
    a.pass(NOW);
    env.write([other.root, other.client, other.server]);
    a.pass(NOW + 500);
    env.write([t.server]);
    const r = a.pass(NOW + 1000);
    expect(r).toMatchObject({ pending: 0, lookups: 1 });
    expect(env.query().graph(WINDOW).edges.find((e) => e.id === 'web->orders|sync')).toMatchObject({ calls: 2, paired: 2 });
  });

  it('folds several chunks into one flush with the same rollups as one pass per chunk', () => {
    const build = (chunked: boolean) => {
      const e = tempEnv();
      const traces = Array.from({ length: 12 }, (_, i) => callTrace(`t${i}`, 'web', i % 2 ? 'orders' : 'billing'));
      // Servers first for half the traces, clients first for the others: pairing crosses chunks both ways.
      e.write(traces.flatMap((t, i) => (i % 2 ? [t.server] : [t.root, t.client])));
      e.write(traces.flatMap((t, i) => (i % 2 ? [t.root, t.client] : [t.server])));
      const a = e.analyzer({ chunkSpans: 5 });
      if (chunked) {
        for (let i = 0; i < 20 && a.pass(NOW).behind > 0; i++);
      } else {
        expect(a.catchUp(() => NOW, 60_000)).toMatchObject({ spans: 36, behind: 0, pending: 0 });
      }
      const g = e.query().graph(WINDOW);
      e.close();
      return g;
    };
    const perChunk = build(true);
    const once = build(false);
    expect(once.edges).toEqual(perChunk.edges);
    expect(once.nodes).toEqual(perChunk.nodes);
    expect(once.edges.find((x) => x.id === 'web->orders|sync')).toMatchObject({ calls: 6, paired: 6 });
  });

  it('pairs across chunks when the server arrives first', () => {
    env = tempEnv();
    const a = env.analyzer();
    const t = callTrace('t1', 'web', 'orders');
    env.write([t.server]);
    a.pass(NOW);
    // An orphan server is a request the service handled, but not yet a call from anyone.
    expect(edgeCalls(env.query())).toEqual({});
    expect(env.query().services({ ...WINDOW, stepMs: 60_000 }).services.map((s) => [s.name, s.calls])).toEqual([['orders', 1]]);
    env.write([t.client]);
    a.pass(NOW + 1000);
    env.write([t.root]);
    a.pass(NOW + 2000);
    expect(edgeCalls(env.query())).toEqual({ 'client->web|sync': 1, 'web->orders|sync': 1 });
    expect(env.query().graph(WINDOW).edges.find((e) => e.id === 'web->orders|sync')?.paired).toBe(1);
  });

  it('promotes an unpaired client to an external node after the grace period, then counts a late server as a late pair', () => {
    env = tempEnv();
    const a = env.analyzer({ graceMs: 30_000 });
    const t = callTrace('t1', 'web', 'orders', { peer: 'orders.internal' });
    env.write([t.root, t.client]);
    a.pass(NOW);
    a.pass(NOW + 29_000);
    expect(edgeCalls(env.query())).toEqual({ 'client->web|sync': 1 });
    const r = a.pass(NOW + 30_000);
    expect(r.promoted).toBe(1);
    expect(edgeCalls(env.query())).toEqual({ 'client->web|sync': 1, 'web->ext:orders.internal|sync': 1 });
    const g1 = env.query().graph(WINDOW);
    expect(g1.nodes.find((n) => n.id === 'ext:orders.internal')).toMatchObject({ kind: 'external', name: 'orders.internal', calls: 1 });
    expect(g1.quality.unpairedClientSpans).toBe(1);

    env.write([t.server]);
    a.pass(NOW + 31_000);
    const g2 = env.query().graph(WINDOW);
    expect(edgeCalls(env.query())).toEqual({ 'client->web|sync': 1, 'web->ext:orders.internal|sync': 1 });
    expect(g2.quality).toEqual({ unpairedClientSpans: 1, latePairs: 1, unpairedProducerSpans: 0 });
    // The late server still counts as a request orders handled.
    expect(env.query().services({ ...WINDOW, stepMs: 60_000 }).services.find((s) => s.name === 'orders')?.calls).toBe(1);
  });

  it('resolves a peer named by service.peer.name onto the service once that service is known', () => {
    env = tempEnv();
    const a = env.analyzer({ graceMs: 0 });
    const c = span({ trace: 't1', id: 'cli', service: 'web', kind: 'client', attrs: { 'service.peer.name': 'orders' } });
    const other = span({ trace: 't2', id: 'root', service: 'orders', kind: 'server' });
    env.write([c, other]);
    a.pass(NOW);
    expect(edgeCalls(env.query())).toEqual({ 'client->orders|sync': 1, 'web->orders|sync': 1 });
  });

  it('pairs halves written by two collectors (two store connections) in separate batches', () => {
    env = tempEnv();
    const second = openStore(env.url);
    try {
      const t1 = callTrace('t1', 'web', 'orders');
      const t2 = callTrace('t2', 'web', 'orders', { start: 100 });
      second.writeBatch({ spans: [t1.server, t2.server], metrics: [], logs: [] });
      env.write([t1.root, t1.client]);
      const a = env.analyzer();
      a.pass(NOW);
      env.write([t2.client, t2.root]);
      a.pass(NOW + 500);
      expect(edgeCalls(env.query())).toEqual({ 'client->web|sync': 2, 'web->orders|sync': 2 });
      expect(env.query().graph(WINDOW).quality.latePairs).toBe(0);
    } finally {
      second.close();
    }
  });
});

describe('live analyzer: exactly once across passes, restarts and analyzers', () => {
  it('reuses a built graph only while the window rollups are unchanged', () => {
    env = tempEnv();
    const a = env.analyzer();
    const q = new Query({ store: openStore(env.url), rollups: new RollupReader(env.url), now: () => NOW });
    try {
      const t1 = callTrace('t1', 'web', 'orders');
      env.write([t1.root, t1.client, t1.server]);
      a.pass(NOW);
      expect(q.graph(WINDOW).edges.map((e) => e.calls)).toEqual([1, 1]);
      const t2 = callTrace('t2', 'web', 'orders', { start: 500 });
      env.write([t2.root, t2.client, t2.server]);
      expect(q.graph(WINDOW).edges.map((e) => e.calls)).toEqual([1, 1]);
      a.pass(NOW + 1000);
      expect(q.graph(WINDOW).edges.map((e) => e.calls)).toEqual([2, 2]);
    } finally {
      q.close();
    }
  });

  it('does not count again on a pass with nothing new', () => {
    env = tempEnv();
    const a = env.analyzer();
    const t = callTrace('t1', 'web', 'orders');
    env.write([t.root, t.client, t.server]);
    a.pass(NOW);
    expect(a.pass(NOW + 1000).spans).toBe(0);
    a.pass(NOW + 2000);
    expect(edgeCalls(env.query())).toEqual({ 'client->web|sync': 1, 'web->orders|sync': 1 });
  });

  it('resumes from the stored cursor after a restart, with the pending clients it left', () => {
    env = tempEnv();
    const t = callTrace('t1', 'web', 'orders');
    env.write([t.root, t.client]);
    const first = env.analyzer();
    expect(first.pass(NOW).pending).toBe(1);
    first.close();

    env.write([t.server]);
    const second = env.analyzer();
    const r = second.pass(NOW + 1000);
    expect(r).toMatchObject({ spans: 1, pending: 0 });
    expect(edgeCalls(env.query())).toEqual({ 'client->web|sync': 1, 'web->orders|sync': 1 });
    expect(env.query().graph(WINDOW).quality.latePairs).toBe(0);
  });

  it('resumes with every one of many pending clients it left, and forgets the paired ones', () => {
    // More pending clients than one statement writes (32 rows), added in one flush and removed in
    // another, so the stored set is what each restart starts from.
    env = tempEnv();
    const traces = Array.from({ length: 70 }, (_, i) => callTrace(`m${i}`, 'web', 'orders'));
    env.write(traces.flatMap((t) => [t.root, t.client]));
    const first = env.analyzer();
    expect(first.pass(NOW).pending).toBe(70);
    first.close();

    env.write(traces.slice(0, 45).map((t) => t.server));
    const second = env.analyzer();
    expect(second.pass(NOW + 1000)).toMatchObject({ spans: 45, pending: 25 });
    second.close();

    const third = env.analyzer();
    expect(third.pass(NOW + 1500)).toMatchObject({ spans: 0, pending: 25 });
    env.write(traces.slice(45).map((t) => t.server));
    expect(third.pass(NOW + 2000)).toMatchObject({ spans: 25, pending: 0 });
    expect(env.query().graph(WINDOW).edges.find((e) => e.id === 'web->orders|sync')).toMatchObject({ calls: 70, paired: 70 });
  });

  it('lets one analyzer work at a time; a standby takes over from the same cursor', () => {
    env = tempEnv();
    const a = env.analyzer({ owner: 'a', leaseMs: 10_000 });
    const b = env.analyzer({ owner: 'b', leaseMs: 10_000 });
    const t1 = callTrace('t1', 'web', 'orders');
    env.write([t1.root, t1.client, t1.server]);
    expect(a.pass(NOW).leader).toBe(true);
    expect(b.pass(NOW + 1000).leader).toBe(false);
    // a stops renewing (crashed): b takes over once the lease ran out.
    const t2 = callTrace('t2', 'web', 'orders');
    env.write([t2.root, t2.client, t2.server]);
    expect(b.pass(NOW + 5000).leader).toBe(false);
    const r = b.pass(NOW + 11_000);
    expect(r).toMatchObject({ leader: true, spans: 3 });
    // a comes back: it lost the lease, so it neither writes nor double counts.
    expect(a.pass(NOW + 12_000).leader).toBe(false);
    expect(edgeCalls(env.query())).toEqual({ 'client->web|sync': 2, 'web->orders|sync': 2 });
  });

  it('hands the lease over at once when the holder closes', () => {
    env = tempEnv();
    const a = env.analyzer({ owner: 'a' });
    const b = env.analyzer({ owner: 'b' });
    a.pass(NOW);
    a.close();
    expect(b.pass(NOW + 1).leader).toBe(true);
  });
});

describe('live analyzer: nodes, RED and self time', () => {
  it('counts db calls with the database identity and the tables each service reads and writes', () => {
    env = tempEnv();
    const db = { 'db.system.name': 'postgresql', 'server.address': 'pg', 'db.namespace': 'shop' };
    env.write([
      span({ trace: 't1', id: 'root', service: 'orders', kind: 'server' }),
      span({ trace: 't1', id: 'q1', parent: 'root', service: 'orders', kind: 'client', attrs: { ...db, 'db.query.text': 'INSERT INTO orders VALUES (1)' } }),
      span({ trace: 't2', id: 'root', service: 'billing', kind: 'server' }),
      span({ trace: 't2', id: 'q2', parent: 'root', service: 'billing', kind: 'client', attrs: { ...db, 'db.query.text': 'SELECT * FROM orders' } }),
    ]);
    env.analyzer().pass(NOW);
    const g = env.query().graph(WINDOW);
    const node = g.nodes.find((n) => n.kind === 'database')!;
    expect(node).toMatchObject({ id: 'db:postgresql|pg|shop', dbSystem: 'postgresql', address: 'pg', namespace: 'shop', calls: 2, identityKnown: true });
    expect(node.tables).toEqual([{ name: 'orders', readers: ['billing'], writers: ['orders'], counts: { billing: { reads: 1, writes: 0 }, orders: { reads: 0, writes: 1 } } }]);
    expect(edgeCalls(env.query())).toMatchObject({ 'orders->db:postgresql|pg|shop|db': 1, 'billing->db:postgresql|pg|shop|db': 1 });
  });

  it('counts producer → topic → consumer across chunks', () => {
    env = tempEnv();
    const a = env.analyzer();
    const m = { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' };
    env.write([span({ trace: 't1', id: 'p', service: 'orders', kind: 'producer', attrs: m })]);
    a.pass(NOW);
    env.write([span({ trace: 't1', id: 'c', parent: 'p', service: 'mailer', kind: 'consumer', attrs: m })]);
    a.pass(NOW + 1000);
    const g = env.query().graph(WINDOW);
    expect(edgeCalls(env.query())).toEqual({ 'orders->queue:kafka|orders|async': 1, 'queue:kafka|orders->mailer|async': 1 });
    expect(g.nodes.find((n) => n.kind === 'queue')).toMatchObject({ messagingSystem: 'kafka', destination: 'orders', calls: 1 });
    expect(g.edges.find((e) => e.target === 'mailer')?.paired).toBe(1);
  });

  it('lowers a request self time when its children arrive in a later chunk', () => {
    env = tempEnv();
    const a = env.analyzer();
    const t = callTrace('t1', 'web', 'orders');
    env.write([t.root]);
    a.pass(NOW);
    const before = env.query().services({ ...WINDOW, stepMs: 60_000 }).services.find((s) => s.name === 'web')!;
    expect(before).toMatchObject({ calls: 1, selfTimeMs: 40 });
    env.write([t.client, t.server]);
    a.pass(NOW + 1000);
    const after = env.query().services({ ...WINDOW, stepMs: 60_000 }).services.find((s) => s.name === 'web')!;
    expect(after).toMatchObject({ calls: 1, selfTimeMs: 10, meanSelfTimeMs: 10 });
  });

  it('keeps lowering it, chunk after chunk, as more children arrive', () => {
    // Each chunk adds the difference from what the chunks before it counted, with the trace's
    // earlier spans kept in memory between chunks.
    env = tempEnv();
    const a = env.analyzer();
    const t = callTrace('t1', 'web', 'orders');
    const selfMs = () => env.query().services({ ...WINDOW, stepMs: 60_000 }).services.find((s) => s.name === 'web')!.selfTimeMs;
    env.write([t.root]);
    a.pass(NOW);
    expect(selfMs()).toBe(40);
    env.write([t.client, t.server]);
    a.pass(NOW + 1000);
    expect(selfMs()).toBe(10);
    env.write([span({ trace: 't1', id: 'cli2', parent: 'root', service: 'web', kind: 'client', name: 'GET', start: 36, dur: 3 })]);
    a.pass(NOW + 2000);
    expect(selfMs()).toBe(7);
    env.write([span({ trace: 't1', id: 'int', parent: 'root', service: 'web', kind: 'internal', name: 'render', start: 1, dur: 2 })]);
    a.pass(NOW + 3000);
    // An internal span is the request's own work: its time moves from the root to it, the sum stays.
    expect(selfMs()).toBe(7);
  });

  it('answers a window of whole hours from the hour tier with the same counts', () => {
    env = tempEnv();
    const spans = [];
    for (let i = 0; i < 5; i++) {
      const t = callTrace(`t${i}`, 'web', 'orders', { start: i * 20 * 60_000 });
      spans.push(t.root, t.client, t.server);
    }
    env.write(spans);
    env.analyzer().pass(NOW);
    const q = env.query(T0_MS + 3 * 3_600_000);
    const hours = q.graph({ fromMs: T0_MS - 3_600_000, toMs: T0_MS + 2 * 3_600_000 });
    expect(hours.edges.map((e) => [e.id, e.calls])).toEqual([
      ['client->web|sync', 5],
      ['web->orders|sync', 5],
    ]);
    const ragged = q.graph({ fromMs: T0_MS + 30_000, toMs: T0_MS + 65 * 60_000 });
    expect(ragged.edges.map((e) => [e.id, e.calls])).toEqual([
      ['client->web|sync', 4],
      ['web->orders|sync', 4],
    ]);
  });

  it('deletes minute rollups past retention and keeps the hour tier longer', () => {
    env = tempEnv();
    const t = callTrace('t1', 'web', 'orders');
    env.write([t.root, t.client, t.server]);
    const a = env.analyzer({ retentionMs: 7 * 86_400_000 });
    a.pass(NOW);
    expect(a.prune(NOW + 6 * 86_400_000)).toBe(0);
    expect(a.prune(NOW + 8 * 86_400_000)).toBeGreaterThan(0);
    const q = env.query(NOW + 8 * 86_400_000);
    // The minute rows are gone; the whole hour is still answered from the hour tier.
    expect(q.graph(WINDOW).edges).toEqual([]);
    expect(q.graph({ fromMs: T0_MS, toMs: T0_MS + 3_600_000 }).edges.map((e) => [e.id, e.calls])).toEqual([
      ['client->web|sync', 1],
      ['web->orders|sync', 1],
    ]);
    expect(a.prune(NOW + 31 * 86_400_000)).toBeGreaterThan(0);
    expect(q.graph({ fromMs: T0_MS, toMs: T0_MS + 3_600_000 }).edges).toEqual([]);
  });
});
