// Background threads lower their own CPU priority, only their own, and return to normal
// priority or above while they hold the write lock (lib/runtime/priority.ts).
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { bundledEntry } from '../../lib/runtime/bundle.ts';
import { BackgroundPriority, HOLDER_NICE, threadNice } from '../../lib/runtime/priority.ts';

describe('BackgroundPriority', () => {
  it('lowers the calling thread only, and raises it again around foreground work', async () => {
    const entry = bundledEntry(new URL('./fixtures/nice-worker.ts', import.meta.url));
    if (entry === undefined) throw new Error('worker bundle could not be built');
    const mine = threadNice();
    const w = new Worker(entry);
    const seen = await new Promise<Record<string, unknown>>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    // These machines (and CI) run as root, so the thread may come back to normal priority, and
    // above it while it holds the lock.
    expect(seen).toEqual({ before: 0, enabled: true, holderNice: HOLDER_NICE, background: 10, inForeground: HOLDER_NICE, after: 10 });
    expect(threadNice()).toBe(mine);
  });

  it('returns what foreground work returns and passes its errors on', () => {
    const p = new BackgroundPriority(0);
    expect(p.foreground(() => 5)).toBe(5);
    expect(() =>
      p.foreground(() => {
        throw new Error('inner');
      }),
    ).toThrow('inner');
    expect(threadNice()).toBe(0);
  });
});
