// The trace-id index lives in a file of its own (`<db>-trace-ids`), written after the spans,
// so what these tests hold it to is what ingest relies on: one trace row per trace id however
// the spans arrive (across connections, before and after indexing, after a restart), lookups
// that see traces not indexed yet, and an index that is rebuilt rather than trusted when it
// does not describe the database beside it.
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../lib/store/index.ts';
import { batch, hexId, indexEntries, span, T0, tempDir } from './helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

function open(file: string) {
  const store = openStore(file);
  cleanups.unshift(() => store.close());
  return store;
}

/** Trace rows per trace id, read straight from the database file. */
function traceRows(file: string): Map<string, number> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare(`SELECT lower(hex(trace_id)) AS id, count(*) AS n FROM traces GROUP BY trace_id`).all() as { id: string; n: number }[];
    return new Map(rows.map((r) => [r.id, r.n]));
  } finally {
    db.close();
  }
}

describe('trace-id index file', () => {
  it('keeps one trace row per trace id when two connections write the same traces, before and after indexing', () => {
    const file = `${dir()}/two.db`;
    const a = open(file);
    const b = open(file);
    const traces = Array.from({ length: 40 }, () => hexId(16));
    // Round 1: every trace is new, written by a; then b writes more of the same traces before
    // anything is indexed (b must find them in the tail a committed).
    a.writeBatch(batch(traces.map((t, i) => span({ traceId: t, startNs: T0 + BigInt(i) }))));
    expect(a.traceIdsBehind()).toBe(40);
    b.writeBatch(batch(traces.map((t, i) => span({ traceId: t, startNs: T0 + BigInt(i) + 1n }))));
    // Round 2: after indexing, both again, with ten new traces among the old.
    expect(b.indexTraceIds()).toBe(40);
    expect(a.traceIdsBehind()).toBe(0);
    const more = [...traces.slice(0, 20), ...Array.from({ length: 10 }, () => hexId(16))];
    a.writeBatch(batch(more.map((t, i) => span({ traceId: t, startNs: T0 + 100n + BigInt(i) }))));
    b.writeBatch(batch(more.map((t, i) => span({ traceId: t, startNs: T0 + 200n + BigInt(i) }))));

    const rows = traceRows(file);
    expect(rows.size).toBe(50);
    expect([...rows.values()].every((n) => n === 1)).toBe(true);
    expect(a.getTrace(traces[0])).toHaveLength(4);
    expect(b.getTrace(traces[39])).toHaveLength(2);
    expect(b.getTrace(more[29])).toHaveLength(2);
  });

  it('finds traces that are not indexed yet', () => {
    const file = `${dir()}/tail.db`;
    const store = open(file);
    const t = hexId(16);
    store.writeBatch(batch([span({ traceId: t }), span({ traceId: t, startNs: T0 + 5n })]));
    expect(store.traceIdsBehind()).toBe(1);
    expect(indexEntries(file).size).toBe(0);
    expect(store.getTrace(t)).toHaveLength(2);
    expect(store.getTrace(hexId(16))).toEqual([]);
  });

  it('stores a retried batch once in a new connection, whether or not its traces were indexed', () => {
    const file = `${dir()}/retry.db`;
    const first = open(file);
    const indexed = Array.from({ length: 5 }, () => hexId(16));
    const tail = Array.from({ length: 5 }, () => hexId(16));
    const spansIndexed = indexed.map((t) => span({ traceId: t }));
    const spansTail = tail.map((t) => span({ traceId: t }));
    first.writeBatch(batch(spansIndexed));
    first.indexTraceIds();
    first.writeBatch(batch(spansTail));
    expect(first.traceIdsBehind()).toBe(5);
    // `first` is left as a killed process leaves it: open, its last traces not indexed.
    const second = open(file);
    expect(second.writeBatch(batch([...spansIndexed, ...spansTail]))).toMatchObject({ spansInserted: 0, spansDuplicate: 10 });
    expect(second.writeBatch(batch([span({ traceId: tail[0] }), span({ traceId: indexed[0] })]))).toMatchObject({ spansInserted: 2 });
    expect(traceRows(file).size).toBe(10);
    expect(second.getTrace(tail[0])).toHaveLength(2);
    expect(second.getTrace(indexed[0])).toHaveLength(2);
  });

  it('rebuilds a missing index file from the database when it opens', () => {
    const file = `${dir()}/lost.db`;
    const first = openStore(file);
    const traces = Array.from({ length: 30 }, () => hexId(16));
    first.writeBatch(batch(traces.map((t) => span({ traceId: t }))));
    first.close();
    for (const f of [`${file}-trace-ids`, `${file}-trace-ids-wal`, `${file}-trace-ids-shm`]) rmSync(f, { force: true });

    const second = open(file);
    expect(indexEntries(file).size).toBe(30);
    expect(second.traceIdsBehind()).toBe(0);
    expect(second.getTrace(traces[17])).toHaveLength(1);
    expect(second.writeBatch(batch([span({ traceId: traces[17] })]))).toMatchObject({ spansInserted: 1 });
    expect(traceRows(file).get(traces[17])).toBe(1);
    expect(second.getTrace(traces[17])).toHaveLength(2);
  });

  it('does not trust an index file that belongs to another database', () => {
    const d = dir();
    const one = openStore(`${d}/one.db`);
    const shared = hexId(16);
    const onlyInOne = Array.from({ length: 20 }, () => hexId(16));
    one.writeBatch(batch([span({ traceId: shared }), ...onlyInOne.map((t) => span({ traceId: t }))]));
    one.indexTraceIds();
    one.close();
    const two = openStore(`${d}/two.db`);
    const onlyInTwo = Array.from({ length: 3 }, () => hexId(16));
    two.writeBatch(batch([...onlyInTwo.map((t) => span({ traceId: t })), span({ traceId: shared })]));
    two.close();
    // two.db's index replaced by one.db's (a restored or copied file beside the wrong database).
    copyFileSync(`${d}/one.db-trace-ids`, `${d}/two.db-trace-ids`);
    expect(existsSync(`${d}/two.db-trace-ids-wal`)).toBe(false);

    const reopened = open(`${d}/two.db`);
    expect(indexEntries(`${d}/two.db`).size).toBe(4);
    expect(reopened.getTrace(onlyInOne[0])).toEqual([]);
    expect(reopened.getTrace(shared)).toHaveLength(1);
    reopened.writeBatch(batch([span({ traceId: shared }), span({ traceId: onlyInTwo[2] })]));
    expect(traceRows(`${d}/two.db`).get(shared)).toBe(1);
    expect(reopened.getTrace(shared)).toHaveLength(2);
  });

  it('forgets the traces retention deleted, and a late span of one starts a new trace row', () => {
    const file = `${dir()}/ret.db`;
    const store = open(file);
    const MIN = 60_000_000_000n;
    const old = Array.from({ length: 10 }, () => hexId(16));
    const kept = hexId(16);
    store.writeBatch(batch([...old.map((t) => span({ traceId: t, startNs: T0 })), span({ traceId: kept, startNs: T0 + 10n * MIN })]));
    store.indexTraceIds();
    expect(indexEntries(file).size).toBe(11);
    store.deleteOlderThan(T0 + 5n * MIN);
    expect([...indexEntries(file).keys()]).toEqual([kept]);
    expect(store.getTrace(old[0])).toEqual([]);
    store.writeBatch(batch([span({ traceId: old[0], startNs: T0 + 20n * MIN })]));
    expect(traceRows(file).get(old[0])).toBe(1);
    expect(store.getTrace(old[0])).toHaveLength(1);
  });

  it('is kept current by the writer itself when nobody else indexes', () => {
    const file = `${dir()}/import.db`;
    const store = open(file);
    // More new traces than a writer keeps unindexed (16,384), 512 spans to a batch, as an import
    // writes them; nothing else indexes.
    const traces = Array.from({ length: 40_000 }, (_, i) => hexId(16, 1_000_000 + i));
    for (let i = 0; i < traces.length; i += 512) store.writeBatch(batch(traces.slice(i, i + 512).map((t) => span({ traceId: t }))));
    expect(store.traceIdsBehind()).toBeLessThanOrEqual(16_384);
    expect(indexEntries(file).size).toBeGreaterThanOrEqual(40_000 - 16_384);
    expect(traceRows(file).size).toBe(40_000);
    expect(store.getTrace(traces[123])).toHaveLength(1);
    expect(store.getTrace(traces[39_999])).toHaveLength(1);
  });

  it('leaves indexing to the caller of writePrepared, and helping never waits for another indexer', () => {
    // The collector's writer threads commit with writePrepared under their shared lock and call
    // helpIndex() after letting go of it; while the maintenance thread holds the index file,
    // helping must give up at once, not sleep in the busy handler (5 s) with its requests queued.
    const file = `${dir()}/help.db`;
    const store = open(file);
    const traces = Array.from({ length: 20_000 }, (_, i) => hexId(16, 2_000_000 + i));
    for (let i = 0; i < traces.length; i += 512) store.writePrepared([store.prepareBatch(batch(traces.slice(i, i + 512).map((t) => span({ traceId: t }))))]);
    expect(store.traceIdsBehind()).toBe(20_000);

    const other = new Database(`${file}-trace-ids`);
    other.exec('BEGIN IMMEDIATE');
    const t0 = performance.now();
    store.helpIndex();
    const waited = performance.now() - t0;
    other.exec('ROLLBACK');
    other.close();
    expect(store.traceIdsBehind()).toBe(20_000);
    expect(waited).toBeLessThan(2_500);

    store.helpIndex();
    expect(store.traceIdsBehind()).toBe(20_000 - 8_192);
    expect(store.getTrace(traces[0])).toHaveLength(1);
  });

  it('finds every trace another connection committed before and after a prefetch of the tail', () => {
    const file = `${dir()}/prefetch.db`;
    const a = open(file);
    const b = open(file);
    const before = Array.from({ length: 30 }, () => hexId(16));
    const after = Array.from({ length: 30 }, () => hexId(16));
    b.writeBatch(batch([span({ traceId: hexId(16) })]));
    a.writeBatch(batch(before.map((t) => span({ traceId: t }))));
    // b reads a's rows outside any transaction; a commits more before b's next transaction.
    b.prefetchTraces();
    a.writeBatch(batch(after.map((t) => span({ traceId: t }))));
    b.writePrepared([b.prepareBatch(batch([...before, ...after].map((t) => span({ traceId: t }))))]);
    const rows = traceRows(file);
    expect(rows.size).toBe(61);
    expect([...rows.values()].every((n) => n === 1)).toBe(true);
    expect(b.getTrace(before[0])).toHaveLength(2);
    expect(a.getTrace(after[29])).toHaveLength(2);
  });

  it('looks up a group’s new trace ids before the lock, and trusts an absence only while the map covers what came after it', () => {
    // The collector's writer prefetches before taking the write lock; between that and its
    // transaction another connection may create the same trace. While the row is in the tail
    // the map finds it; once indexed and dropped from the map (past its limit), only the index
    // does, so the prefetched absence must no longer be trusted.
    const file = `${dir()}/absent.db`;
    const a = open(file);
    const b = open(file);
    b.writeBatch(batch([span({ traceId: hexId(16) })]));
    const old = hexId(16);
    a.writeBatch(batch([span({ traceId: old })]));
    a.indexTraceIds();

    // Found in the tail: created by a after b's prefetch.
    const inTail = hexId(16);
    const fresh = Array.from({ length: 50 }, () => hexId(16));
    const p1 = b.prepareBatch(batch([inTail, old, ...fresh].map((t) => span({ traceId: t }))));
    b.prefetchTraces([p1]);
    a.writeBatch(batch([span({ traceId: inTail })]));
    // The lock-held transaction looks up nothing in the index: prefetch found the new traces
    // absent and the old one indexed.
    const index = (b as unknown as { traceIndex: { keyOf: (id: Buffer) => number | undefined } }).traceIndex;
    const keyOf = index.keyOf.bind(index);
    let lookups = 0;
    index.keyOf = (id) => {
      lookups++;
      return keyOf(id);
    };
    b.writePrepared([p1]);
    expect(lookups).toBe(0);

    // Found only in the index: created by a after b's prefetch among 17,000 more new traces
    // (past b's map limit, 16,384), then indexed, so b's transaction drops them from its map.
    const dropped = hexId(16);
    const p2 = b.prepareBatch(batch([span({ traceId: dropped })]));
    b.prefetchTraces([p2]);
    const many = Array.from({ length: 17_000 }, (_, i) => hexId(16, 3_000_000 + i));
    a.writeBatch(batch([dropped, ...many].map((t) => span({ traceId: t }))));
    a.indexTraceIds();
    lookups = 0;
    b.writePrepared([p2]);
    expect(lookups).toBe(1);

    const rows = traceRows(file);
    expect(rows.get(inTail)).toBe(1);
    expect(rows.get(dropped)).toBe(1);
    expect(rows.get(old)).toBe(1);
    expect([...rows.values()].every((n) => n === 1)).toBe(true);
    expect(b.getTrace(inTail)).toHaveLength(2);
    expect(b.getTrace(dropped)).toHaveLength(2);
    expect(b.getTrace(old)).toHaveLength(2);
  });

  it('reports progress while opening indexes what a missing index file lacked', () => {
    // `faultline collector` shows this instead of a silent minute at startup (4.35M traces).
    const file = `${dir()}/progress.db`;
    const first = openStore(file);
    const traces = Array.from({ length: 120_000 }, (_, i) => hexId(16, 5_000_000 + i));
    for (let i = 0; i < traces.length; i += 20_000) first.writeBatch(batch(traces.slice(i, i + 20_000).map((t) => span({ traceId: t }))));
    first.indexTraceIds();
    first.close();
    rmSync(`${file}-trace-ids`);

    const calls: [number, number][] = [];
    const store = openStore(file, { onIndexing: (indexed, missing) => calls.push([indexed, missing]) });
    cleanups.unshift(() => store.close());
    expect(calls).toEqual([
      [0, 120_000],
      [100_000, 120_000],
      [120_000, 120_000],
    ]);
    expect(store.traceIdsBehind()).toBe(0);
    expect(store.getTrace(traces[119_999])).toHaveLength(1);

    // Nothing missing: no call.
    const again: [number, number][] = [];
    openStore(file, { onIndexing: (indexed, missing) => again.push([indexed, missing]) }).close();
    expect(again).toEqual([]);
  });

  it('keeps the index of an in-memory database in memory, indexed and found the same way', () => {
    const store = openStore(':memory:');
    cleanups.push(() => store.close());
    const traces = Array.from({ length: 100 }, () => hexId(16));
    store.writeBatch(batch(traces.map((t) => span({ traceId: t }))));
    expect(store.traceIdsBehind()).toBe(100);
    expect(store.getTrace(traces[50])).toHaveLength(1);
    expect(store.indexTraceIds()).toBe(100);
    expect(store.traceIdsBehind()).toBe(0);
    store.writeBatch(batch(traces.map((t) => span({ traceId: t }))));
    expect(store.getTrace(traces[50])).toHaveLength(2);
    expect(store.stats().spans).toBe(200);
  });

  it('counts the index file in the bytes on disk', () => {
    const file = `${dir()}/bytes.db`;
    const store = open(file);
    store.writeBatch(batch(Array.from({ length: 2000 }, () => span({ traceId: hexId(16) }))));
    store.indexTraceIds();
    const withIndex = store.stats().bytesOnDisk;
    const db = new Database(`${file}-trace-ids`, { readonly: true });
    const pages = Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
    db.close();
    expect(pages).toBeGreaterThan(2000 * 16);
    expect(withIndex).toBeGreaterThan(pages);
  });
});
