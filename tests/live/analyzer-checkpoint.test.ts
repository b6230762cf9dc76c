// Where another thread checkpoints the WAL (the collector's maintenance thread), the analyzer's
// flush must not: its commit runs inside the writers' lock, and a checkpoint there copied the WAL
// into the database and fsynced both while every writer waited. A checkpoint shows as the
// database file growing: until one runs, new pages live only in the WAL.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveAnalyzer } from '../../lib/live/analyzer.ts';
import { openStore, type SqliteStore } from '../../lib/store/index.ts';
import { callTrace, NOW } from './helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function setup(): { file: string; store: SqliteStore; writeTraces(from: number, n: number): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-ckpt-'));
  const file = path.join(dir, 'test.db');
  // The writers' setting in the collector: they never checkpoint.
  const store = openStore(file, { walAutoCheckpointPages: 0 });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  return {
    file,
    store,
    writeTraces(from, n) {
      const spans = Array.from({ length: n }, (_, i) => callTrace(`k${from + i}`, 'web', 'orders')).flatMap((t) => [t.root, t.client, t.server]);
      store.writeBatch({ spans, metrics: [], logs: [] });
    },
  };
}

describe('live analyzer and WAL checkpoints', () => {
  it('with its automatic checkpoint turned off, a flush leaves the WAL to the thread that checkpoints', () => {
    const s = setup();
    // Past SQLite's default threshold (1000 pages), so the setting is what keeps the flush from checkpointing.
    for (let i = 0; i < 14; i++) s.writeTraces(i * 1000, 1000);
    const before = statSync(s.file).size;
    const a = new LiveAnalyzer({ dbUrl: s.file, walAutoCheckpointPages: 0, chunkSpans: 50_000 });
    cleanups.push(() => a.close());
    expect(a.pass(NOW).spans).toBe(42_000);
    expect(statSync(s.file).size).toBe(before);
    // The thread that owns checkpoints then finds every page still to copy.
    const c = s.store.checkpoint('PASSIVE');
    expect(c.walPages).toBeGreaterThan(1000);
    expect(c.checkpointedPages).toBe(c.walPages);
    expect(statSync(s.file).size).toBeGreaterThan(before);
  });

  it('left at a page threshold, the flush\'s commit checkpoints once the WAL is past it', () => {
    const s = setup();
    s.writeTraces(0, 600);
    const before = statSync(s.file).size;
    const a = new LiveAnalyzer({ dbUrl: s.file, walAutoCheckpointPages: 10 });
    cleanups.push(() => a.close());
    expect(a.pass(NOW).spans).toBe(1800);
    expect(statSync(s.file).size).toBeGreaterThan(before);
  });
});
