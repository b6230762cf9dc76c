// The live analyzer's pending clients (CLIENT spans waiting for their SERVER half), in a SQLite
// file of their own beside the database (`<db>-live-pending`), written before each flush and
// outside the writers' lock.
//
// Why a file of its own: in the database they were written inside the flush's transaction, so
// under the writers' lock: about 1,500 row operations a flush at 50k spans/s, 2.4–2.9 ms of the
// 5–6 ms a flush held the lock (collector/README.md, session 8), the largest part of what a
// writer's batch waited for at the tail. Here they are written under this file's own lock.
//
// Without one transaction across both files, flushes are numbered (live_state.flushes counts the
// committed ones). A row records the flush that added it and the flush that removed it. This
// file's transaction for flush N commits first, the database's second, and the database's count
// says which of them happened: at load, rows added by a later flush are deleted and removals by a
// later flush undone, so the file is again the set as of the database's cursor. Rows removed by a
// committed flush are deleted in the next flush's transaction.
//
// A lost lease: a flush's transaction here first checks, under this file's write lock, that the
// database still names this analyzer as the holder at the count it expects (`guard`). A new holder
// loads (and rolls back) under the same lock after it took the lease, so an analyzer that lost it
// can no longer write here by then, and whatever it wrote before is rolled back unless its
// database commit got in first.
//
// Which database: the file keeps an id that live_state.pending_file also holds. When they differ
// (a new database, this file deleted or copied from elsewhere) the file starts over from the
// database's live_pending rows, where pending clients were kept before this file existed.
//
// A power loss (not a crash of the process) may take the last commits of one file and not the
// other's, as synchronous = NORMAL allows: a few clients may then be lost or counted twice.
import Database from 'better-sqlite3';
import { PRAGMAS, valueRows } from '../sql/sqlite.ts';

/** Bump when the file's tables change: a file of another version starts over. */
const FORMAT = 1;
/**
 * Rows per statement. A flush writes about a thousand at 50k spans/s: 1,024 added and 512 removed
 * in one transaction took 4.2 ms one row to a statement, 2.7 ms 32 rows to a statement (session 7).
 */
const ROWS_PER_STATEMENT = 32;

/** Columns of a pending row as the inserts bind them (without the flush that adds it). */
export const PENDING_COLUMNS = 11;
const COLUMNS = 'trace_key, span_id, trace_id, due_ms, minute, source, target, target_name, peer_service, duration_ms, error';

/** A stored row, columns in PENDING_COLUMNS order. */
export type PendingRow = [traceKey: number, spanId: Buffer, traceId: string, dueMs: number, minute: number, source: string, target: string, targetName: string, peerService: string | null, durationMs: number, error: number];

export function pendingFileOf(mainFile: string): string {
  return mainFile === ':memory:' ? ':memory:' : `${mainFile}-live-pending`;
}

export class PendingFile {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly st: {
    id: Database.Statement;
    setId: Database.Statement;
    clear: Database.Statement;
    dropLater: Database.Statement;
    undoLater: Database.Statement;
    dropRemoved: Database.Statement;
    all: Database.Statement;
    count: Database.Statement;
  };
  private readonly insert: { one: Database.Statement; many: Database.Statement };
  private readonly remove: { one: Database.Statement; many: Database.Statement };
  private readonly drop: { one: Database.Statement; many: Database.Statement };
  /** Keys (trace_key, span_id pairs, flat) removed by the last flush whose database commit succeeded: deleted by the next. */
  private removedCommitted: unknown[] = [];
  /** Keys removed by the flush written here last, until its database commit is confirmed. */
  private removedWritten: unknown[] = [];

  constructor(mainFile: string) {
    this.file = pendingFileOf(mainFile);
    this.db = new Database(this.file);
    try {
      for (const p of PRAGMAS) this.db.exec(p);
      // Inserts land at the end of the key order (trace keys grow) and removals are of recent
      // keys, so a small cache holds the pages touched; it is the analyzer thread's memory.
      this.db.exec('PRAGMA cache_size = -1024');
      this.ensureFormat();
      const key = '(trace_key, span_id)';
      this.st = {
        id: this.db.prepare(`SELECT value FROM meta WHERE key = 'database'`).pluck(),
        setId: this.db.prepare(`INSERT INTO meta (key, value) VALUES ('database', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
        clear: this.db.prepare(`DELETE FROM pending`),
        dropLater: this.db.prepare(`DELETE FROM pending WHERE added > ?`),
        undoLater: this.db.prepare(`UPDATE pending SET removed = NULL WHERE removed > ?`),
        dropRemoved: this.db.prepare(`DELETE FROM pending WHERE removed IS NOT NULL`),
        all: this.db.prepare(`SELECT ${COLUMNS} FROM pending WHERE removed IS NULL`).raw(true),
        count: this.db.prepare(`SELECT count(*) FROM pending WHERE removed IS NULL`).pluck(),
      };
      const insert = (rows: number) =>
        // Re-added while still here: the stored row stays (as the database table did), and a
        // rollback of this flush must not delete it.
        this.db.prepare(`INSERT INTO pending (${COLUMNS}, added) VALUES ${valueRows(rows, PENDING_COLUMNS + 1)} ON CONFLICT ${key} DO NOTHING`);
      this.insert = { one: insert(1), many: insert(ROWS_PER_STATEMENT) };
      const remove = (rows: number) => this.db.prepare(`UPDATE pending SET removed = ? WHERE ${key} IN (VALUES ${valueRows(rows, 2)})`);
      this.remove = { one: remove(1), many: remove(ROWS_PER_STATEMENT) };
      const drop = (rows: number) => this.db.prepare(`DELETE FROM pending WHERE ${key} IN (VALUES ${valueRows(rows, 2)})`);
      this.drop = { one: drop(1), many: drop(ROWS_PER_STATEMENT) };
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  private ensureFormat(): void {
    const version = () => Number(this.db.pragma('user_version', { simple: true }));
    if (version() === FORMAT) return;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      if (version() !== FORMAT) {
        // No id in a new file: the analyzer starts it over from the database on first load.
        this.db.exec(`DROP TABLE IF EXISTS pending; DROP TABLE IF EXISTS meta;
          CREATE TABLE pending (trace_key INTEGER NOT NULL, span_id BLOB NOT NULL, trace_id TEXT NOT NULL, due_ms INTEGER NOT NULL,
            minute INTEGER NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL, target_name TEXT NOT NULL, peer_service TEXT,
            duration_ms REAL NOT NULL, error INTEGER NOT NULL, added INTEGER NOT NULL, removed INTEGER,
            PRIMARY KEY (trace_key, span_id)) WITHOUT ROWID;
          CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
          PRAGMA user_version = ${FORMAT};`);
      }
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** The id of the database this file belongs to ('' for a new file). */
  id(): string {
    return (this.st.id.get() as string | undefined) ?? '';
  }

  /**
   * Starts over as the file of database `id`: every row goes, `rows` (PENDING_COLUMNS values
   * each, flat) come in as added by flush `flushes`, the database's count (so no rollback drops them).
   */
  reset(id: string, rows: unknown[], flushes: number): void {
    this.inTransaction(() => {
      this.st.clear.run();
      this.writeRows(withAdded(rows, flushes), PENDING_COLUMNS + 1, this.insert);
      this.st.setId.run(id);
    });
    this.removedCommitted = [];
    this.removedWritten = [];
  }

  /** Rolls the file back to the database's count of flushes and returns the clients it holds then. */
  load(flushes: number): PendingRow[] {
    this.inTransaction(() => {
      this.st.dropLater.run(flushes);
      this.st.undoLater.run(flushes);
      this.st.dropRemoved.run();
    });
    this.removedCommitted = [];
    this.removedWritten = [];
    return this.st.all.all() as PendingRow[];
  }

  /**
   * Writes flush `flush`'s changes (keys: trace_key, span_id pairs, flat; added: PENDING_COLUMNS
   * values a row then `flush`, flat, built so by the caller: a copy here was megabytes at the
   * flush, the analyzer's peak), if `guard` (run under this file's write lock) still allows it.
   * Returns whether it wrote. Call committed() once the database's transaction of the flush committed.
   */
  write(flush: number, guard: () => boolean, removed: unknown[], added: unknown[]): boolean {
    const wrote = this.inTransaction(() => {
      if (!guard()) return false;
      this.writeRows(this.removedCommitted, 2, this.drop);
      this.writeRows(removed, 2, this.remove, flush);
      this.writeRows(added, PENDING_COLUMNS + 1, this.insert);
      return true;
    });
    if (wrote) {
      this.removedCommitted = [];
      this.removedWritten = removed;
    }
    return wrote;
  }

  /** The database committed the flush written last: its removals become final. */
  committed(): void {
    this.removedCommitted = this.removedWritten;
    this.removedWritten = [];
  }

  /** Clients held (not removed). */
  count(): number {
    return Number(this.st.count.get());
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private inTransaction<T>(f: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const r = f();
      this.db.exec('COMMIT');
      return r;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /**
   * Runs a statement per ROWS_PER_STATEMENT rows of `args` (`columns` values a row) and one per
   * row left over; `lead` values, if any, are bound before each statement's rows.
   */
  private writeRows(args: unknown[], columns: number, st: { one: Database.Statement; many: Database.Statement }, ...lead: unknown[]): void {
    const group = ROWS_PER_STATEMENT * columns;
    let i = 0;
    for (; i + group <= args.length; i += group) st.many.run(...lead, args.slice(i, i + group));
    for (; i < args.length; i += columns) st.one.run(...lead, args.slice(i, i + columns));
  }
}

/** `rows` (PENDING_COLUMNS values each, flat) with the flush number after each row's values. */
function withAdded(rows: unknown[], flush: number): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < rows.length; i += PENDING_COLUMNS) {
    for (let j = 0; j < PENDING_COLUMNS; j++) out.push(rows[i + j]);
    out.push(flush);
  }
  return out;
}
