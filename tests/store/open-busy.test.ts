// Opening a store while another connection holds the database locked longer than SQLite's busy
// timeout (5 s): opening waits and tries again instead of failing at once with "database is
// locked", and succeeds when the lock is released (another process holds it here).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { openStore } from '../../lib/store/index.ts';

const require = createRequire(import.meta.url);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('opening a locked store', () => {
  it('waits past the busy timeout for a lock another process holds, then opens', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-busy-'));
    dirs.push(dir);
    const file = path.join(dir, 'busy.db');
    openStore(file).close();
    // A process that takes the database for itself for 6 s (exclusive locking mode: not even
    // readers get in), then lets go.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))});
         const db = new D(${JSON.stringify(file)});
         db.pragma('locking_mode = EXCLUSIVE');
         db.exec('BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS hold (x); INSERT INTO hold VALUES (1); COMMIT');
         process.stdout.write('held\\n');
         setTimeout(() => { db.close(); process.stdout.write('released\\n'); }, 6000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    await new Promise<void>((resolve) => holder.stdout!.on('data', (d: Buffer) => ((out += d.toString()), resolve())));
    const store = openStore(file);
    try {
      expect(store.stats().spans).toBe(0);
      // It could only open once the other process had let go.
      await new Promise<void>((resolve) => holder.once('exit', () => resolve()));
      expect(out).toContain('released');
    } finally {
      store.close();
      holder.kill();
    }
  }, 20_000);
});
