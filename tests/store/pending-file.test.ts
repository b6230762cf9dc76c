// The live analyzer's pending clients live in `<db>-live-pending`, committed just before each
// flush's database transaction (lib/store/rollups/pending-file.ts). What a restart relies on: the
// clients it loads are exactly those as of the database's last committed flush, whichever of the
// two commits a crash came between; an analyzer that lost its lease changes nothing; a database
// from before the file keeps its waiting clients; a missing file starts over instead of failing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RollupDelta } from '../../lib/live/delta.ts';
import type { PendingClient } from '../../lib/live/pending.ts';
import { openStore } from '../../lib/store/index.ts';
import { LiveDb, type FlushInput } from '../../lib/store/rollups/live-db.ts';

const dirs: string[] = [];
const open: LiveDb[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  vi.restoreAllMocks();
});

const NOW = 1_767_225_600_000;

function freshDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-pending-file-'));
  dirs.push(dir);
  const file = path.join(dir, 'p.db');
  openStore(file).close();
  return file;
}

function liveDb(file: string): LiveDb {
  const db = new LiveDb(file);
  open.push(db);
  return db;
}

function client(n: number, extra: Partial<PendingClient> = {}): PendingClient {
  return {
    traceKey: 100 + n,
    spanId: n.toString(16).padStart(16, '0'),
    traceId: n.toString(16).padStart(32, 'a'),
    dueMs: NOW + 30_000 + n,
    minute: Math.floor(NOW / 60_000),
    source: 'checkout',
    target: `ext:db-${n}`,
    targetName: `db-${n}`,
    durationMs: 1.5 + n,
    error: n % 2 === 1,
    ...extra,
  };
}

/** A flush of pending changes only, from the state `db` holds now. */
function flush(db: LiveDb, owner: string, added: PendingClient[], removed: PendingClient[], nowMs = NOW): boolean {
  const st = db.state()!;
  const f: FlushInput = {
    owner, fromSeq: st.cursorSeq, toSeq: st.cursorSeq, flushes: st.flushes, maxTraceKey: 0, nowMs, leaseMs: 10_000,
    delta: new RollupDelta(), tiers: [1], pendingAdded: added,
    pendingRemoved: removed.map((c) => ({ traceKey: c.traceKey, spanId: c.spanId })), pendingDropped: 0, pendingClients: 0,
  };
  return db.flush(f);
}

const byKey = (a: PendingClient, b: PendingClient) => a.traceKey - b.traceKey;

function load(db: LiveDb, owner: string): PendingClient[] {
  return db.loadPending(owner, db.state()!).sort(byKey);
}

describe('pending clients file', () => {
  it('loads the clients as of the last committed flush when the database commit failed after the file was written', () => {
    const file = freshDb();
    const db = liveDb(file);
    db.claim('a', NOW, 10_000);
    expect(load(db, 'a')).toEqual([]);
    const [c1, c2, c3] = [client(1, { peerService: 'orders-db' }), client(2), client(3)];
    expect(flush(db, 'a', [c1, c2], [])).toBe(true);
    expect(load(db, 'a')).toEqual([c1, c2]);

    // The next flush pairs c1 and adds c3; its database transaction fails after the file committed
    // (a real trigger in the database, standing in for a crash between the two commits).
    const other = new Database(file);
    other.exec(`CREATE TRIGGER fail_flush BEFORE UPDATE OF cursor_seq ON live_state WHEN NEW.flushes = 2 BEGIN SELECT RAISE(ABORT, 'injected failure'); END`);
    expect(() => flush(db, 'a', [c3], [c1])).toThrow(/injected failure/);
    expect(db.state()!.flushes).toBe(1);
    // A restart (a new connection) and a reload on the same one both see the set of flush 1.
    expect(load(liveDb(file), 'a')).toEqual([c1, c2]);
    expect(load(db, 'a')).toEqual([c1, c2]);

    other.exec('DROP TRIGGER fail_flush');
    other.close();
    expect(flush(db, 'a', [c3], [c1])).toBe(true);
    expect(load(liveDb(file), 'a')).toEqual([c2, c3]);
    expect(db.pendingCount()).toBe(2);
  });

  it('deletes the rows a committed flush removed, in the next flush or at the next load', () => {
    const file = freshDb();
    const db = liveDb(file);
    db.claim('a', NOW, 10_000);
    load(db, 'a');
    const cs = Array.from({ length: 70 }, (_, i) => client(i));
    expect(flush(db, 'a', cs, [])).toBe(true);
    expect(flush(db, 'a', [], cs.slice(0, 50))).toBe(true);
    const rows = () => {
      const f = new Database(`${file}-live-pending`, { readonly: true });
      try {
        return Number(f.prepare('SELECT count(*) FROM pending').pluck().get());
      } finally {
        f.close();
      }
    };
    // Marked removed, kept until the database's commit of that flush is known to have happened.
    expect(rows()).toBe(70);
    expect(flush(db, 'a', [], [])).toBe(true);
    expect(rows()).toBe(20);
    // A restart after a removal: the load deletes what the committed flush removed.
    expect(flush(db, 'a', [], cs.slice(50, 60))).toBe(true);
    expect(rows()).toBe(20);
    expect(load(liveDb(file), 'a')).toEqual(cs.slice(60));
    expect(rows()).toBe(10);
  });

  it('lets an analyzer that lost its lease change nothing, even after the new holder flushed', () => {
    const file = freshDb();
    const a = liveDb(file);
    const b = liveDb(file);
    a.claim('a', NOW, 10_000);
    load(a, 'a');
    const [c1, c2, c3] = [client(1), client(2), client(3)];
    expect(flush(a, 'a', [c1], [])).toBe(true);
    // a stalls; b takes over once the lease ran out, loads and flushes.
    expect(b.claim('b', NOW + 20_000, 10_000)).toBeDefined();
    expect(load(b, 'b')).toEqual([c1]);
    expect(flush(b, 'b', [c3], [], NOW + 20_000)).toBe(true);
    // a wakes up believing it is still at flush 1 with the lease: refused, and its clients are nowhere.
    const stale: FlushInput = {
      owner: 'a', fromSeq: 0, toSeq: 0, flushes: 1, maxTraceKey: 0, nowMs: NOW + 21_000, leaseMs: 10_000,
      delta: new RollupDelta(), tiers: [1], pendingAdded: [c2], pendingRemoved: [{ traceKey: c1.traceKey, spanId: c1.spanId }], pendingDropped: 0, pendingClients: 0,
    };
    expect(a.flush(stale)).toBe(false);
    expect(load(b, 'b')).toEqual([c1, c3]);
    expect(load(liveDb(file), 'b')).toEqual([c1, c3]);
  });

  it('moves the clients a database from before kept in live_pending into the file, once', () => {
    const file = freshDb();
    const c1 = client(1, { peerService: 'payments' });
    const c2 = client(2);
    const legacy = new Database(file);
    legacy.exec(`INSERT INTO live_state (id, cursor_seq, max_trace_key, lease_owner, lease_until_ms, analyzed_at_ms, pending_dropped) VALUES (1, 0, 0, 'old', 0, 0, 0)`);
    const ins = legacy.prepare(`INSERT INTO live_pending (trace_key, span_id, trace_id, due_ms, minute, source, target, target_name, peer_service, duration_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const c of [c1, c2]) ins.run(c.traceKey, Buffer.from(c.spanId, 'hex'), c.traceId, c.dueMs, c.minute, c.source, c.target, c.targetName, c.peerService ?? null, c.durationMs, c.error ? 1 : 0);
    const db = liveDb(file);
    db.claim('a', NOW, 10_000);
    expect(load(db, 'a')).toEqual([c1, c2]);
    expect(legacy.prepare('SELECT count(*) FROM live_pending').pluck().get()).toBe(0);
    legacy.close();
    expect(flush(db, 'a', [], [c1])).toBe(true);
    expect(load(liveDb(file), 'a')).toEqual([c2]);
  });

  it('starts over, with a warning, when the file beside the database is gone', () => {
    const file = freshDb();
    const db = liveDb(file);
    db.claim('a', NOW, 10_000);
    load(db, 'a');
    expect(flush(db, 'a', [client(1)], [])).toBe(true);
    db.close();
    for (const f of [`${file}-live-pending`, `${file}-live-pending-wal`, `${file}-live-pending-shm`]) fs.rmSync(f, { force: true });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const again = liveDb(file);
    expect(load(again, 'a')).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('does not belong to this database'));
    // And it is this database's file from then on: no second warning, and flushes keep their clients.
    expect(flush(again, 'a', [client(2)], [])).toBe(true);
    expect(load(liveDb(file), 'a')).toEqual([client(2)]);
    expect(warn).toHaveBeenCalledTimes(1);
  });
});
