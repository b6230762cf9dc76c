// Retention runs in the background on its own thread: expired spans go, recent ones stay,
// and ingest keeps answering meanwhile.
import { afterAll, describe, expect, it } from 'vitest';
import { type TestCollector, metricValue, startTestCollector, withStore } from './helpers.ts';
import { ids, send, spansRequestJson } from './wire-helpers.ts';

const HOUR_NS = 3_600_000_000_000n;
let tc: TestCollector | undefined;
afterAll(async () => {
  await tc?.cleanup();
});

function body(traceId: string, spanIds: string[], startNs: bigint): string {
  return spansRequestJson('aged', spanIds.map((spanId) => ({ traceId, spanId, name: 'x', startTimeUnixNano: String(startNs), endTimeUnixNano: String(startNs + 1000n) })));
}

describe('retention', () => {
  it('deletes spans older than retentionMs and keeps recent ones', async () => {
    tc = await startTestCollector({ retentionMs: 3_600_000, retentionIntervalMs: 100 });
    const url = `${tc.collector.url}/v1/traces`;
    const now = BigInt(Date.now()) * 1_000_000n;
    const old = ids(30);
    const fresh = ids(30);
    expect((await send(url, { headers: { 'Content-Type': 'application/json' }, body: body(old.traceId, old.spanIds, now - 3n * HOUR_NS) })).status).toBe(200);
    expect((await send(url, { headers: { 'Content-Type': 'application/json' }, body: body(fresh.traceId, fresh.spanIds, now - HOUR_NS / 2n) })).status).toBe(200);
    // Wait (bounded) for a sweep to run; this is waiting for background work, not timing it.
    for (let i = 0; i < 200; i++) {
      if ((await metricValue(tc.collector.url, 'faultline_collector_retention_deleted_total')) >= 30) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await metricValue(tc.collector.url, 'faultline_collector_retention_deleted_total')).toBeGreaterThanOrEqual(30);
    withStore(tc.dbPath, (s) => {
      expect(s.getTrace(old.traceId)).toHaveLength(0);
      expect(s.getTrace(fresh.traceId)).toHaveLength(30);
    });
    const more = ids(1);
    expect((await send(url, { headers: { 'Content-Type': 'application/json' }, body: body(more.traceId, more.spanIds, now) })).status).toBe(200);
  });
});
