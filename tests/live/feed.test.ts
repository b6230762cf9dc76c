// The writers' feed to the live analyzer (lib/live/feed.ts): what a commit hands over is what the
// analyzer would have read back from storage, duplicates excluded; the analyzer folds fed and read
// spans to the same rollups; a group that never arrives is read from storage; the queue is bounded.
import { afterEach, describe, expect, it } from 'vitest';
import type { Span } from '../../lib/model/index.ts';
import { FeedQueue, fedSpans, packCommitted, type FedGroup } from '../../lib/live/feed.ts';
import { openStore, type SqliteStore } from '../../lib/store/index.ts';
import { LiveDb } from '../../lib/store/rollups/live-db.ts';
import { callTrace, NOW, span, tempEnv, WINDOW, type Env } from './helpers.ts';

const envs: Env[] = [];
afterEach(() => {
  for (const e of envs.splice(0)) e.close();
});

function env(): Env {
  const e = tempEnv();
  envs.push(e);
  return e;
}

/** Writes through the writer threads' path (prepare, then commit) and packs what the commit inserted. */
function commit(store: SqliteStore, spans: Span[]): FedGroup | undefined {
  const b = store.prepareBatch({ spans, metrics: [], logs: [] });
  store.writePrepared([b]);
  return packCommitted(store.lastSpanRange.after, store.lastSpanRange.upTo, [b]);
}

function traces(n: number, offset = 0): Span[] {
  return Array.from({ length: n }, (_, i) => callTrace(`t${i + offset}`, 'web', i % 3 ? 'orders' : 'billing', { peer: 'orders.internal' })).flatMap((t) => [t.root, t.client, t.server]);
}

describe('live feed: packing a commit', () => {
  it('hands over exactly the spans storage returns for the commit\'s seq range, field by field, duplicates excluded', () => {
    const e = env();
    const store = openStore(e.url);
    try {
      const first = traces(4);
      commit(store, first.slice(0, 5));
      // Five of these are already stored: the commit inserts only the other seven.
      const g = commit(store, first)!;
      expect(g.n).toBe(first.length - 5);
      const db = new LiveDb(e.url);
      try {
        const stored = db.chunk(g.after, g.upTo, 1000).spans;
        expect(stored).toHaveLength(g.n);
        expect(fedSpans(g, db.dictionary)).toEqual(stored);
        // Client spans carry their attributes (peer address); server spans travel without them, as read back.
        const client = fedSpans(g, db.dictionary).find((f) => f.span.kind === 'client')!;
        expect(client.span.attributes['server.address']).toBe('orders.internal');
      } finally {
        db.close();
      }
      expect(commit(store, first)).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('bounds the queue: a group past the limit is refused and counted, the rest is taken in order', () => {
    const q = new FeedQueue(10);
    const g = (after: number, n: number): FedGroup => ({ after, upTo: after + n, n, buf: new ArrayBuffer(8) });
    q.offer(g(0, 4));
    q.offer(g(4, 4));
    q.offer(g(8, 4));
    expect(q.dropped).toBe(4);
    expect(q.size).toBe(8);
    expect(q.take(0, 100).map((x) => x.after)).toEqual([0, 4]);
    q.offer(g(12, 3));
    // The cursor is not at 12 yet (8..12 was dropped): nothing to take, storage is read up to 12.
    expect(q.take(8, 100)).toEqual([]);
    expect(q.nextStart(8)).toBe(12);
    expect(q.take(12, 100).map((x) => x.after)).toEqual([12]);
    // Far past the reader's cursor: refused at once rather than held until the reader gets there.
    q.offer(g(100, 2), 15);
    expect(q.size).toBe(0);
    expect(q.dropped).toBe(6);
  });
});

describe('live feed: the analyzer', () => {
  it('folds fed spans to the same graph as spans read from storage, and reads a missing group from storage', () => {
    const graphOf = (mode: 'storage' | 'feed' | 'gap') => {
      const e = env();
      const store = openStore(e.url);
      const a = e.analyzer({ chunkSpans: 50 });
      let fed = 0;
      let total = 0;
      try {
        for (let round = 0; round < 6; round++) {
          const spans = traces(10, round * 10);
          // Clients first, then roots and servers in the next commit: pairing crosses commits.
          const g1 = commit(store, spans.filter((s) => s.kind === 'client'));
          const g2 = commit(store, spans.filter((s) => s.kind !== 'client'));
          if (mode !== 'storage') {
            // Out of order, as two writer threads' messages may arrive; in 'gap' one group is lost.
            if (g2) a.feed(g2);
            if (g1 && !(mode === 'gap' && round === 2)) a.feed(g1);
          }
          const r = a.catchUp(() => NOW + round * 1000, 60_000);
          fed += r.fed;
          total += r.spans;
          expect(r.behind).toBe(0);
        }
      } finally {
        store.close();
      }
      return { graph: e.query().graph(WINDOW), fed, total };
    };
    const storage = graphOf('storage');
    const feed = graphOf('feed');
    const gap = graphOf('gap');
    expect(storage.total).toBe(180);
    expect(storage.fed).toBe(0);
    expect(feed).toMatchObject({ total: 180, fed: 180 });
    // The lost group (round 2's ten client spans) comes from storage, the group after it from the feed again.
    expect(gap.total).toBe(180);
    expect(gap.fed).toBe(180 - 10);
    expect(feed.graph.edges).toEqual(storage.graph.edges);
    expect(gap.graph.edges).toEqual(storage.graph.edges);
    expect(feed.graph.nodes).toEqual(storage.graph.nodes);
    expect(storage.graph.edges.find((x) => x.id === 'web->orders|sync')).toMatchObject({ calls: 36, paired: 36 });
  });

  it('counts groups it lets go while another analyzer holds the lease', () => {
    const e = env();
    const store = openStore(e.url);
    try {
      e.analyzer({ owner: 'a' }).pass(NOW);
      const b = e.analyzer({ owner: 'b' });
      b.feed(commit(store, [span({ trace: 'x', id: 'r', service: 'web', kind: 'server', name: 'GET /', start: 0, dur: 5 })])!);
      const r = b.pass(NOW + 1000);
      expect(r.leader).toBe(false);
      expect(r.feedDropped).toBe(1);
    } finally {
      store.close();
    }
  });

  it('wants the feed only while it leads and its cursor is within the queue\'s reach of what is committed', () => {
    const e = env();
    const store = openStore(e.url);
    try {
      const a = e.analyzer({ owner: 'a', chunkSpans: 30, feedMaxSpans: 40 });
      expect(a.feedWanted).toBe(true);
      commit(store, traces(30));
      // One chunk of 30 of the 90 spans: 60 behind, past the queue's reach of 40.
      a.catchUp(() => NOW, 60_000, 1);
      expect(a.feedWanted).toBe(false);
      // A group committed now lies past that reach: the queue would refuse it.
      const g = commit(store, traces(1, 100))!;
      a.feed(g);
      expect(a.catchUp(() => NOW, 60_000, 1).feedDropped).toBe(3);
      // 33 behind: within reach again.
      expect(a.feedWanted).toBe(true);
      a.catchUp(() => NOW, 60_000);
      expect(a.feedWanted).toBe(true);
      // Standing by while another analyzer holds the lease: the leader reads from storage.
      const b = e.analyzer({ owner: 'b' });
      b.pass(NOW + 1000);
      expect(b.feedWanted).toBe(false);
    } finally {
      store.close();
    }
  });
});
