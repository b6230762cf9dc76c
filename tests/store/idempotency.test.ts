import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../lib/store/index.ts';
import { batch, hexId, span, T0, tempDir } from './helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function fresh() {
  const t = tempDir();
  const store = openStore(`${t.dir}/f.db`);
  cleanups.push(t.cleanup, () => store.close());
  return store;
}

describe('idempotent writes', () => {
  it('stores a retried batch once and counts the duplicates', () => {
    const store = fresh();
    const traceId = hexId(16);
    const spans = Array.from({ length: 50 }, (_, i) => span({ traceId, startNs: T0 + BigInt(i) }));
    expect(store.writeBatch(batch(spans))).toMatchObject({ spansInserted: 50, spansDuplicate: 0 });
    expect(store.writeBatch(batch(spans))).toMatchObject({ spansInserted: 0, spansDuplicate: 50 });
    // A retry mixed with new spans: only the new ones count as inserted.
    const more = [...spans.slice(0, 10), span({ traceId }), span({ traceId })];
    expect(store.writeBatch(batch(more))).toMatchObject({ spansInserted: 2, spansDuplicate: 10 });
    expect(store.getTrace(traceId)).toHaveLength(52);
    expect(store.stats().spans).toBe(52);
  });

  it('files only the new spans when a retry interleaves them with stored ones', () => {
    // Spans are inserted 32 to a statement: each statement here holds 16 stored spans and 16 new
    // ones, alternating, so the writer must tell which rows it inserted and file those under
    // their own seqs in the block index that search reads.
    const store = fresh();
    const traceId = hexId(16);
    const all = Array.from({ length: 80 }, (_, i) =>
      span({ traceId, service: i % 3 === 0 ? 'edge' : 'core', startNs: T0 + BigInt(i) * 1_000_000n, status: i % 4 === 1 ? { code: 'error' } : undefined }),
    );
    const even = all.filter((_, i) => i % 2 === 0);
    expect(store.writeBatch(batch(even))).toMatchObject({ spansInserted: 40, spansDuplicate: 0 });
    expect(store.writeBatch(batch(all))).toMatchObject({ spansInserted: 40, spansDuplicate: 40 });
    expect(store.stats().spans).toBe(80);
    const window = { fromNs: T0, toNs: T0 + 80_000_000n };
    for (const service of ['edge', 'core']) {
      const mine = all.filter((s) => s.resource.serviceName === service);
      const [found] = store.searchTraces({ service, ...window });
      expect(found.spanCount).toBe(80);
      expect([...store.iterateSpans({ service, ...window })].map((s) => s.spanId).sort()).toEqual(mine.map((s) => s.spanId).sort());
    }
    // Only the odd spans' error statuses arrived with the second batch; the error search sees all.
    expect(store.searchTraces({ service: 'core', status: 'error', ...window })).toHaveLength(1);
  });

  it('treats a duplicate inside one batch as a duplicate', () => {
    const store = fresh();
    const s = span({ traceId: hexId(16) });
    expect(store.writeBatch(batch([s, { ...s }]))).toMatchObject({ spansInserted: 1, spansDuplicate: 1 });
  });

  it("keeps both halves of a Zipkin RPC that share one span id", () => {
    const store = fresh();
    const traceId = hexId(16);
    const spanId = hexId(8);
    const client = span({ traceId, spanId, kind: 'client', service: 'frontend', name: 'get /api' });
    const server = span({ traceId, spanId, kind: 'server', service: 'backend', name: 'get /api', shared: true });
    expect(store.writeBatch(batch([client, server]))).toMatchObject({ spansInserted: 2, spansDuplicate: 0 });
    expect(store.writeBatch(batch([server]))).toMatchObject({ spansInserted: 0, spansDuplicate: 1 });
    const got = store.getTrace(traceId);
    expect(got.map((s) => s.kind).sort()).toEqual(['client', 'server']);
    expect(got.find((s) => s.kind === 'server')).toEqual(server);
    expect(got.find((s) => s.kind === 'client')).toEqual(client);
  });

  it('does not confuse the same span id in different traces', () => {
    const store = fresh();
    const spanId = hexId(8);
    const a = span({ traceId: hexId(16), spanId });
    const b = span({ traceId: hexId(16), spanId });
    expect(store.writeBatch(batch([a, b]))).toMatchObject({ spansInserted: 2 });
    expect(store.getTrace(a.traceId)).toEqual([a]);
    expect(store.getTrace(b.traceId)).toEqual([b]);
  });
});
