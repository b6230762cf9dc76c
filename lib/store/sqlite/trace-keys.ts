// trace id (hex) → trace key, the small arrival-order integer spans refer to. The cache is
// two generations of bounded maps (a cheap LRU): batches mostly carry spans of recent traces,
// so most lookups never touch the `traces` index, the one random-key index in the schema.
import type Database from 'better-sqlite3';
import { SQL } from '../sql/sqlite.ts';

export class TraceKeys {
  private cur = new Map<string, number>();
  private prev = new Map<string, number>();
  private created: string[] = [];
  private readonly find: Database.Statement;
  private readonly insert: Database.Statement;

  /**
   * A generation holds 32k traces: about 80 B each (the hex key and the map entry), 5 MB for
   * both per writer connection, against 16 MB at 100k. At 100k spans/s a writer meets about
   * 8k new traces a second, so the cache remembers the last 4–8 s of traces, which covers
   * the few seconds between the exports of one trace's services; a later span costs one
   * lookup in the traces index instead.
   */
  constructor(db: Database.Database, private readonly generationSize = 32_768) {
    this.find = db.prepare(SQL.traceKey);
    this.insert = db.prepare(SQL.insertTrace);
  }

  /** The key of `traceId`, creating the trace row inside the current write transaction. */
  keyFor(traceId: string): number {
    let k = this.cur.get(traceId);
    if (k !== undefined) return k;
    k = this.prev.get(traceId);
    if (k === undefined) {
      const id = Buffer.from(traceId, 'hex');
      if (id.length !== 16 || traceId.length !== 32) throw new TypeError(`malformed trace id ${JSON.stringify(traceId)}`);
      const row = this.find.get(id) as { key: number } | undefined;
      if (row) k = Number(row.key);
      else {
        k = Number(this.insert.run(id).lastInsertRowid);
        this.created.push(traceId);
      }
    }
    if (this.cur.size >= this.generationSize) {
      this.prev = this.cur;
      this.cur = new Map();
    }
    this.cur.set(traceId, k);
    return k;
  }

  /**
   * The key of an existing trace, or undefined (reads never create rows). Always from the
   * table: the write cache may be stale after another connection's retention.
   */
  lookup(traceId: string): number | undefined {
    if (!/^[0-9a-f]{32}$/.test(traceId)) return undefined;
    const row = this.find.get(Buffer.from(traceId, 'hex')) as { key: number } | undefined;
    return row ? Number(row.key) : undefined;
  }

  commit(): void {
    this.created.length = 0;
  }

  rollback(): void {
    for (const t of this.created) {
      this.cur.delete(t);
      this.prev.delete(t);
    }
    this.created.length = 0;
  }

  private generation: number | undefined;

  /**
   * Retention (in any connection) bumps the database's user_version when it deletes trace
   * rows; a writer checks it at the start of each transaction and drops cached keys that may
   * name deleted traces, so a late span never lands under a key no trace row points to.
   */
  checkGeneration(current: number): void {
    if (this.generation !== undefined && this.generation !== current) this.clear();
    this.generation = current;
  }

  /** After retention deleted trace rows. */
  clear(): void {
    this.cur = new Map();
    this.prev = new Map();
  }
}
