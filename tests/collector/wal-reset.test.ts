// The write-ahead log starts over under steady ingest: writers that never pause keep a PASSIVE
// checkpoint from ever completing, so past walResetPages the maintenance thread finishes one
// under the write lock (retention-worker.ts). Seen from outside through /metrics.
import { afterAll, describe, expect, it } from 'vitest';
import { type TestCollector, metricValue, startTestCollector, withStore } from './helpers.ts';
import { ids, send, spansRequestJson } from './wire-helpers.ts';

let tc: TestCollector | undefined;
afterAll(async () => {
  await tc?.cleanup();
});

function body(traceId: string, spanIds: string[], startNs: bigint): string {
  return spansRequestJson(
    'wal',
    spanIds.map((spanId, i) => ({
      traceId,
      spanId,
      name: `op-${i % 7}`,
      startTimeUnixNano: String(startNs + BigInt(i)),
      endTimeUnixNano: String(startNs + BigInt(i) + 5000n),
      attributes: [{ key: 'http.route', value: { stringValue: `/items/${i % 11}` } }],
    })),
  );
}

describe('WAL reset', () => {
  it('starts the WAL over once it passes walResetPages while writes go on', async () => {
    const RESET_PAGES = 40;
    tc = await startTestCollector({ walResetPages: RESET_PAGES, checkpointIntervalMs: 20, live: false });
    const url = `${tc.collector.url}/v1/traces`;
    const now = BigInt(Date.now()) * 1_000_000n;
    const sent: string[] = [];
    let resets = 0;
    let pages = Infinity;
    // Keep writing until a reset has happened and a later checkpoint saw a WAL that restarted
    // (bounded: this waits for background work, it does not time it).
    for (let round = 0; round < 400 && !(resets >= 1 && pages < RESET_PAGES); round++) {
      const t = ids(400);
      const res = await send(url, { headers: { 'Content-Type': 'application/json' }, body: body(t.traceId, t.spanIds, now) });
      expect(res.status).toBe(200);
      sent.push(t.traceId);
      resets = await metricValue(tc.collector.url, 'faultline_collector_wal_resets_total');
      pages = await metricValue(tc.collector.url, 'faultline_collector_wal_pages');
    }
    expect(resets).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThan(RESET_PAGES);
    // Nothing acknowledged was lost on the way.
    withStore(tc.dbPath, (s) => {
      for (const traceId of [sent[0], sent[sent.length - 1]]) expect(s.getTrace(traceId)).toHaveLength(400);
      expect(s.stats().spans).toBe(400 * sent.length);
    });
  });
});
