// LiveDb.reading: the analyzer reads a chunk (the newest seq, the spans, each trace's id and
// earlier spans) in one read transaction, so all of it comes from one snapshot: a commit landing
// in between is not half seen, and is there on the next read.
import { afterEach, describe, expect, it } from 'vitest';
import { LiveDb } from '../../lib/store/rollups/live-db.ts';
import { callTrace, tempEnv, type Env } from './helpers.ts';

const envs: Env[] = [];
afterEach(() => {
  for (const e of envs.splice(0)) e.close();
});

describe('LiveDb.reading', () => {
  it('sees one snapshot for everything read inside it, and later commits after it', () => {
    const e = tempEnv();
    envs.push(e);
    const t = callTrace('r1', 'web', 'orders');
    e.write([t.root, t.client, t.server]);
    const db = new LiveDb(e.url);
    try {
      const seen = db.reading(() => {
        const hi = db.maxSeq();
        // Another connection (a writer thread) commits while the chunk is being read.
        const u = callTrace('r2', 'web', 'billing');
        e.write([u.root, u.client, u.server]);
        return { hi, again: db.maxSeq(), rows: db.chunk(0, Number.MAX_SAFE_INTEGER, 100).rows };
      });
      expect(seen).toEqual({ hi: 3, again: 3, rows: 3 });
      expect(db.maxSeq()).toBe(6);
      expect(db.chunk(0, Number.MAX_SAFE_INTEGER, 100).rows).toBe(6);
    } finally {
      db.close();
    }
  });

  it('returns what its function returns and ends the transaction when it throws', () => {
    const e = tempEnv();
    envs.push(e);
    const db = new LiveDb(e.url);
    try {
      expect(db.reading(() => 7)).toBe(7);
      expect(() =>
        db.reading(() => {
          throw new Error('inner');
        }),
      ).toThrow('inner');
      expect(db.db.inTransaction).toBe(false);
    } finally {
      db.close();
    }
  });
});
