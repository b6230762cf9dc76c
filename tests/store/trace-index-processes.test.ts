// Two processes write spans of the same traces into one database at the same time, one of them
// indexing now and then: the trace-id index is off the write path, so what keeps a trace one
// row is each writer loading, under the write lock, the trace rows the other committed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../lib/store/index.ts';
import { tempDir } from './helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function run(file: string, tag: string, rounds: number, indexEvery: number, startAt: number): Promise<{ inserted: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/overlap-writer.ts'), file, tag, String(rounds), String(indexEvery), String(startAt)]);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim()) as { inserted: number }) : reject(new Error(`writer ${tag} exited ${code}: ${err}`))));
  });
}

describe('trace-id index across processes', () => {
  it('keeps one trace row per trace id when two processes write the same traces at once', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'shared.db');
    openStore(file).close();
    const ROUNDS = 120;
    // Time enough for both to start and open the database.
    const startAt = Date.now() + 3000;
    const [a, b] = await Promise.all([run(file, 'a', ROUNDS, 7, startAt), run(file, 'b', ROUNDS, 0, startAt)]);
    // 40 rounds of 50 shared traces, each written 3 times by each process with its own span ids.
    expect(a.inserted + b.inserted).toBe(2 * ROUNDS * 55);
    const db = new Database(file, { readonly: true });
    try {
      const dup = db.prepare(`SELECT count(*) FROM (SELECT trace_id FROM traces GROUP BY trace_id HAVING count(*) > 1)`).pluck().get();
      expect(dup).toBe(0);
      expect(db.prepare(`SELECT count(*) FROM traces`).pluck().get()).toBe(40 * 50 + 2 * ROUNDS * 5);
    } finally {
      db.close();
    }
    const store = openStore(file);
    cleanups.unshift(() => store.close());
    expect(store.getTrace((7 * 1000 + 3).toString(16).padStart(32, '0'))).toHaveLength(6);
  }, 120_000);
});
