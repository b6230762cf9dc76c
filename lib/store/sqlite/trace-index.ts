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
import { PRAGMAS, SQL } from '../sql/sqlite.ts';

/** Bump when the file's tables change: a file of another version is rebuilt. */
const FORMAT = 1;

/** The connection's usual busy timeout (sql/sqlite.ts PRAGMAS), restored after a catchUp that would not wait. */
const BUSY_TIMEOUT = PRAGMAS.find((p) => p.includes('busy_timeout'))!.replace('PRAGMA ', '');

/** Trace rows indexed per transaction, so another indexer or a reader never waits long. */
const BATCH = 16_384;

export function traceIndexFile(mainFile: string): string {
  return mainFile === ':memory:' ? ':memory:' : `${mainFile}-trace-ids`;
}

export class TraceIdIndex {
  readonly file: string;
  /**
   * The connection that holds the index: one of its own on the index file, which attaches the
   * database as `m`; for an in-memory database (no file another connection could open), the
   * store's own connection, which attaches an in-memory index as `ti`.
   */
  private readonly db: Database.Database;
  private readonly st: {
    upto: Database.Statement;
    find: Database.Statement;
    forget: Database.Statement;
    claim: Database.Statement;
    setUpto: Database.Statement;
    /** Past `upto`, at most `max` rows: how many and the last key. */
    range: Database.Statement;
    /** Sorted by id, so consecutive inserts land on the same leaves. */
    copy: Database.Statement;
    idAt: Database.Statement;
  };
  /** Trace ids this connection has put in the index, since it was opened. */
  indexed = 0;
  /** On the store's connection: the id of a key (to check an entry) and the newest key. */
  private readonly idOfKey: Database.Statement;
  private readonly maxKey: Database.Statement;

  constructor(
    private readonly main: Database.Database,
    mainFile: string,
    opts: { cacheKiB?: number } = {},
  ) {
    this.file = traceIndexFile(mainFile);
    const own = mainFile !== ':memory:';
    this.db = own ? new Database(this.file) : main;
    // Schema names: the index's, and the database's, as this connection sees them.
    const i = own ? 'main' : 'ti';
    const d = own ? 'm' : 'main';
    try {
      if (own) {
        for (const p of PRAGMAS) this.db.exec(p);
        // A checkpoint copies each page once however often it was rewritten in the WAL meanwhile,
        // and a pass rewrites leaves the last ones did: per trace indexed (bench of 300k traces,
        // 2,500 a pass) 10.5 µs CPU at SQLite's default of 1,000 pages, 9.6 at 4,096 (16 MiB).
        this.db.exec(`PRAGMA wal_autocheckpoint = 4096`);
        // The interior pages, which every search walks, fit in 1 MiB up to millions of traces;
        // leaves come from the OS cache (most searches are for new traces, and miss).
        this.db.exec(`PRAGMA cache_size = -${Math.max(256, Math.floor(opts.cacheKiB ?? 1024))}`);
        this.db.prepare(`ATTACH DATABASE ? AS m`).run(mainFile);
        // Only the end of `traces` is read through it.
        this.db.exec(`PRAGMA m.cache_size = -256`);
      } else this.db.exec(`ATTACH DATABASE ':memory:' AS ti`);
      this.ensureFormat(i);
      this.idOfKey = main.prepare(SQL.traceIdByKey).pluck();
      this.maxKey = main.prepare(SQL.maxTraceKey).pluck();
      this.st = {
        upto: this.db.prepare(`SELECT upto FROM ${i}.progress WHERE id = 1`).pluck(),
        find: this.db.prepare(`SELECT key FROM ${i}.trace_ids WHERE trace_id = ?`).pluck(),
        forget: this.db.prepare(`DELETE FROM ${i}.trace_ids WHERE trace_id = ? AND key = ?`),
        // A write first, so the transaction holds the index file's write lock (waiting for another
        // indexer in the busy handler) before it reads where indexing stands.
        claim: this.db.prepare(`UPDATE ${i}.progress SET upto = upto WHERE id = 1`),
        setUpto: this.db.prepare(`UPDATE ${i}.progress SET upto = ?, upto_trace_id = ? WHERE id = 1`),
        range: this.db.prepare(`SELECT max(key) AS hi, count(*) AS n FROM (SELECT key FROM ${d}.traces WHERE key > ? ORDER BY key LIMIT ?)`),
        copy: this.db.prepare(`INSERT OR REPLACE INTO ${i}.trace_ids (trace_id, key) SELECT trace_id, key FROM ${d}.traces WHERE key > ? AND key <= ? ORDER BY trace_id`),
        idAt: this.db.prepare(`SELECT trace_id FROM ${d}.traces WHERE key = ?`).pluck(),
      };
      this.checkPairing(i);
    } catch (err) {
      if (own) this.db.close();
      throw err;
    }
  }

  private ensureFormat(i: string): void {
    const version = () => Number(this.db.pragma(`${i}.user_version`, { simple: true }));
    if (version() === FORMAT) return;
    this.db.exec(`BEGIN IMMEDIATE`);
    try {
      // Another process opening at the same time may have made it meanwhile.
      if (version() === FORMAT) {
        this.db.exec(`COMMIT`);
        return;
      }
      this.db.exec(`DROP TABLE IF EXISTS ${i}.trace_ids; DROP TABLE IF EXISTS ${i}.progress;
        CREATE TABLE ${i}.trace_ids (trace_id BLOB PRIMARY KEY, key INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE ${i}.progress (id INTEGER PRIMARY KEY CHECK (id = 1), upto INTEGER NOT NULL, upto_trace_id BLOB);
        INSERT INTO ${i}.progress (id, upto, upto_trace_id) VALUES (1, 0, NULL);
        PRAGMA ${i}.user_version = ${FORMAT};`);
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
  private checkPairing(i: string): void {
    const row = this.db.prepare(`SELECT upto, upto_trace_id FROM ${i}.progress WHERE id = 1`).get() as { upto: number; upto_trace_id: Buffer | null };
    if (Number(row.upto) === 0) return;
    const id = this.idOfKey.get(row.upto) as Buffer | undefined;
    if (id !== undefined && row.upto_trace_id !== null && id.equals(row.upto_trace_id)) return;
    this.db.exec(`BEGIN IMMEDIATE; DELETE FROM ${i}.trace_ids; UPDATE ${i}.progress SET upto = 0, upto_trace_id = NULL WHERE id = 1; COMMIT`);
  }

  /** Every trace row with a key at most this has its entry (or was deleted). */
  upto(): number {
    return Number(this.st.upto.get());
  }

  /** The key of `traceId` (16 bytes) if the index has it and the row is still there with that id. */
  keyOf(traceId: Buffer): number | undefined {
    const k = this.st.find.get(traceId) as number | bigint | undefined;
    if (k === undefined) return undefined;
    const id = this.idOfKey.get(k) as Buffer | undefined;
    return id !== undefined && id.equals(traceId) ? Number(k) : undefined;
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
  catchUp(limit = Number.POSITIVE_INFINITY, opts: { wait?: boolean } = {}): number {
    if (this.main.inTransaction) throw new Error('trace index: catchUp inside a write transaction');
    // wait: false throws SQLITE_BUSY at once when another connection is indexing.
    const noWait = opts.wait === false && this.db !== this.main;
    if (noWait) this.db.pragma('busy_timeout = 0');
    try {
      let done = 0;
      while (done < limit) {
        const n = this.step(Math.min(BATCH, limit - done));
        done += n;
        if (n === 0) break;
      }
      return done;
    } finally {
      if (noWait) this.db.pragma(BUSY_TIMEOUT);
    }
  }

  /**
   * One transaction: SQLite reads, sorts and inserts the rows itself, so the thread's heap never
   * holds them (done in JavaScript, a pass's rows grew the maintenance thread's heap to 40 MB).
   * Its statements share one snapshot of the database, in which every key up to the newest is
   * committed (keys are handed out under its write lock, in commit order).
   */
  private step(max: number): number {
    const db = this.db;
    db.exec('BEGIN');
    try {
      this.st.claim.run();
      const upto = this.upto();
      const r = this.st.range.get(upto, max) as { hi: number | bigint | null; n: number };
      if (r.hi !== null && r.n > 0) {
        this.st.copy.run(upto, r.hi);
        this.st.setUpto.run(r.hi, this.st.idAt.get(r.hi));
      }
      db.exec('COMMIT');
      this.indexed += r.n;
      return r.n;
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

  /** Closes the index file's own connection (an in-memory index goes with the store's). */
  close(): void {
    if (this.db !== this.main && this.db.open) this.db.close();
  }
}
