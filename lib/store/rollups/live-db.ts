// The live analyzer's connection: reads the span feed in commit order, claims the single-analyzer
// lease, and commits rollup additions and the cursor in ONE transaction — so a crash or restart
// never counts a span twice and never loses one. The pending clients live in a file of their own
// (pending-file.ts), written just before that transaction and rolled back to it at load.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { SPAN_KINDS, STATUS_CODES, type Span } from '../../model/index.ts';
import { decodeSketch, mergeSketchBytes, encodeSketch } from '../../analysis/stats/sketch-bytes.ts';
import { BucketDelta as BucketDeltaClass, ROLLUP_ACCURACY, type BucketDelta, type NodeInfo, type RollupDelta } from '../../live/delta.ts';
import type { PendingClient, PendingRef } from '../../live/pending.ts';
import { applyMigrations } from '../migrate/apply.ts';
import { PRAGMAS } from '../sql/sqlite.ts';
import { Dictionary } from '../sqlite/dictionary.ts';
import { readSpanPayload } from '../codec/span-payload.ts';
import { parseStoreUrl, resolveDbUrl, StoreUrlError } from '../url.ts';
import { LIVE_SQL } from './sql.ts';
import { PendingFile, type PendingRow } from './pending-file.ts';
import { BlockWriter, GRAPH_TIERS, nodeKindCode, SketchScratch } from './graph-block.ts';
import { mergeBlocks } from './graph-merge.ts';
import { childTier, PREFIX_MIN, prefixCodes, prefixOf, prefixRes, suffixOf, suffixRes, tierCodes } from './graph-cover.ts';

export interface FeedSpan {
  seq: number;
  traceKey: number;
  traceId: string;
  span: Span;
}

export interface LiveState {
  cursorSeq: number;
  maxTraceKey: number;
  leaseOwner: string;
  leaseUntilMs: number;
  analyzedAtMs: number;
  pendingDropped: number;
  /** Flushes committed (the pending file is rolled back to this count at load). */
  flushes: number;
  /** Id of the pending file that belongs to this database ('' when none was made yet). */
  pendingFile: string;
  /** Clients waiting as of the last flush. */
  pendingClients: number;
}

export interface FlushInput {
  owner: string;
  /** The cursor this pass started from; the commit is refused if the stored one moved. */
  fromSeq: number;
  /** Flushes committed when this pass started; likewise refused if another flush came between. */
  flushes: number;
  toSeq: number;
  maxTraceKey: number;
  nowMs: number;
  leaseMs: number;
  delta: RollupDelta;
  /**
   * Tiers of the per-row tables (node, operation, table, quality rollups) to write, in minutes per
   * bucket (1 and 60). The graph blocks always get every GRAPH_TIERS tier they have.
   */
  tiers: readonly number[];
  pendingAdded: PendingClient[];
  pendingRemoved: PendingRef[];
  pendingDropped: number;
  /** Clients waiting after this flush (stored for the freshness figure). */
  pendingClients: number;
}

const TIERS_DEFAULT = [1, 60] as const;
/** A coarse graph block is sealed once its last minute is this far behind the clock… */
const SEAL_LAG_MINUTES = 2;
/** …and none of its minutes was written for this long (a backfill or import is still going). */
const SEAL_QUIET_MS = 60_000;
/** How often flush looks for blocks to seal. */
const SEAL_EVERY_MS = 15_000;
/** The tier whose prefixes are built as its minutes are written (the others' when a child is sealed). */
const MINUTE_PREFIX_TIER = 5;
const KEY_EDGE = 1;
const KEY_NODE = 2;
const KEY_OPERATION = 3;
const KEY_NAME = 4;

export interface SealOptions {
  /** The clock, for the quiet check. */
  nowMs: number;
  /** Seal only blocks ending at or before this epoch minute (default: SEAL_LAG_MINUTES behind nowMs). */
  upToMinute?: number;
  /** Seal without waiting for quiet (before pruning the children). */
  force?: boolean;
}

/** What the graph-block part of the last flush cost (bench and tests read it). */
export interface BlockWriteStats {
  blocksWritten: number;
  bytesWritten: number;
  sealed: number;
  damaged: number;
}

/** File path of a SQLite store URL; throws StoreUrlError for URLs this layout cannot serve. */
export function sqlitePathOf(url?: string): string {
  const parsed = parseStoreUrl(resolveDbUrl(url));
  if (parsed.kind !== 'sqlite') throw new StoreUrlError('the live analyzer and the rollup reader need a SQLite store for now');
  return parsed.path;
}

export class LiveDb {
  readonly db: Database.Database;
  private readonly dict: Dictionary;
  private readonly st: Record<keyof typeof LIVE_SQL, Database.Statement>;
  private readonly pendingFile: PendingFile;
  private readonly infoWritten = new Map<string, string>();
  private readonly pruneStatements = new Map<string, Database.Statement>();
  private readonly keyIds = new Map<string, number>();
  /** Epoch minute → wall ms it was last written by this connection (the seal quiet check). */
  private readonly touched = new Map<number, number>();
  private lastSealMs = -Infinity;
  private readonly lat = new SketchScratch();
  private readonly srv = new SketchScratch();
  /**
   * Runs one write transaction; the collector's analyzer makes it take the writers' WriteLock.
   * Every transaction takes it on its own (a flush, then each seal or prefix/suffix merge, each
   * prune statement), so a writer never waits behind more than one of them.
   */
  runLocked: <T>(f: () => T) => T = (f) => f();
  /** The graph-block work of the most recent flush (and seal pass it ran). */
  lastBlockStats: BlockWriteStats = { blocksWritten: 0, bytesWritten: 0, sealed: 0, damaged: 0 };

  /**
   * `walAutoCheckpointPages`: WAL pages past which this connection's commit also checkpoints
   * (SQLite's default 1000). The collector runs checkpoints on its maintenance thread and gives
   * the analyzer the writers' safety net instead: a checkpoint after a flush ran inside the
   * writers' lock (strace: two fsyncs and ~1,000 page copies a second from the analyzer thread).
   */
  constructor(url?: string, migrationsDir?: string, opts: { walAutoCheckpointPages?: number } = {}) {
    const file = sqlitePathOf(url);
    this.db = new Database(file);
    try {
      for (const p of PRAGMAS) this.db.exec(p);
      if (opts.walAutoCheckpointPages !== undefined) this.db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(opts.walAutoCheckpointPages))}`);
      applyMigrations(this.db, migrationsDir);
      registerMergeFunctions(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.dict = new Dictionary(this.db);
    const st = {} as Record<keyof typeof LIVE_SQL, Database.Statement>;
    for (const [k, sql] of Object.entries(LIVE_SQL)) st[k as keyof typeof LIVE_SQL] = this.db.prepare(sql);
    this.st = st;
    try {
      this.pendingFile = new PendingFile(file);
      this.backfillBlocks();
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /**
   * A database written before graph blocks existed has its graph in edge_rollups rows: build the
   * minute and hour blocks from them once (coarser ones are sealed later as usual), so windows
   * before the upgrade keep their edges. Returns the blocks written.
   */
  backfillBlocks(): number {
    const db = this.db;
    if (db.prepare('SELECT 1 FROM graph_blocks LIMIT 1').get()) return 0;
    const buckets = db.prepare('SELECT DISTINCT res, bucket FROM edge_rollups WHERE res IN (1, 60) UNION SELECT DISTINCT res, bucket FROM node_rollups WHERE res IN (1, 60) ORDER BY res, bucket').raw(true).all() as [number, number][];
    if (buckets.length === 0) return 0;
    const edgesOf = db.prepare('SELECT source, target, kind, calls, errors, paired, unpaired, latency, server_latency, peer_service, trace_ids FROM edge_rollups WHERE res = ? AND bucket = ?');
    const nodesOf = db.prepare('SELECT node_id, kind, calls, errors, latency FROM node_rollups WHERE res = ? AND bucket = ?');
    const opsOf = db.prepare('SELECT service, operation FROM operation_rollups WHERE res = ? AND bucket = ?');
    const sketch = (bytes: Buffer | null, into: SketchScratch): void => {
      into.reset();
      if (!bytes) return;
      const s = decodeSketch(bytes);
      if (!('error' in s) && s.relativeAccuracy === ROLLUP_ACCURACY) into.addSketch(s);
    };
    let written = 0;
    for (const [res, bucket] of buckets) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const w = new BlockWriter(ROLLUP_ACCURACY);
        w.section();
        type E = { source: string; target: string; kind: string; calls: number; errors: number; paired: number; unpaired: number; latency: Buffer; server_latency: Buffer | null; peer_service: string | null; trace_ids: string };
        const edges = (edgesOf.all(res, bucket) as E[]).map((e) => ({ e, key: this.key(KEY_EDGE, e.source, e.target, e.kind) })).sort((x, y) => x.key - y.key);
        for (const { e, key } of edges) {
          sketch(e.latency, this.lat);
          sketch(e.server_latency, this.srv);
          const peer = e.peer_service !== null ? this.key(KEY_NAME, e.peer_service) + 1 : 0;
          const traceIds = e.trace_ids ? e.trace_ids.split(',') : [];
          w.edge({ key, calls: e.calls, errors: e.errors, paired: e.paired, unpaired: e.unpaired, peer, traceIds }, this.lat, this.srv);
        }
        w.section();
        type N = { node_id: string; kind: string; calls: number; errors: number; latency: Buffer };
        const nodes = (nodesOf.all(res, bucket) as N[]).map((n) => ({ n, key: this.key(KEY_NODE, n.node_id) })).sort((x, y) => x.key - y.key);
        for (const { n, key } of nodes) {
          sketch(n.latency, this.lat);
          w.node({ key, kind: nodeKindCode(n.kind), calls: n.calls, errors: n.errors }, this.lat);
        }
        w.section();
        const ops = (opsOf.all(res, bucket) as { service: string; operation: string }[]).map((o) => this.key(KEY_OPERATION, o.service, o.operation)).sort((x, y) => x - y);
        let prev = -1;
        for (const k of ops) if (k !== prev) w.operation((prev = k));
        this.st.blockPut.run(res, bucket, w.finish());
        db.exec('COMMIT');
        written++;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        this.keyIds.clear();
        throw err;
      }
    }
    return written;
  }

  maxSeq(): number {
    const r = this.st.maxSeq.get() as { m: number | null };
    return r.m === null ? 0 : Number(r.m);
  }

  state(): LiveState | undefined {
    const r = this.st.state.get() as Record<string, number | bigint | string> | undefined;
    if (!r) return undefined;
    return {
      cursorSeq: Number(r.cursor_seq),
      maxTraceKey: Number(r.max_trace_key),
      leaseOwner: String(r.lease_owner),
      leaseUntilMs: Number(r.lease_until_ms),
      analyzedAtMs: Number(r.analyzed_at_ms),
      pendingDropped: Number(r.pending_dropped),
      flushes: Number(r.flushes),
      pendingFile: String(r.pending_file),
      pendingClients: Number(r.pending_clients),
    };
  }

  /** Claims or renews the lease; returns the state when this owner holds it, else undefined. */
  claim(owner: string, nowMs: number, leaseMs: number): LiveState | undefined {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.st.claimLease.run(owner, nowMs + leaseMs, nowMs);
      const s = this.state();
      this.db.exec('COMMIT');
      return s && s.leaseOwner === owner ? s : undefined;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  release(owner: string): void {
    this.st.releaseLease.run(owner);
  }

  /**
   * Runs `f` in one read transaction. Each statement outside a transaction takes and drops a WAL
   * read lock of its own, and a chunk read from storage runs a statement per trace (its id, its
   * earlier spans): catching up at half load that was ~2,600 lock calls (fcntl on the shared
   * WAL index) a second from the analyzer thread, under a mutex the writers' connections share.
   */
  reading<T>(f: () => T): T {
    if (this.db.inTransaction) return f();
    this.db.exec('BEGIN');
    try {
      return f();
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT');
    }
  }

  /** Up to `limit` spans with afterSeq < seq ≤ toSeq, in commit order, and the last seq read (the next cursor). */
  chunk(afterSeq: number, toSeq: number, limit: number): { spans: FeedSpan[]; lastSeq: number; rows: number } {
    const rows = this.st.chunk.raw(true).all(afterSeq, toSeq, limit) as FeedRow[];
    const traceIds = new Map<number, string | undefined>();
    const traceIdOf = this.st.traceIdOfKey.pluck(true);
    const out: FeedSpan[] = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      let traceId = traceIds.get(r[1]);
      if (traceId === undefined && !traceIds.has(r[1])) traceIds.set(r[1], (traceId = traceIdOf.get(r[1]) as string | undefined));
      // A span whose trace row is gone (retention got there first) is not analyzed, as before.
      if (traceId !== undefined) out.push({ seq: r[0], traceKey: r[1], traceId, span: this.toSpan(r, traceId) });
    }
    return { spans: out, lastSeq: rows.length > 0 ? rows[rows.length - 1][0] : afterSeq, rows: rows.length };
  }

  /** The names behind the ids of spans (the live feed builds its spans with it). */
  get dictionary(): Dictionary {
    return this.dict;
  }

  /** Spans of one trace stored at or before `maxSeq`. */
  older(traceKey: number, traceId: string, maxSeq: number): Span[] {
    const rows = this.st.olderOfTrace.raw(true).all(traceKey, maxSeq) as FeedRow[];
    return rows.map((r) => this.toSpan(r, traceId));
  }

  /**
   * A span as the fold needs it. SERVER and INTERNAL spans come without their attribute payload:
   * decoding it is most of the read cost and nothing in the fold reads it. Client, producer,
   * consumer and kind-less spans carry it (peer, database, topic, inferred kind) and are whole.
   */
  private toSpan(r: FeedRow, traceId: string): Span {
    const startNs = BigInt(r[6]) * 1_000_000n + BigInt(r[7]);
    const d = r[8];
    const span: Span = {
      traceId,
      spanId: r[3],
      name: this.dict.operationName(r[9]),
      kind: SPAN_KINDS[r[4]] ?? 'unspecified',
      startNs,
      endNs: startNs + BigInt(d),
      durationNs: d < 0 ? 0 : d,
      status: { code: STATUS_CODES[r[12]] ?? 'unset' },
      attributes: {},
      events: [],
      links: [],
      resource: this.dict.resourceById(r[10]),
      scope: this.dict.scopeById(r[11]),
    };
    if (r[5]) span.parentSpanId = r[5];
    if (r[13]) readSpanPayload(r[13], span, this.dict);
    return span;
  }

  /**
   * The pending clients as of the stored state `st` (which this owner's lease holds): the
   * pending file rolled back to the database's count of flushes. A file that is not this
   * database's (new, deleted, copied from elsewhere), or clients still in the database's own
   * table (a database from before the file), start the file over from that table.
   */
  loadPending(owner: string, st: LiveState): PendingClient[] {
    const legacy = this.st.legacyPending.raw(true).all() as PendingRow[];
    if (st.pendingFile === '' || st.pendingFile !== this.pendingFile.id() || legacy.length > 0) {
      if (st.pendingFile !== '' && legacy.length === 0) {
        console.warn(`live analyzer: ${this.pendingFile.file} does not belong to this database (new, deleted or copied): starting it over; clients that were waiting for their server half are not paired`);
      }
      const id = randomUUID();
      this.pendingFile.reset(id, legacy.flat(), st.flushes);
      // The database names the file only now, and drops its rows in the same transaction: a crash
      // before this commit starts the file over again from the same rows.
      this.inShortTransaction(() => {
        this.st.setPendingFile.run(id, owner);
        this.st.legacyPendingClear.run();
      });
    }
    return this.pendingFile.load(st.flushes).map(toPendingClient);
  }

  /** Clients in the pending file (tests and tools). */
  pendingCount(): number {
    return this.pendingFile.count();
  }

  /**
   * Commits a pass. Returns false (and writes nothing) when the lease was lost or another
   * analyzer moved the cursor meanwhile: the caller must reload its state.
   */
  flush(f: FlushInput): boolean {
    // Encoded before the lock: the sketches of the per-row tables, coarsened to each tier, were
    // a fifth of a flush's CPU (cpuprofile of 120 flushes of 25,000 spans).
    const buckets: BucketRows[] = [];
    for (const tier of f.tiers ?? TIERS_DEFAULT) {
      for (const [bucket, b] of tier === 1 ? f.delta.minutes : coarsenWithoutEdges(f.delta, tier)) buckets.push(bucketRows(tier, bucket, b));
    }
    // The pending clients go to their file first, outside the writers' lock, numbered as this
    // flush; the database's commit below is what makes them count (pending-file.ts).
    const removed: unknown[] = [];
    for (const r of f.pendingRemoved) removed.push(r.traceKey, Buffer.from(r.spanId, 'hex'));
    const flush = f.flushes + 1;
    const added: unknown[] = [];
    for (const p of f.pendingAdded) {
      added.push(p.traceKey, Buffer.from(p.spanId, 'hex'), p.traceId, p.dueMs, p.minute, p.source, p.target, p.targetName, p.peerService ?? null, p.durationMs, p.error ? 1 : 0, flush);
    }
    const holds = () => {
      const s = this.state();
      return s !== undefined && s.leaseOwner === f.owner && s.cursorSeq === f.fromSeq && s.flushes === f.flushes;
    };
    if (!this.pendingFile.write(flush, holds, removed, added)) return false;
    if (!this.runLocked(() => this.commitFlush(f, buckets))) return false;
    this.pendingFile.committed();
    if (f.nowMs - this.lastSealMs >= SEAL_EVERY_MS) {
      this.lastSealMs = f.nowMs;
      this.lastBlockStats.sealed = this.sealBlocks({ nowMs: f.nowMs });
    }
    return true;
  }

  private commitFlush(f: FlushInput, buckets: BucketRows[]): boolean {
    const db = this.db;
    db.exec('BEGIN IMMEDIATE');
    try {
      const moved = this.st.advance.run(f.toSeq, f.maxTraceKey, f.nowMs + f.leaseMs, f.nowMs, f.pendingDropped, f.pendingClients, f.owner, f.fromSeq, f.flushes);
      if (moved.changes !== 1) {
        db.exec('ROLLBACK');
        return false;
      }
      for (const rows of buckets) this.writeBucket(rows);
      const stats: BlockWriteStats = { blocksWritten: 0, bytesWritten: 0, sealed: 0, damaged: 0 };
      this.writeBlocks(f.delta, f.nowMs, stats);
      this.lastBlockStats = stats;
      for (const info of f.delta.nodeInfo.values()) this.writeInfo(info);
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      // Node labels and keys cached as written may not be: forget them so the next pass rewrites them.
      this.infoWritten.clear();
      this.keyIds.clear();
      throw err;
    }
    return true;
  }

  /** The rollup_keys id of a name (inserted on first use, inside the caller's transaction). */
  private key(type: number, a: string, b = '', c = ''): number {
    const k = `${type}\u0000${a}\u0000${b}\u0000${c}`;
    let id = this.keyIds.get(k);
    if (id !== undefined) return id;
    this.st.keyInsert.run(type, a, b, c);
    id = Number((this.st.keyId.get(type, a, b, c) as { id: number }).id);
    // Bounded: past it the cache starts over (ids are stable, re-reading them is only slower).
    if (this.keyIds.size >= 500_000) this.keyIds.clear();
    this.keyIds.set(k, id);
    return id;
  }

  /** One bucket of a delta as a graph block. */
  private deltaBlock(b: BucketDelta): Uint8Array | undefined {
    if (b.edges.size === 0 && b.nodes.size === 0 && b.ops.size === 0) return undefined;
    const w = new BlockWriter(ROLLUP_ACCURACY);
    const lat = this.lat;
    const srv = this.srv;
    w.section();
    const edges = [...b.edges.values()].map((e) => ({ e, key: this.key(KEY_EDGE, e.source, e.target, e.kind) })).sort((x, y) => x.key - y.key);
    for (const { e, key } of edges) {
      lat.reset();
      lat.addSketch(e.lat);
      srv.reset();
      if (e.srv) srv.addSketch(e.srv);
      const peer = e.peerService !== undefined ? this.key(KEY_NAME, e.peerService) + 1 : 0;
      w.edge({ key, calls: e.calls, errors: e.errors, paired: e.paired, unpaired: e.unpaired, peer, traceIds: e.traceIds }, lat, srv);
    }
    w.section();
    const nodes = [...b.nodes.values()].map((n) => ({ n, key: this.key(KEY_NODE, n.id) })).sort((x, y) => x.key - y.key);
    for (const { n, key } of nodes) {
      lat.reset();
      lat.addSketch(n.lat);
      w.node({ key, kind: nodeKindCode(n.kind), calls: n.calls, errors: n.errors }, lat);
    }
    w.section();
    const ops = [...b.ops.values()].map((o) => this.key(KEY_OPERATION, o.service, o.operation)).sort((x, y) => x - y);
    let prev = -1;
    for (const k of ops) if (k !== prev) w.operation((prev = k));
    return w.finish();
  }

  /**
   * Adds the delta to the minute blocks and to every sealed coarser block and prefix block holding
   * those minutes (unsealed ones are built from their children when sealed), and builds the
   * prefix blocks a new minute calls for (writePrefixes), in the flush transaction.
   */
  private writeBlocks(delta: RollupDelta, nowMs: number, stats: BlockWriteStats): void {
    const bodies: [number, Uint8Array][] = [];
    for (const [minute, b] of delta.minutes) {
      const body = this.deltaBlock(b);
      if (body) bodies.push([minute, body]);
    }
    if (bodies.length === 0) return;
    bodies.sort((x, y) => x[0] - y[0]);
    for (const res of GRAPH_TIERS) {
      const groups = new Map<number, Uint8Array[]>();
      for (const [minute, body] of bodies) {
        const bucket = Math.floor(minute / res) * res;
        const g = groups.get(bucket);
        if (g) g.push(body);
        else groups.set(bucket, [body]);
      }
      for (const [bucket, adds] of groups) {
        const cur = this.st.blockGet.get(res, bucket) as { body: Buffer } | undefined;
        if (!cur && res > 1) continue;
        this.putMerged(res, bucket, cur?.body, adds, stats);
      }
    }
    this.writePrefixes(bodies, stats);
    for (const [minute] of bodies) this.touched.set(minute, nowMs);
    if (this.touched.size > 10_000) for (const [m, t] of this.touched) if (nowMs - t >= SEAL_QUIET_MS) this.touched.delete(m);
  }

  /** Block (res, bucket) = cur + adds (adds alone without cur), written. */
  private putMerged(res: number, bucket: number, cur: Uint8Array | undefined, adds: Uint8Array[], stats: BlockWriteStats): void {
    let body: Uint8Array;
    if (!cur && adds.length === 1) body = adds[0];
    else {
      const m = mergeBlocks(cur ? [cur, ...adds] : adds, ROLLUP_ACCURACY);
      body = m.body;
      stats.damaged += m.damaged;
    }
    this.st.blockPut.run(res, bucket, body);
    stats.blocksWritten++;
    stats.bytesWritten += body.length;
  }

  /**
   * Prefix and suffix blocks (graph-cover.ts) after a flush wrote its minutes: the delta of a
   * minute such a block holds is added to it, like to any block holding that minute; and a
   * 5-minute bucket not sealed whose newest minute written is bucket + k (k ≥ 2) gets its prefix
   * of k minutes unless it has one as long: from its longest prefix and the minutes after it (one
   * merge per bucket and minute, not per pass).
   */
  private writePrefixes(bodies: [number, Uint8Array][], stats: BlockWriteStats): void {
    for (const tier of GRAPH_TIERS) {
      if (tier === 1) continue;
      const child = childTier(tier);
      const buckets = new Map<number, [number, Uint8Array][]>();
      for (const e of bodies) {
        const b = Math.floor(e[0] / tier) * tier;
        const g = buckets.get(b);
        if (g) g.push(e);
        else buckets.set(b, [e]);
      }
      const [lo, hi] = tierCodes(tier);
      for (const [b, written] of buckets) {
        for (const { res, body } of this.st.partsOf.all(lo, hi, b) as { res: number; body: Buffer }[]) {
          const p = prefixOf(res);
          const sfx = suffixOf(res);
          // A prefix holds minutes before b + k children, a suffix those from b + j children on.
          const holds = p ? (m: number) => m < b + p.k * child : sfx ? (m: number) => m >= b + sfx.j * child : () => false;
          const adds = written.filter(([m]) => holds(m)).map(([, d]) => d);
          if (adds.length > 0) this.putMerged(res, b, body, adds, stats);
        }
        if (tier === MINUTE_PREFIX_TIER) this.extendPrefix(tier, b, written[written.length - 1][0] - b, stats);
      }
    }
  }

  /**
   * The suffix blocks of bucket b of `tier`, just sealed: from each child j (1 ≤ j ≤ children - 2)
   * to the end, each the child merged with the next suffix (one merge per suffix).
   */
  private buildSuffixes(tier: number, b: number, stats: BlockWriteStats): void {
    const child = childTier(tier);
    const n = tier / child;
    for (let j = n - 2; j >= 1; j--) {
      // Each suffix in its own short transaction, read afresh: a late delta committed in between
      // is in the blocks it is made of.
      this.inShortTransaction(() => {
        if (this.st.blockGet.get(tier, b) === undefined) return;
        const own = this.st.blockGet.get(child, b + j * child) as { body: Buffer } | undefined;
        const rest = (j === n - 2 ? this.st.blockGet.get(child, b + (n - 1) * child) : this.st.blockGet.get(suffixRes(tier, j + 1), b)) as { body: Buffer } | undefined;
        const parts = [own?.body, rest?.body].filter((x): x is Buffer => x !== undefined);
        if (parts.length === 0) return;
        this.putMerged(suffixRes(tier, j), b, undefined, parts, stats);
      });
    }
  }

  /** f in a BEGIN IMMEDIATE … COMMIT of its own (rolled back if it throws). */
  private inShortTransaction(f: () => void): void {
    this.runLocked(() => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        f();
        this.db.exec('COMMIT');
      } catch (err) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  /**
   * Gives bucket b of `tier` (not sealed) its prefix of k children unless it has one as long: its
   * longest prefix merged with the children after it, then the shorter ones deleted. For tiers
   * above 5 minutes k is found here: the children from the start that are sealed or hold no
   * minutes (one whose minutes are not sealed yet would be missing).
   */
  private extendPrefix(tier: number, b: number, k: number | undefined, stats: BlockWriteStats): void {
    if (this.st.blockGet.get(tier, b)) return;
    const child = childTier(tier);
    const n = tier / child;
    if (k === undefined) {
      k = 0;
      while (k < n - 1) {
        const x = b + k * child;
        if (!this.st.blockGet.get(child, x) && this.st.blocksIn.get(1, x, x + child) !== undefined) break;
        k++;
      }
    }
    if (k < PREFIX_MIN || k >= n) return;
    let longest = 0;
    let from: Buffer | undefined;
    for (let j = n - 1; j >= PREFIX_MIN && longest === 0; j--) {
      const cur = this.st.blockGet.get(prefixRes(tier, j), b) as { body: Buffer } | undefined;
      if (cur) {
        longest = j;
        from = cur.body;
      }
    }
    if (longest >= k) return;
    const parts: Uint8Array[] = from ? [from] : [];
    for (const r of this.st.blockBodiesIn.all(child, b + longest * child, b + k * child) as { body: Buffer }[]) parts.push(r.body);
    if (parts.length === 0) return;
    this.putMerged(prefixRes(tier, k), b, undefined, parts, stats);
    this.st.partsDelete.run(prefixRes(tier, k - 1), prefixRes(tier, 1), b);
  }

  private quiet(from: number, to: number, nowMs: number): boolean {
    for (const [m, t] of this.touched) if (m >= from && m < to && nowMs - t < SEAL_QUIET_MS) return false;
    return true;
  }

  /**
   * Builds coarse graph blocks from their children once their minutes are over and quiet, finest
   * tier first (so a block's children are sealed before it), each in its own short transaction.
   * Returns the blocks sealed. flush() calls it every SEAL_EVERY_MS; prune() with force before it
   * deletes children.
   */
  sealBlocks(o: SealOptions): number {
    const limit = o.upToMinute ?? Math.floor(o.nowMs / 60_000) - SEAL_LAG_MINUTES;
    let sealed = 0;
    for (let k = 1; k < GRAPH_TIERS.length; k++) {
      const res = GRAPH_TIERS[k];
      const child = GRAPH_TIERS[k - 1];
      for (const { pb } of this.st.unsealed.all({ child, res }) as { pb: number }[]) {
        if (pb + res > limit) break;
        if (!o.force && !this.quiet(pb, pb + res, o.nowMs)) continue;
        let done = false;
        this.inShortTransaction(() => {
          if (this.st.blockGet.get(res, pb)) return;
          const children = (this.st.blockBodiesIn.all(child, pb, pb + res) as { body: Buffer }[]).map((r) => r.body);
          this.st.blockPut.run(res, pb, mergeBlocks(children, ROLLUP_ACCURACY).body);
          // The bucket's prefix blocks are of no more use.
          const [plo, phi] = prefixCodes(res);
          this.st.partsDelete.run(plo, phi, pb);
          done = true;
        });
        if (!done) continue;
        sealed++;
        // Its suffixes, and its parent's prefix grown by it (unless the parent is due to be
        // sealed too; and neither when retention is sealing everything before it): each merge in
        // its own transaction, so the write lock is held for one merge at a time, as for a seal.
        if (o.force) continue;
        this.buildSuffixes(res, pb, this.lastBlockStats);
        const parent = GRAPH_TIERS[k + 1];
        if (parent !== undefined) {
          const pp = Math.floor(pb / parent) * parent;
          if (pp + parent > limit) this.inShortTransaction(() => this.extendPrefix(parent, pp, undefined, this.lastBlockStats));
        }
      }
    }
    return sealed;
  }

  private writeBucket(r: BucketRows): void {
    const st = this.st;
    st.bumpBucket.run(r.res, r.bucket);
    for (const n of r.nodes) st.upsertNode.run(r.res, r.bucket, ...n);
    for (const o of r.ops) st.upsertOp.run(r.res, r.bucket, ...o);
    for (const t of r.tables) st.upsertTable.run(r.res, r.bucket, ...t);
    if (r.quality) st.upsertQuality.run(r.res, r.bucket, ...r.quality);
  }

  private writeInfo(i: NodeInfo): void {
    const sig = JSON.stringify(i);
    if (this.infoWritten.get(i.id) === sig) return;
    this.st.upsertNodeInfo.run(
      i.id, i.kind, i.name, i.dbSystem ?? null, i.address ?? null, i.namespace ?? null,
      i.identityKnown === undefined ? null : i.identityKnown ? 1 : 0, i.messagingSystem ?? null, i.destination ?? null,
    );
    if (this.infoWritten.size > 100_000) this.infoWritten.clear();
    this.infoWritten.set(i.id, sig);
  }

  /**
   * Deletes rollup rows of tier `res` whose bucket starts before `beforeBucket`, at most `limit`
   * per table, each table in its own short transaction so the collector's writer is never held up
   * for long. Returns the rows removed (call again while it returns > 0).
   */
  prune(res: number, beforeBucket: number, limit = 5000): number {
    let n = 0;
    // Graph blocks: tier 1 retention takes the 5- and 15-minute blocks too, the hour tier's the
    // 6-hour and day blocks; a block goes once it lies wholly before the limit. Coarse blocks are
    // sealed first, so the hour tier still answers what the minutes no longer can.
    const blockTiers = res === 1 ? GRAPH_TIERS.filter((t) => t < 60) : res === 60 ? GRAPH_TIERS.filter((t) => t >= 60) : [];
    if (res === 1) this.sealBlocks({ nowMs: 0, upToMinute: beforeBucket, force: true });
    for (const t of blockTiers) {
      let st = this.pruneStatements.get('graph_blocks');
      if (!st) {
        st = this.db.prepare('DELETE FROM graph_blocks WHERE rowid IN (SELECT rowid FROM graph_blocks WHERE res = ? AND bucket <= ? LIMIT ?)');
        this.pruneStatements.set('graph_blocks', st);
      }
      const del = st;
      n += this.runLocked(() => del.run(t, beforeBucket - t, limit).changes);
    }
    // Prefix and suffix blocks go with their tier: once their bucket lies wholly before the limit.
    for (const t of blockTiers) if (t > 1) n += this.runLocked(() => this.st.partsBefore.run(...tierCodes(t), beforeBucket - t, limit).changes);
    for (const table of ROLLUP_TABLES) {
      let st = this.pruneStatements.get(table);
      if (!st) {
        st = this.db.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE res = ? AND bucket < ? LIMIT ?)`);
        this.pruneStatements.set(table, st);
      }
      const del = st;
      n += this.runLocked(() => del.run(res, beforeBucket, limit).changes);
    }
    return n;
  }

  close(): void {
    this.pendingFile?.close();
    if (this.db.open) this.db.close();
  }
}

/** A stored pending row as the pending set takes it. */
function toPendingClient(r: PendingRow): PendingClient {
  const p: PendingClient = {
    traceKey: Number(r[0]),
    spanId: r[1].toString('hex'),
    traceId: r[2],
    dueMs: Number(r[3]),
    minute: Number(r[4]),
    source: r[5],
    target: r[6],
    targetName: r[7],
    durationMs: Number(r[9]),
    error: Number(r[10]) === 1,
  };
  if (r[8] !== null) p.peerService = r[8];
  return p;
}

/** One bucket's rows of the per-row rollup tables, as the upserts bind them after (res, bucket). */
interface BucketRows {
  res: number;
  bucket: number;
  nodes: [id: string, kind: string, calls: number, errors: number, latency: Uint8Array, selfMs: number, looseMs: number][];
  ops: [service: string, operation: string, calls: number, errors: number, latency: Uint8Array, selfMs: number][];
  tables: [nodeId: string, table: string, service: string, reads: number, writes: number][];
  quality?: [spans: number, unpairedClients: number, latePairs: number, unpairedProducers: number, orphanServers: number];
}

function bucketRows(res: number, bucket: number, b: BucketDelta): BucketRows {
  const q = b.quality;
  return {
    res,
    bucket,
    nodes: [...b.nodes.values()].map((n) => [n.id, n.kind, n.calls, n.errors, encodeSketch(n.lat), n.selfMs, n.looseMs]),
    ops: [...b.ops.values()].map((o) => [o.service, o.operation, o.calls, o.errors, encodeSketch(o.lat), o.selfMs]),
    tables: [...b.tables.values()].map((t) => [t.nodeId, t.table, t.service, t.reads, t.writes]),
    quality: q.spans || q.unpairedClients || q.latePairs || q.unpairedProducers || q.orphanServers ? [q.spans, q.unpairedClients, q.latePairs, q.unpairedProducers, q.orphanServers] : undefined,
  };
}

/**
 * RollupDelta.coarsen without the edges: the per-row tables no longer hold edges (the graph blocks
 * do), and merging 10,000 edge sketches per pass only to drop them was most of a flush. A bucket
 * with one minute of the delta is that minute's cells as they are.
 */
function coarsenWithoutEdges(delta: RollupDelta, width: number): Map<number, BucketDelta> {
  const groups = new Map<number, BucketDelta[]>();
  for (const [m, b] of delta.minutes) {
    const start = Math.floor(m / width) * width;
    const g = groups.get(start);
    if (g) g.push(b);
    else groups.set(start, [b]);
  }
  const out = new Map<number, BucketDelta>();
  for (const [start, list] of groups) {
    if (list.length === 1) {
      out.set(start, list[0]);
      continue;
    }
    const t = new BucketDeltaClass();
    for (const b of list) b.mergeInto(t, false);
    out.set(start, t);
  }
  return out;
}

const ROLLUP_TABLES = ['edge_rollups', 'node_rollups', 'operation_rollups', 'table_rollups', 'quality_rollups', 'rollup_buckets'] as const;

/**
 * A feed row (raw mode): seq, trace_key, trace id hex (chunk only), span id hex, kind, parent id
 * hex, start ms, start sub-ms ns, duration ns, operation id, resource id, scope id, status, payload.
 */
type FeedRow = [number, number, string | null, string, number, string | null, number, number, number, number, number, number, number, Buffer | null];

/** fl_sketch_merge(a, b) for the node and operation upserts (a SQLite user function). */
export function registerMergeFunctions(db: Database.Database): void {
  db.function('fl_sketch_merge', { deterministic: true }, (a: unknown, b: unknown) => {
    const r = mergeSketchBytes(a as Uint8Array | null, b as Uint8Array | null);
    return r.bytes ? Buffer.from(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength) : null;
  });
}
