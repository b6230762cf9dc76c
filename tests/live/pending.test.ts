import { describe, expect, it } from 'vitest';
import { type PendingClient, PendingSet } from '../../lib/live/pending.ts';

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

function client(i: number, over: Partial<PendingClient> = {}): PendingClient {
  return {
    traceKey: 1000 + Math.floor(i / 3),
    spanId: hex(0xabc0000 + i, 16),
    traceId: hex(0x5eed0000 + Math.floor(i / 3), 32),
    dueMs: 1_700_000_000_000 + i,
    minute: 28_333_333 + (i % 5),
    source: `svc-${i % 4}`,
    target: `ext:host-${i % 6}:443`,
    targetName: `host-${i % 6}`,
    durationMs: 1.25 * i,
    error: i % 7 === 0,
    ...(i % 2 === 0 ? { peerService: `peer-${i % 3}` } : {}),
    ...over,
  };
}

describe('PendingSet', () => {
  it('gives back every field of a waiting client, peer service and non-hex ids included', () => {
    const set = new PendingSet();
    const odd = client(5, { spanId: 'not-hex', traceId: 'SHORT' });
    const items = [client(0), client(1), client(7), odd];
    for (const p of items) set.add(p);
    expect(set.size).toBe(4);
    for (const p of items) expect(set.has(p.traceKey, p.spanId)).toBe(true);
    expect(set.has(client(0).traceKey, hex(1, 16))).toBe(false);
    for (const p of items) expect(set.take(p.traceKey, p.spanId)).toEqual(p);
    expect(set.size).toBe(0);
    expect(set.take(odd.traceKey, odd.spanId)).toBeUndefined();
  });

  it('finds each of several clients of one trace, whichever is taken first', () => {
    const set = new PendingSet();
    const same = [0, 1, 2].map((i) => client(i)); // one trace key
    expect(new Set(same.map((p) => p.traceKey)).size).toBe(1);
    for (const p of same) set.add(p);
    expect(set.take(same[1].traceKey, same[1].spanId)).toEqual(same[1]);
    expect(set.take(same[0].traceKey, same[0].spanId)).toEqual(same[0]);
    expect(set.has(same[2].traceKey, same[2].spanId)).toBe(true);
    expect(set.take(same[2].traceKey, same[2].spanId)).toEqual(same[2]);
  });

  it('hands out the due in insertion order and the oldest beyond the bound', () => {
    const set = new PendingSet(3);
    const items = Array.from({ length: 6 }, (_, i) => client(i));
    for (const p of items) set.add(p);
    set.take(items[1].traceKey, items[1].spanId);
    const first = set.takeDue(items[2].dueMs);
    expect(first.due).toEqual([items[0], items[2]]);
    expect(first.overflow).toEqual([]);
    for (let i = 6; i < 9; i++) set.add(client(i));
    const second = set.takeDue(0);
    expect(second.due).toEqual([]);
    // 6 waiting, bound 3: the three oldest go.
    expect(second.overflow).toEqual([items[3], items[4], items[5]]);
    expect(set.size).toBe(3);
  });

  it('reports what changed since the last flush: added and still waiting, taken from before', () => {
    const set = new PendingSet();
    const before = [client(0), client(1), client(2)];
    set.load(before);
    expect(set.takeChanges()).toEqual({ added: [], removed: [] });
    const fresh = [client(3), client(4)];
    for (const p of fresh) set.add(p);
    set.take(before[0].traceKey, before[0].spanId);
    set.take(fresh[0].traceKey, fresh[0].spanId);
    // Taken and added back within the pass: its row stays, nothing to delete.
    set.take(before[2].traceKey, before[2].spanId);
    set.add(before[2]);
    const changes = set.takeChanges();
    expect(changes.added).toEqual([fresh[1], before[2]]);
    expect(changes.removed).toEqual([{ traceKey: before[0].traceKey, spanId: before[0].spanId }]);
    expect(set.takeChanges()).toEqual({ added: [], removed: [] });
  });

  it('loads persisted clients in due order', () => {
    const set = new PendingSet();
    const items = [client(4), client(0), client(2)];
    set.load(items);
    expect(set.takeDue(Number.MAX_SAFE_INTEGER).due).toEqual([client(0), client(2), client(4)]);
  });

  it('keeps every waiting client intact through heavy churn (slots compacted, names re-interned)', () => {
    const set = new PendingSet();
    const waiting = new Map<string, PendingClient>();
    // A third of the clients wait; the rest are paired soon after, as servers arrive.
    for (let i = 0; i < 30_000; i++) {
      const p = client(i);
      set.add(p);
      waiting.set(`${p.traceKey}:${p.spanId}`, p);
      if (i >= 2 && (i - 2) % 3 !== 0) {
        const q = client(i - 2);
        expect(set.take(q.traceKey, q.spanId)).toEqual(q);
        waiting.delete(`${q.traceKey}:${q.spanId}`);
      }
      if (i % 1000 === 999) set.takeChanges();
    }
    expect(set.size).toBe(waiting.size);
    const out = set.takeDue(Number.MAX_SAFE_INTEGER).due;
    expect(out).toEqual([...waiting.values()]);
  });
});
