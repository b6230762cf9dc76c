// The in-process write lock (lib/store/write-lock.ts), across real worker threads.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { bundledEntry } from '../../lib/runtime/bundle.ts';
import { WriteLock } from '../../lib/store/write-lock.ts';

const entry = bundledEntry(new URL('./fixtures/lock-worker.ts', import.meta.url));

function run(data: object): Promise<string> {
  if (entry === undefined) throw new Error('worker bundle could not be built');
  const w = new Worker(entry, { workerData: data });
  return new Promise((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
}

describe('WriteLock', () => {
  it('lets one thread at a time into the critical section', async () => {
    const lock = new WriteLock();
    const counter = new SharedArrayBuffer(8);
    const rounds = 20_000;
    const done = await Promise.all([0, 1, 2].map(() => run({ lock: lock.buffer, counter, rounds, mode: 'count' })));
    expect(done).toEqual(['done', 'done', 'done']);
    expect(new Int32Array(counter)[0]).toBe(3 * rounds);
  });

  it('keeps mutual exclusion when threads mix tryAcquire with acquire', async () => {
    const lock = new WriteLock();
    const counter = new SharedArrayBuffer(8);
    const rounds = 20_000;
    const done = await Promise.all((['try', 'try', 'count'] as const).map((mode) => run({ lock: lock.buffer, counter, rounds, mode })));
    expect(done).toEqual(['done', 'done', 'done']);
    expect(new Int32Array(counter)[0]).toBe(3 * rounds);
  });

  it('tryAcquire takes a free lock, refuses a held one, and is re-entrant', () => {
    const a = new WriteLock();
    const b = new WriteLock(a.buffer);
    expect(a.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    expect(a.tryAcquire()).toBe(true);
    a.release();
    expect(b.tryAcquire()).toBe(false);
    a.release();
    expect(b.tryAcquire()).toBe(true);
    b.release();
    expect(a.with(() => 9)).toBe(9);
  });

  it('is re-entrant within a thread and refuses a release without an acquire', () => {
    const lock = new WriteLock();
    expect(lock.with(() => lock.with(() => 7))).toBe(7);
    expect(() => lock.release()).toThrow('WriteLock.release without acquire');
    // Still usable: the failed release did not advance the queue.
    expect(lock.with(() => 8)).toBe(8);
  });

  it('takes over from a thread that died holding it, after staleMs', async () => {
    const buffer = new SharedArrayBuffer(8);
    expect(await run({ lock: buffer, counter: new SharedArrayBuffer(8), rounds: 0, mode: 'die-holding' })).toBe('holding');
    const lock = new WriteLock(buffer, { staleMs: 200 });
    const t0 = Date.now();
    expect(lock.with(() => 'mine')).toBe('mine');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    // The queue moves on normally afterwards.
    expect(lock.with(() => 'again')).toBe('again');
  });
});
