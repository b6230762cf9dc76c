// Two writers on one database, as the collector's writer threads are: each encodes a batch
// outside any transaction (prepareBatch), then commits under the shared write lock
// (writePrepared). New dictionary values, traces split across both writers and retries must
// all come back exactly as sent.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Span } from '../../lib/model/index.ts';
import { openStore } from '../../lib/store/index.ts';
import { WriteLock } from '../../lib/store/write-lock.ts';
import { batch, hexId, resource, span, T0, tempDir } from './helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function twoWriters() {
  const t = tempDir();
  const file = `${t.dir}/faultline.db`;
  const lock = new WriteLock();
  const a = openStore(file, { writeLock: new WriteLock(lock.buffer) });
  const b = openStore(file, { writeLock: new WriteLock(lock.buffer) });
  cleanups.push(t.cleanup, () => a.close(), () => b.close());
  return { a, b, file };
}

function spansOf(traceId: string, service: string, n: number, tag: string): Span[] {
  return Array.from({ length: n }, (_, i) =>
    span({
      traceId,
      service,
      name: `GET /${tag}/${i % 3}`,
      startNs: T0 + BigInt(i) * 1000n,
      attributes: { 'http.route': `/${tag}/${i % 3}`, 'app.tag': tag, 'app.n': i, 'app.flag': i % 2 === 0 },
      resource: resource(service, { serviceVersion: tag }),
    }),
  );
}

const byId = (s: Span[]) => [...s].sort((x, y) => (x.spanId < y.spanId ? -1 : 1));

describe('prepared writes from two writers', () => {
  it('stores interleaved batches with new dictionary values exactly once, traces split across writers', () => {
    const { a, b, file } = twoWriters();
    const traceIds = [hexId(16), hexId(16), hexId(16)];
    // Both writers meet the same new strings, resources and attribute pairs before either commits.
    const fromA = traceIds.flatMap((t) => spansOf(t, 'orders', 4, 'v1'));
    const fromB = traceIds.flatMap((t) => spansOf(t, 'payments', 4, 'v1'));
    const pa = a.prepareBatch(batch(fromA));
    const pb = b.prepareBatch(batch(fromB));
    expect(b.writePrepared([pb]).spansInserted).toBe(12);
    expect(a.writePrepared([pa]).spansInserted).toBe(12);
    // A retry of an acknowledged batch is stored once.
    expect(a.writePrepared([a.prepareBatch(batch(fromB))])).toMatchObject({ spansInserted: 0, spansDuplicate: 12 });

    for (const t of traceIds) {
      const want = byId([...fromA, ...fromB].filter((s) => s.traceId === t));
      expect(byId(a.getTrace(t))).toEqual(want);
      expect(byId(b.getTrace(t))).toEqual(want);
    }
    const db = new Database(file, { readonly: true });
    cleanups.push(() => db.close());
    // One trace row per trace id and one dictionary row per value, whichever writer saw it first.
    expect(db.prepare('SELECT count(*) AS n FROM traces').get()).toEqual({ n: 3 });
    expect(db.prepare(`SELECT count(*) AS n FROM dict_strings WHERE value = 'app.tag'`).get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM services').get()).toEqual({ n: 2 });
  });

  it('commits several prepared batches as one group', () => {
    const { a } = twoWriters();
    const t1 = hexId(16);
    const t2 = hexId(16);
    const groups = [a.prepareBatch(batch(spansOf(t1, 'web', 5, 'g'))), a.prepareBatch(batch(spansOf(t2, 'web', 3, 'g'))), a.prepareBatch(batch([]))];
    expect(a.writePrepared(groups)).toEqual({ spansInserted: 8, spansDuplicate: 0, metricPointsInserted: 0, logRecordsInserted: 0 });
    expect(a.getTrace(t1)).toHaveLength(5);
    expect(a.getTrace(t2)).toHaveLength(3);
    expect(a.searchTraces({ service: 'web', limit: 10 }).map((s) => s.traceId).sort()).toEqual([t1, t2].sort());
  });

  it('refuses a batch with an unknown span kind when encoding, before anything is written', () => {
    const { a } = twoWriters();
    const bad = { ...span({ traceId: hexId(16) }), kind: 'sideways' } as unknown as Span;
    expect(() => a.prepareBatch(batch([bad]))).toThrow('unknown span kind "sideways"');
    expect(a.stats().spans).toBe(0);
  });
});
