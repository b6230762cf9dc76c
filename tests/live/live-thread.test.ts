// The collector's live analyzer thread comes back when it ends without being asked to (a crash),
// and goes on from the cursor stored in the database.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveThread } from '../../collector/live.ts';
import { openStore } from '../../lib/store/index.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function until(probe: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('LiveThread', () => {
  it('restarts a thread that ended unasked and stops for good on close', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-live-thread-'));
    dirs.push(dir);
    const dbUrl = path.join(dir, 'live.db');
    openStore(dbUrl).close();
    const live = LiveThread.start({ dbUrl, intervalMs: 100 });
    await until(() => live.status.passes > 0, 10_000);
    const first = live.thread;

    await first.terminate();
    await until(() => live.status.restarts === 1 && live.thread !== first, 5_000);
    const passes = live.status.passes;
    await until(() => live.status.passes > passes, 10_000);
    expect(live.status.last?.leader).toBe(true);

    await live.close();
    await new Promise((r) => setTimeout(r, 1500));
    expect(live.status.restarts).toBe(1);
  });
});
