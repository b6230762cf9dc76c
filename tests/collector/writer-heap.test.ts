// The writer threads run with their old generation capped (WRITER_THREAD_LIMITS, for the
// collector's RSS): the largest request the collector accepts must still be decoded and committed
// under that cap, by the same writer, without it running out of memory and restarting.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_BODY_BYTES } from '../../collector/index.ts';
import { BATCH, buildTemplates, indexTemplate, nextBody } from '../../bench/workload.ts';
import { metricValue, startTestCollector, type TestCollector, withStore } from './helpers.ts';

let running: TestCollector | undefined;
afterEach(async () => {
  await running?.cleanup();
  running = undefined;
});

describe('writer heap cap', () => {
  it('stores a protobuf request just under the body limit, every span, with no writer restart', async () => {
    running = await startTestCollector({ live: false });
    // Concatenated ExportTraceServiceRequest messages are one message whose spans add up.
    const templates = buildTemplates().map(indexTemplate);
    const parts: Buffer[] = [];
    let size = 0;
    for (let b = nextBody(templates); size + b.length < DEFAULT_MAX_BODY_BYTES; b = nextBody(templates)) {
      parts.push(b);
      size += b.length;
    }
    const body = Buffer.concat(parts);
    expect(body.length).toBeGreaterThan(DEFAULT_MAX_BODY_BYTES * 0.95);

    const res = await fetch(`${running.collector.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body });
    expect(res.status).toBe(200);
    expect(withStore(running.dbPath, (s) => s.stats().spans)).toBe(parts.length * BATCH);
    expect(await metricValue(running.collector.url, 'faultline_collector_writer_restarts_total')).toBe(0);
  });
});
