// The trace-id index: trace id → trace key, in a SQLite file of its own beside the database
// (`<db>-trace-ids`), brought up to date in sorted batches by whoever calls catchUp() (the
// collector's maintenance thread), never inside the writers' transactions.
//
// Why a file of its own: trace ids are random, so every new trace dirtied one random leaf of a
// unique index in the main database, and every commit wrote each dirtied page to the WAL whole,
// under the one write lock: about three quarters of the WAL and most of the writers' lock time
// (collector/README.md, session 6). Here the same pages are written by a background thread,
// under the index file's own lock, and a batch of a thousand new traces shares leaves.
//
// What the writers rely on (trace-keys.ts): every trace row with key <= upto() has its entry
// here, unless retention deleted the row; rows with key > upto() are "the tail", which each
// writer connection keeps in memory. The index is derived data: it is rebuilt from `traces`
// when it is missing, of another format, or does not match the database beside it. An entry
// may be stale (retention deleted its row before forget() ran): lookups check the row.
import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PRAGMAS } from '../sql/sqlite.ts';

/** Bump when the file's tables change: a file of another version is rebuilt. */
const FORMAT = 1;

/** Trace rows indexed per transaction, so another indexer or a reader never waits long. */
const BATCH = 16_384;

export function traceIndexFile(mainFile: string): string {
  return mainFile === ':memory:' ? ':memory:' : `${mainFile}-trace-ids`;
}

export class TraceIdIndex {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly st: {
    upto: Database.Statement;
    find: Database.Statement;
    forget: Database.Statement;
    claim: Database.Statement;
    setUpto: Database.Statement;
    index: Database.Statement;
  };
  /** Trace ids this connection has put in the index, since it was opened. */
  indexed = 0;
  /** On the main connection: the rows past a key, and the newest key. */
  private readonly rowsAfter: Database.Statement;
  private readonly maxKey: Database.Statement;
  private readonly idOfKey: Database.Statement;
  /** With a database file, which this connection attaches as `m`: catching up in SQL. */
  private readonly copy: { range: Database.Statement; insert: Database.Statement; idAt: Database.Statement } | undefined;

  /**
   * `main` is the store's connection; the index file has a connection of its own, which also
   * attaches the database file to read new trace rows from (an in-memory database is read
   * through `main`, outside its transactions).
   */
  constructor(
    private readonly main: Database.Database,
    mainFile: string,
    opts: { cacheKiB?: number } = {},
  ) {
    this.file = traceIndexFile(mainFile);
    this.db = new Database(this.file);
    try {
      for (const p of PRAGMAS) this.db.exec(p);
      // A checkpoint copies each page once however often it was rewritten in the WAL meanwhile,
      // and a pass rewrites leaves the last ones did: per trace indexed (bench of 300k traces,
      // 2,500 a pass) 10.5 µs CPU at SQLite's default of 1,000 pages, 9.6 at 4,096 (16 MiB).
      this.db.exec(`PRAGMA wal_autocheckpoint = 4096`);
      // The interior pages, which every search walks, fit in 1 MiB up to millions of traces;
      // leaves come from the OS cache (most searches are for new traces, and miss).
      this.db.exec(`PRAGMA cache_size = -${Math.max(256, Math.floor(opts.cacheKiB ?? 1024))}`);
      this.ensureFormat();
      this.rowsAfter = main.prepare(`SELECT key, trace_id FROM traces WHERE key > ? ORDER BY key LIMIT ?`);
      this.maxKey = main.prepare(`SELECT max(key) FROM traces`).pluck();
      this.idOfKey = main.prepare(`SELECT trace_id FROM traces WHERE key = ?`).pluck();
      this.st = {
        upto: this.db.prepare(`SELECT upto FROM progress WHERE id = 1`).pluck(),
        find: this.db.prepare(`SELECT key FROM trace_ids WHERE trace_id = ?`).pluck(),
        forget: this.db.prepare(`DELETE FROM trace_ids WHERE trace_id = ? AND key = ?`),
        // A write first, so the transaction holds the index file's write lock (waiting for another
        // indexer in the busy handler) before it reads where indexing stands.
        claim: this.db.prepare(`UPDATE progress SET upto = upto WHERE id = 1`),
        setUpto: this.db.prepare(`UPDATE progress SET upto = ?, upto_trace_id = ? WHERE id = 1`),
        index: this.db.prepare(`INSERT OR REPLACE INTO trace_ids (trace_id, key) VALUES (?, ?)`),
      };
      if (mainFile !== ':memory:') {
        this.db.prepare(`ATTACH DATABASE ? AS m`).run(mainFile);
        // Only the end of `traces` is read through it.
        this.db.exec(`PRAGMA m.cache_size = -256`);
        this.copy = {
          // Past `upto`, at most `max` rows: how many and the last key.
          range: this.db.prepare(`SELECT max(key) AS hi, count(*) AS n FROM (SELECT key FROM m.traces WHERE key > ? ORDER BY key LIMIT ?)`),
          // Sorted by id, so consecutive inserts land on the same leaves.
          insert: this.db.prepare(`INSERT OR REPLACE INTO trace_ids (trace_id, key) SELECT trace_id, key FROM m.traces WHERE key > ? AND key <= ? ORDER BY trace_id`),
          idAt: this.db.prepare(`SELECT trace_id FROM m.traces WHERE key = ?`).pluck(),
        };
      }
      this.checkPairing();
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  private ensureFormat(): void {
    const version = Number(this.db.pragma('user_version', { simple: true }));
    if (version === FORMAT) return;
    this.db.exec(`BEGIN IMMEDIATE`);
    try {
      // Another process opening at the same time may have made it meanwhile.
      if (Number(this.db.pragma('user_version', { simple: true })) === FORMAT) {
        this.db.exec(`COMMIT`);
        return;
      }
      this.db.exec(`DROP TABLE IF EXISTS trace_ids; DROP TABLE IF EXISTS progress;
        CREATE TABLE trace_ids (trace_id BLOB PRIMARY KEY, key INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE progress (id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL, upto_trace_id BLOB);
        INSERT INTO progress (id, upto, upto_trace_id) VALUES (1, 0, NULL);
        PRAGMA user_version = ${FORMAT};`);
      this.db.exec(`COMMIT`);
    } catch (err) {
      if (this.db.inTransaction) this.db.exec(`ROLLBACK`);
      throw err;
    }
  }

  /**
   * The file must describe the database beside it: the last row it indexed must still be there
   * with the same trace id. Otherwise (a database file replaced or restored, a power loss that
   * took the database's last commits but not the index's) it starts over from nothing.
   */
  private checkPairing(): void {
    const row = this.db.prepare(`SELECT upto, upto_trace_id FROM progress WHERE id = 1`).get() as { upto: number; upto_trace_id: Buffer | null };
    if (Number(row.upto) === 0) return;
    const id = this.idOfKey.get(row.upto) as Buffer | undefined;
    if (id !== undefined && row.upto_trace_id !== null && id.equals(row.upto_trace_id)) return;
    this.db.exec(`BEGIN IMMEDIATE; DELETE FROM trace_ids; UPDATE progress SET upto = 0, upto_trace_id = NULL WHERE id = 1; COMMIT`);
  }

  /** Every trace row with a key at most this has its entry (or was deleted). */
  upto(): number {
    return Number(this.st.upto.get());
  }

  /** The key the index gives `traceId` (16 bytes), unchecked: see keyOf. */
  find(traceId: Buffer): number | undefined {
    const k = this.st.find.get(traceId) as number | bigint | undefined;
    return k === undefined ? undefined : Number(k);
  }

  /** The key of `traceId` if the index has it and the row is still there with that id. */
  keyOf(traceId: Buffer): number | undefined {
    const k = this.find(traceId);
    if (k === undefined) return undefined;
    const id = this.idOfKey.get(k) as Buffer | undefined;
    return id !== undefined && id.equals(traceId) ? k : undefined;
  }

  /** Trace rows not indexed yet. */
  behind(): number {
    return Math.max(0, Number(this.maxKey.get() ?? 0) - this.upto());
  }

  /**
   * Indexes the trace rows past upto(), `BATCH` to a transaction, at most `limit` of them.
   * Returns how many it indexed. Must not run inside a transaction of the main connection:
   * it would index rows that may still roll back.
   */
  catchUp(limit = Number.POSITIVE_INFINITY): number {
    if (this.main.inTransaction) throw new Error('trace index: catchUp inside a write transaction');
    let done = 0;
    while (done < limit) {
      const n = this.step(Math.min(BATCH, limit - done));
      done += n;
      if (n === 0) break;
    }
    return done;
  }

  private step(max: number): number {
    const db = this.db;
    db.exec('BEGIN');
    try {
      this.st.claim.run();
      const upto = this.upto();
      if (this.copy) {
        // The main database attached to this connection: SQLite reads, sorts and inserts the
        // rows itself, and the thread's heap never holds them (done in JavaScript, a pass's
        // rows grew the maintenance thread's heap to 40 MB). The statements of this
        // transaction share one snapshot of the main database.
        const r = this.copy.range.get(upto, max) as { hi: number | bigint | null; n: number };
        if (r.hi === null || r.n === 0) {
          db.exec('COMMIT');
          return 0;
        }
        this.copy.insert.run(upto, r.hi);
        this.st.setUpto.run(r.hi, this.copy.idAt.get(r.hi));
        db.exec('COMMIT');
        this.indexed += r.n;
        return r.n;
      }
      // One statement: a snapshot of the main database in which every key up to its newest is
      // committed (keys are handed out under its write lock, in commit order).
      const rows = this.rowsAfter.raw(true).all(upto, max) as [number | bigint, Buffer][];
      if (rows.length === 0) {
        db.exec('COMMIT');
        return 0;
      }
      // Sorted, consecutive inserts land on the same leaves.
      rows.sort((a, b) => Buffer.compare(a[1], b[1]));
      let last = rows[0];
      for (const r of rows) {
        this.st.index.run(r[1], r[0]);
        if (Number(r[0]) > Number(last[0])) last = r;
      }
      this.st.setUpto.run(last[0], last[1]);
      db.exec('COMMIT');
      this.indexed += rows.length;
      return rows.length;
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Drops the entries of deleted trace rows (retention), if they still name those rows. */
  forget(rows: { key: number; traceId: Buffer }[]): void {
    if (rows.length === 0) return;
    this.db.transaction(() => {
      for (const r of rows) this.st.forget.run(r.traceId, r.key);
    }).immediate();
  }

  /** Bytes of the index file and its WAL. */
  bytesOnDisk(): number {
    if (this.file === ':memory:') return 0;
    let bytes = 0;
    for (const f of [this.file, `${this.file}-wal`]) {
      try {
        bytes += statSync(f).size;
      } catch {
        // No WAL file right after a checkpoint-on-close.
      }
    }
    return bytes;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
