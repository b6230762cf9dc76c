// trace id (hex) → trace key, the small arrival-order integer spans refer to, for one writing
// connection. The main database has no index on trace ids (a random key: trace-index.ts); a
// trace is found in one of two places:
// - the tail: every trace row past the index's progress. This connection keeps all of them in
//   a map, loading at the start of each write transaction the rows other connections and
//   processes committed since its last one (a short scan at the end of `traces`);
// - the index file, for everything older (checked against the row, as entries can be stale).
// The map also keeps indexed traces until it is full, so the spans of recent traces, most of
// every batch, never leave it.
import type Database from 'better-sqlite3';
import { SQL } from '../sql/sqlite.ts';
import type { TraceIdIndex } from './trace-index.ts';

/**
 * Past this many entries the map drops the indexed ones (about 100 B each: 1.6 MB). The
 * collector indexes every second, so the tail is a second or two of new traces (2,500 a second
 * at 50k spans/s); the rest of the map is a cache of the seconds before, which covers the gap
 * between the exports of one trace's services.
 */
const MAP_LIMIT = 16_384;

const TRACE_ID = /^[0-9a-f]{32}$/;

export class TraceKeys {
  private map = new Map<string, number>();
  private created: string[] = [];
  /** Trace ids prefetch found in no row up to the `loaded` it gives (see prefetch). */
  private readonly absent = new Map<string, number>();
  /** The map holds every trace row with a key in (base, loaded]. */
  private base = -1;
  private loaded = 0;
  private loadedBefore = 0;
  private generation: number | undefined;
  private readonly tailAfter: Database.Statement;
  private readonly insert: Database.Statement;
  private readonly scanTail: Database.Statement;
  /** Set when the map stays full after dropping indexed traces: the index is behind. */
  needsIndex = false;

  constructor(
    db: Database.Database,
    private readonly index: TraceIdIndex,
    private readonly limit = MAP_LIMIT,
  ) {
    this.tailAfter = db.prepare(SQL.traceTailAfter).raw(true);
    this.insert = db.prepare(SQL.insertTrace);
    this.scanTail = db.prepare(SQL.traceKeyInTail).pluck();
  }

  /**
   * At the start of a write transaction (the write lock held, so nothing newer can commit
   * meanwhile). `generation` is the database's user_version, which retention bumps when it
   * deletes trace rows: then cached keys may name deleted rows and the map starts over.
   */
  begin(generation: number): void {
    const upto = this.index.upto();
    if (this.base < 0 || generation !== this.generation || upto < this.base) {
      // First use, retention deleted traces, or the index was rebuilt from less.
      this.map = new Map();
      this.base = this.loaded = upto;
      this.generation = generation;
    }
    for (const [key, id] of this.tailAfter.all(this.loaded) as [number, string][]) {
      this.map.set(id, key);
      this.loaded = key;
    }
    if (this.map.size > this.limit) this.dropIndexed(upto);
    this.loadedBefore = this.loaded;
  }

  /**
   * Between write transactions: loads the tail rows committed since the last load, so begin()
   * (under the write lock) reads only what committed after this. Committed rows do not change;
   * a retention delete meanwhile bumps the generation, and begin() then starts the map over.
   *
   * Then looks up the next transaction's trace ids that the map lacks in the index file, which
   * keyFor would otherwise do under the lock for every new trace (0.4 ms of a 3 ms hold at 50k
   * spans/s). A trace found is cached in the map (an indexed row: deleting it bumps the
   * generation). One not found is absent from every row up to `loaded`: the map holds the rows
   * in (base, loaded], the index every row up to its progress, which is at least `base`. keyFor
   * trusts that while the map still holds everything past it (`base` has not passed it).
   */
  prefetch(traceIds: readonly (readonly string[])[] = []): void {
    if (this.base < 0) return;
    for (const [key, id] of this.tailAfter.all(this.loaded) as [number, string][]) {
      this.map.set(id, key);
      this.loaded = key;
    }
    this.absent.clear();
    if (traceIds.length === 0) return;
    const upto = this.index.upto();
    if (upto < this.base) return;
    const checked = this.loaded;
    for (const ids of traceIds) {
      for (const traceId of ids) {
        if (this.map.has(traceId) || this.absent.has(traceId) || !TRACE_ID.test(traceId)) continue;
        const k = this.index.keyOf(Buffer.from(traceId, 'hex'));
        if (k === undefined) this.absent.set(traceId, checked);
        else this.map.set(traceId, k);
      }
    }
    // An index rebuilt meanwhile (from less) may have lacked what it had at `upto`.
    if (this.index.upto() < upto) this.absent.clear();
  }

  /** Keeps only the tail: the indexed traces are found in the index file. */
  private dropIndexed(upto: number): void {
    for (const [id, key] of this.map) if (key <= upto) this.map.delete(id);
    if (upto > this.base) this.base = upto;
    this.needsIndex = this.map.size > this.limit / 2;
  }

  /** The key of `traceId`, creating the trace row inside the current write transaction. */
  keyFor(traceId: string): number {
    let k = this.map.get(traceId);
    if (k !== undefined) return k;
    const id = Buffer.from(traceId, 'hex');
    if (id.length !== 16 || traceId.length !== 32) throw new TypeError(`malformed trace id ${JSON.stringify(traceId)}`);
    // Not in the tail, so indexed if it exists at all (unless prefetch found it absent from
    // every row the map does not hold).
    const checked = this.absent.get(traceId);
    k = checked !== undefined && this.base <= checked ? undefined : this.index.keyOf(id);
    if (k === undefined) {
      k = Number(this.insert.run(id).lastInsertRowid);
      this.created.push(traceId);
      this.loaded = k;
    }
    this.map.set(traceId, k);
    return k;
  }

  /**
   * The key of an existing trace, or undefined (reads never create rows). Not from the map,
   * which is only current inside this connection's write transactions.
   */
  lookup(traceId: string): number | undefined {
    if (!TRACE_ID.test(traceId)) return undefined;
    const id = Buffer.from(traceId, 'hex');
    // Progress first: whatever the index holds by the time it is searched includes all up to it.
    const upto = this.index.upto();
    const k = this.index.keyOf(id);
    if (k !== undefined) return k;
    const t = this.scanTail.get(upto, id) as number | bigint | undefined;
    return t === undefined ? undefined : Number(t);
  }

  commit(): void {
    this.created.length = 0;
    this.absent.clear();
  }

  rollback(): void {
    for (const t of this.created) this.map.delete(t);
    this.created.length = 0;
    this.absent.clear();
    this.loaded = this.loadedBefore;
  }

  /** After this connection's retention deleted trace rows. */
  clear(): void {
    this.base = -1;
  }
}
