import { afterEach, describe, expect, it } from 'vitest';
import type { LogRecord, MetricPoint } from '../../lib/model/index.ts';
import { openStore, startRetention } from '../../lib/store/index.ts';
import { batch, hexId, resource, SCOPE, span, T0, tempDir } from './helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function fresh() {
  const t = tempDir();
  const store = openStore(`${t.dir}/r.db`);
  cleanups.push(t.cleanup, () => store.close());
  return store;
}

const MIN = 60_000_000_000n;

describe('retention', () => {
  it('deletes what ended before the cutoff, in chunks, and keeps the rest', () => {
    const store = fresh();
    const oldTraces = Array.from({ length: 30 }, () => hexId(16));
    const oldSpans = oldTraces.flatMap((t, i) => [
      span({ traceId: t, startNs: T0 + BigInt(i) * MIN / 10n }),
      span({ traceId: t, startNs: T0 + BigInt(i) * MIN / 10n + 1000n }),
    ]);
    const live = hexId(16);
    const cutoff = T0 + 10n * MIN;
    // A long span that started long ago but ends after the cutoff stays.
    const longRunning = span({ traceId: live, startNs: T0, durationNs: Number(20n * MIN) });
    const recent = span({ traceId: live, startNs: cutoff + MIN });
    // Spans of different minutes interleave in arrival order.
    store.writeBatch(batch([...oldSpans.slice(0, 30), recent, ...oldSpans.slice(30), longRunning]));
    const res = resource('svc');
    const points: MetricPoint[] = [
      { resource: res, scope: SCOPE, name: 'm', type: 'gauge', attributes: {}, timeNs: T0, value: 1 },
      { resource: res, scope: SCOPE, name: 'm', type: 'gauge', attributes: {}, timeNs: cutoff + 1n, value: 2 },
    ];
    const logs: LogRecord[] = [
      { resource: res, scope: SCOPE, timeNs: T0, attributes: {}, body: 'old' },
      { resource: res, scope: SCOPE, timeNs: cutoff, attributes: {}, body: 'new' },
    ];
    store.writeBatch({ spans: [], metrics: points, logs });

    const removed = store.deleteOlderThan(cutoff, { chunkSize: 7 });
    expect(removed).toBe(60 + 1 + 1);
    for (const t of oldTraces) expect(store.getTrace(t)).toEqual([]);
    expect(store.getTrace(live)).toEqual([recent, longRunning].sort((a, b) => (a.startNs < b.startNs ? -1 : 1)));
    expect(store.queryMetrics({}).map((p) => p.value)).toEqual([2]);
    expect(store.queryLogs({}).map((l) => l.body)).toEqual(['new']);
    expect(store.stats().spans).toBe(2);
    // Idempotent, and ingest after retention (same trace ids reused) works.
    expect(store.deleteOlderThan(cutoff, { chunkSize: 7 })).toBe(0);
    const again = span({ traceId: oldTraces[0], startNs: cutoff + 2n * MIN });
    expect(store.writeBatch(batch([again])).spansInserted).toBe(1);
    expect(store.getTrace(oldTraces[0])).toEqual([again]);
    expect(store.searchTraces({ fromNs: cutoff }).map((s) => s.traceId).sort()).toEqual([live, oldTraces[0]].sort());
    // A later cutoff passes the long span's end: the 3 spans left, the point and the log go.
    expect(store.deleteOlderThan(T0 + 21n * MIN)).toBe(5);
    expect(store.getTrace(live)).toEqual([]);
    expect(store.getTrace(oldTraces[0])).toEqual([]);
    expect(store.stats()).toMatchObject({ spans: 0, metricPoints: 0, logRecords: 0 });
  });

  it('a writer on another connection never files late spans under a deleted trace', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const writer = openStore(`${t.dir}/two.db`);
    const retention = openStore(`${t.dir}/two.db`);
    cleanups.push(() => writer.close(), () => retention.close());
    const traceId = hexId(16);
    writer.writeBatch(batch([span({ traceId, startNs: T0 })]));
    expect(retention.deleteOlderThan(T0 + MIN)).toBe(1);
    const late = span({ traceId, startNs: T0 + 2n * MIN });
    expect(writer.writeBatch(batch([late])).spansInserted).toBe(1);
    expect(retention.getTrace(traceId)).toEqual([late]);
    expect(writer.getTrace(traceId)).toEqual([late]);
  });

  it('runs on a timer with an injected clock and stops', async () => {
    const store = fresh();
    const nowMs = Number(T0 / 1_000_000n) + 8 * 24 * 3600 * 1000;
    const traceId = hexId(16);
    store.writeBatch(batch([span({ traceId, startNs: T0 })]));
    const results: unknown[] = [];
    await new Promise<void>((resolve) => {
      const stop = startRetention(store, {
        intervalMs: 5,
        now: () => nowMs,
        onRun: (r) => {
          results.push(r);
          stop();
          resolve();
        },
      });
    });
    expect(results).toEqual([{ removed: 1 }]);
    expect(store.getTrace(traceId)).toEqual([]);
  });
});
