// The writers' side of the feed gate (collector/feed-gate.ts): while the live analyzer says it is
// out of reach, writer threads commit as usual but pack no feed group, and count the spans they
// left unpacked; once it opens, each commit's spans are handed over again.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FeedGate } from '../../collector/feed-gate.ts';
import { CollectorMetrics } from '../../collector/metrics.ts';
import { WriterClient } from '../../collector/writer.ts';
import type { FedGroup } from '../../lib/live/feed.ts';
import { tempDir, withStore } from './helpers.ts';
import { encodeTraceRequestProto, ids } from './wire-helpers.ts';

describe('feed gate: the writer threads', () => {
  const dir = tempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('pack no group while it is closed, count the spans, and pack again once it opens', async () => {
    const dbPath = path.join(dir, 'gate.db');
    const metrics = new CollectorMetrics(() => ({ queueBytes: 0, queueRequests: 0, queueCapacityBytes: 0, writerUp: true }));
    const gate = new FeedGate();
    const writer = await WriterClient.start({ dbUrl: dbPath, maxGroupItems: 4096, feed: true, feedGate: gate.buffer }, 64 * 1024 * 1024, () => metrics);
    const fed: FedGroup[] = [];
    writer.onFeed = (g) => fed.push(g);
    const write = async (n: number) => {
      const { traceId, spanIds } = ids(n);
      const r = writer.submit('traces', 'protobuf', encodeTraceRequestProto('gate', spanIds.map((spanId, i) => ({ traceId, spanId, name: `op ${i}` }))));
      if (!r.queued) throw new Error(r.reason);
      expect(await r.outcome).toMatchObject({ kind: 'stored', items: n });
    };
    try {
      gate.set(false);
      await write(7);
      await write(5);
      expect(gate.skipped).toBe(12);
      gate.set(true);
      await write(9);
      // The feed message crosses from the writer thread after the answer.
      const deadline = Date.now() + 5000;
      while (fed.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(fed.map((g) => g.n)).toEqual([9]);
      expect(gate.skipped).toBe(12);
    } finally {
      await writer.close();
    }
    // Skipped or fed, every span was committed.
    expect(withStore(dbPath, (s) => s.stats().spans)).toBe(21);
  });
});
