// Background threads lower their own CPU priority, and only their own (lib/runtime/priority.ts).
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { bundledEntry } from '../../lib/runtime/bundle.ts';
import { threadNice } from '../../lib/runtime/priority.ts';

describe('niceThisThread', () => {
  it('lowers the calling thread only', async () => {
    const entry = bundledEntry(new URL('./fixtures/nice-worker.ts', import.meta.url));
    if (entry === undefined) throw new Error('worker bundle could not be built');
    const mine = threadNice();
    const w = new Worker(entry);
    const seen = await new Promise<{ before: number; ok: boolean; after: number }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(seen).toEqual({ before: mine, ok: true, after: 10 });
    expect(threadNice()).toBe(mine);
  });
});
