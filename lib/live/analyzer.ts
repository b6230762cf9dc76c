// The live analyzer: tails the spans table in commit order and keeps the per-minute rollups the
// graph and RED queries read. One pass = read a chunk after the cursor, fold it (fold.ts), promote
// clients whose grace ran out, commit rollups + pending + cursor together. Several collectors may
// share a database: a lease row lets exactly one of them analyze; the others stand by and take over
// when its lease runs out.
import { randomUUID } from 'node:crypto';
import type { Span } from '../model/index.ts';
import { LiveDb, type FeedSpan } from '../store/rollups/live-db.ts';
import { FeedQueue, fedSpans, type FedGroup } from './feed.ts';
import { WriteLock } from '../store/write-lock.ts';
import { RollupDelta } from './delta.ts';
import { foldChunk, OperationNames, promoteDue, type ChunkTrace } from './fold.ts';
import { PendingSet } from './pending.ts';

export interface LiveAnalyzerOptions {
  /** Store URL (default FAULTLINE_DB or ./data/faultline.db). */
  dbUrl?: string;
  migrationsDir?: string;
  /** How long a CLIENT span waits for its SERVER half (default 30 s). */
  graceMs?: number;
  /** Lease length; renewed on every pass (default 15 s). */
  leaseMs?: number;
  /**
   * Spans read per pass (default 5,000). A pass's spans, decoded, outlive the young generation
   * and are promoted before they die: in bench:ingest the analyzer's heap took 105–141 MB of
   * memory at 20,000 against 83–88 MB at 5,000, for about 8% more CPU per span (a flush per pass).
   */
  chunkSpans?: number;
  /** Pending clients kept at most (default 200,000); the oldest beyond are promoted early and counted. */
  maxPending?: number;
  /** Identity in the lease row (default a random id). */
  owner?: string;
  /**
   * Minute rollups older than this are deleted (default 7 days, like spans; 0 keeps them). Hour
   * rollups are kept 30 days or this long, whichever is longer: the long view outlives the spans.
   */
  retentionMs?: number;
  /**
   * The collector's WriteLock buffer: the analyzer's write transactions (lease, rollup flush,
   * prune) queue with the writers' instead of meeting them in SQLite's busy handler.
   */
  writeLock?: SharedArrayBuffer;
  /** Wraps every write transaction (the collector returns a background thread to normal priority for it). */
  foreground?: <T>(f: () => T) => T;
  /** Called before each chunk: the collector's thread takes the fed groups that arrived meanwhile. */
  drain?: () => void;
  /**
   * Spans folded into one flush at most (default 25,000; the collector's analyzer passes every
   * 500 ms, so up to 50k spans/s this is one flush per pass). Larger flushes hold the writers'
   * lock longer, and a pass's decoded spans and pending changes live until its flush.
   */
  flushSpans?: number;
  /** Fed spans kept waiting at most (default 32,768, about 5 MB); more are read from storage. */
  feedMaxSpans?: number;
  /**
   * WAL pages past which a flush's commit also checkpoints (SQLite's default 1000). Where
   * another thread checkpoints (the collector's maintenance thread), set it high: a
   * checkpoint here would run while the flush still holds the writers' lock.
   */
  walAutoCheckpointPages?: number;
}

export interface PassResult {
  /** False when another analyzer holds the lease (this one stands by). */
  leader: boolean;
  spans: number;
  traces: number;
  /** Traces that needed their earlier spans from storage. */
  lookups: number;
  promoted: number;
  cursorSeq: number;
  /** Stored spans after the cursor when the pass ended. */
  behind: number;
  pending: number;
  /**
   * Longest write transaction of the pass, ms (the flush, a seal or prefix/suffix merge, a prune
   * statement): how long it held the write lock, so how long a writer may have waited for it.
   */
  flushMs: number;
  /** Of `spans`, those the writers handed over (lib/live/feed.ts) instead of read from storage. */
  fed: number;
  /** Fed spans refused so far because the feed queue was full (read from storage instead). */
  feedDropped: number;
}

export const DEFAULT_GRACE_MS = 30_000;
const PRUNE_EVERY_MS = 60_000;
const HOUR_TIER_KEEP_MS = 30 * 24 * 3_600_000;
/** Traces longer than this are read back from storage rather than kept between chunks. */
const RECENT_TRACE_SPANS = 1_000;

export class LiveAnalyzer {
  readonly owner: string;
  private readonly db: LiveDb;
  private readonly pendingSet: PendingSet;
  private readonly ops = new OperationNames();
  private readonly graceMs: number;
  private readonly leaseMs: number;
  private readonly chunkSpans: number;
  private readonly flushSpans: number;
  private readonly retentionMs: number;
  private lastPruneMs = 0;
  private loaded = false;
  private cursor = 0;
  /** Flushes committed as of the cursor (live_state.flushes). */
  private flushes = 0;
  private maxTraceKey = 0;
  private readonly lock: WriteLock | undefined;
  private readonly foreground: (<T>(f: () => T) => T) | undefined;
  /**
   * Every span up to the cursor of each trace the last chunk touched. Services export parts of a
   * trace in separate requests, so a trace's spans straddle chunks; the next chunk finds the
   * earlier ones here instead of reading them back (in bench:ingest's workload that read was
   * ~10% of the analyzer's CPU). Valid only while the cursor moves chunk by chunk.
   */
  private recent = new Map<number, Span[]>();
  private readonly fedQueue: FeedQueue;
  private readonly drain: (() => void) | undefined;

  constructor(opts: LiveAnalyzerOptions = {}) {
    this.owner = opts.owner ?? `live-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
    this.leaseMs = opts.leaseMs ?? 15_000;
    this.chunkSpans = opts.chunkSpans ?? 5_000;
    this.flushSpans = opts.flushSpans ?? 25_000;
    this.pendingSet = new PendingSet(opts.maxPending ?? 200_000);
    this.retentionMs = opts.retentionMs ?? 7 * 24 * 3_600_000;
    this.db = new LiveDb(opts.dbUrl, opts.migrationsDir, { walAutoCheckpointPages: opts.walAutoCheckpointPages });
    this.db.runLocked = (f) => this.write(f);
    this.lock = opts.writeLock ? new WriteLock(opts.writeLock) : undefined;
    this.foreground = opts.foreground;
    this.fedQueue = new FeedQueue(opts.feedMaxSpans);
    this.drain = opts.drain;
  }

  /** A committed write's spans, from the writers (used when the cursor reaches them). */
  feed(group: FedGroup): void {
    this.fedQueue.offer(group, this.cursor);
  }

  /** The last committed seq a chunk saw, and whether the last pass found another analyzer leading. */
  private seenHi = 0;
  private standingBy = false;

  /**
   * Whether a group committed now would be used: this analyzer leads and its cursor is within
   * the feed queue's reach of the last committed seq it saw (FeedQueue.offer refuses groups
   * further ahead). The collector's writers pack no groups while it is not (collector/feed-gate.ts).
   */
  get feedWanted(): boolean {
    return !this.standingBy && this.seenHi - this.cursor <= this.fedQueue.maxSpans;
  }

  /** Longest time this pass held the write lock (or ran a write transaction), ms. */
  private lockedMs = 0;

  private write<T>(f: () => T): T {
    const timed = () => {
      const t0 = performance.now();
      try {
        return f();
      } finally {
        this.lockedMs = Math.max(this.lockedMs, performance.now() - t0);
      }
    };
    const locked = this.lock ? () => this.lock!.with(timed) : timed;
    return this.foreground ? this.foreground(locked) : locked();
  }

  /** One chunk, folded and flushed. `nowMs` is the clock (tests pass their own). */
  pass(nowMs: number): PassResult {
    return this.catchUp(() => nowMs, 0, 1);
  }

  /**
   * Chunks until caught up, `budgetMs` of wall time is spent, `maxChunks` are read or
   * `flushSpans` are folded, into one delta flushed once. A flush costs about the same for one
   * chunk as for twenty (the same edges and minutes, pending clients added and paired in between
   * never written) and holds the writers' lock while it runs, so one per call instead of one per
   * chunk. Nothing is committed before the flush: a crash or a lost lease replays the chunks from
   * the stored cursor.
   */
  catchUp(nowMs: () => number, budgetMs = 900, maxChunks = Infinity): PassResult {
    const start = nowMs();
    this.lockedMs = 0;
    const total: PassResult = { leader: false, spans: 0, traces: 0, lookups: 0, promoted: 0, cursorSeq: this.cursor, behind: 0, pending: 0, flushMs: 0, fed: 0, feedDropped: this.fedQueue.dropped };
    this.drain?.();
    this.standingBy = !this.lead(start);
    if (this.standingBy) {
      // Standing by: the leader reads these from storage.
      this.fedQueue.clear();
      this.loaded = false;
      return { ...total, feedDropped: this.fedQueue.dropped };
    }
    const delta = new RollupDelta();
    const fromSeq = this.cursor;
    const fromTraceKey = this.maxTraceKey;
    let overflowCount = 0;
    let now = start;
    for (let chunks = 0; ; ) {
      if (chunks > 0) this.drain?.();
      const { hi, chunk, lastSeq, fed, traces, lookups, maxTraceKey } = this.db.reading(() => {
        const hi = this.db.maxSeq();
        const r = this.read(hi);
        return { hi, ...r, ...this.group(r.chunk) };
      });
      total.fed += fed;
      this.seenHi = hi;
      foldChunk(traces, delta, this.pendingSet, this.ops, { nowMs: now, graceMs: this.graceMs });
      const { promoted, overflow } = promoteDue(this.pendingSet, delta, now);
      overflowCount += overflow;
      // Read, not yet committed: group() and the next chunk continue from here.
      this.cursor = lastSeq;
      this.maxTraceKey = maxTraceKey;
      total.spans += chunk.length;
      total.traces += traces.length;
      total.lookups += lookups;
      total.promoted += promoted;
      total.behind = Math.max(0, hi - lastSeq);
      chunks++;
      if (total.behind === 0 || chunks >= maxChunks || total.spans >= this.flushSpans) break;
      now = nowMs();
      if (now - start >= budgetMs) break;
    }
    const changes = this.pendingSet.takeChanges();
    let ok: boolean;
    try {
      ok = this.db.flush({
        owner: this.owner,
        fromSeq,
        flushes: this.flushes,
        toSeq: this.cursor,
        maxTraceKey: this.maxTraceKey,
        nowMs: now,
        leaseMs: this.leaseMs,
        delta,
        tiers: [1, 60],
        pendingAdded: changes.added,
        pendingRemoved: changes.removed,
        pendingDropped: overflowCount,
        pendingClients: this.pendingSet.size,
      });
    } catch (err) {
      this.forget(fromSeq, fromTraceKey);
      throw err;
    }
    if (ok) this.flushes++;
    else {
      this.forget(fromSeq, fromTraceKey);
      return { ...total, leader: false, spans: 0, traces: 0, lookups: 0, promoted: 0, cursorSeq: fromSeq, behind: 0, pending: 0 };
    }
    if (this.retentionMs > 0 && now - this.lastPruneMs >= PRUNE_EVERY_MS) {
      this.lastPruneMs = now;
      this.prune(now);
    }
    return { ...total, leader: true, cursorSeq: this.cursor, pending: this.pendingSet.size, feedDropped: this.fedQueue.dropped, flushMs: this.lockedMs };
  }

  /**
   * The next chunk after the cursor: fed groups when one starts at the cursor, else storage up to
   * where the next fed group starts. Rows read from storage stop at `chunkSpans`; fewer means
   * every seq up to the bound was seen (a seq a duplicate used up has no row).
   */
  private read(hi: number): { chunk: FeedSpan[]; lastSeq: number; fed: number } {
    const groups = this.fedQueue.take(this.cursor, this.chunkSpans);
    if (groups.length > 0) {
      const dict = this.db.dictionary;
      const chunk = groups.length === 1 ? fedSpans(groups[0], dict) : groups.flatMap((g) => fedSpans(g, dict));
      return { chunk, lastSeq: groups[groups.length - 1].upTo, fed: chunk.length };
    }
    const next = this.fedQueue.nextStart(this.cursor);
    const bound = next === undefined ? hi : Math.min(hi, next);
    const r = this.db.chunk(this.cursor, bound, this.chunkSpans);
    return { chunk: r.spans, lastSeq: r.rows < this.chunkSpans ? Math.max(r.lastSeq, bound) : r.lastSeq, fed: 0 };
  }

  /** Whether this analyzer holds the lease (claiming it when due); loads the stored state when needed. */
  private lead(nowMs: number): boolean {
    // Holding a lease with time to spare: no write transaction needed to renew it (the flush
    // renews it); otherwise claim it, which also tells whether another analyzer has it.
    const cur = this.loaded ? this.db.state() : undefined;
    const st = cur && cur.leaseOwner === this.owner && cur.leaseUntilMs - nowMs > this.leaseMs / 2 ? cur : this.write(() => this.db.claim(this.owner, nowMs, this.leaseMs));
    if (!st) return false;
    if (!this.loaded || st.cursorSeq !== this.cursor || st.flushes !== this.flushes) {
      // First pass, a takeover, or another analyzer flushed meanwhile: the database is the truth.
      this.pendingSet.load(this.db.loadPending(this.owner, st));
      this.recent.clear();
      this.cursor = st.cursorSeq;
      this.flushes = st.flushes;
      this.maxTraceKey = st.maxTraceKey;
      this.loaded = true;
    }
    return true;
  }

  /** After a failed flush: the read position goes back to what is committed, state reloads next time. */
  private forget(cursor: number, maxTraceKey: number): void {
    this.cursor = cursor;
    this.maxTraceKey = maxTraceKey;
    this.loaded = false;
    this.recent.clear();
  }

  /** Deletes expired rollup rows, a bounded amount per call (the rest goes next time). */
  prune(nowMs: number): number {
    const minute = Math.floor((nowMs - this.retentionMs) / 60_000);
    const hour = Math.floor((nowMs - Math.max(this.retentionMs, HOUR_TIER_KEEP_MS)) / 60_000);
    return this.db.prune(1, minute) + this.db.prune(60, hour);
  }

  private group(chunk: FeedSpan[]): { traces: ChunkTrace[]; lookups: number; maxTraceKey: number } {
    const byKey = new Map<number, ChunkTrace>();
    let maxTraceKey = this.maxTraceKey;
    for (const f of chunk) {
      let t = byKey.get(f.traceKey);
      if (!t) byKey.set(f.traceKey, (t = { traceKey: f.traceKey, traceId: f.traceId, older: [], fresh: [] }));
      t.fresh.push(f.span);
      if (f.traceKey > maxTraceKey) maxTraceKey = f.traceKey;
    }
    let lookups = 0;
    const recent = new Map<number, Span[]>();
    for (const t of byKey.values()) {
      // Trace keys are handed out in arrival order: a key above every key seen up to the cursor
      // belongs to a trace whose first span is in this chunk, so there is nothing older to read.
      if (t.traceKey <= this.maxTraceKey) {
        const known = this.recent.get(t.traceKey);
        if (known) t.older = known;
        else {
          t.older = this.db.older(t.traceKey, t.traceId, this.cursor);
          lookups++;
        }
      }
      const all = t.older.length > 0 ? [...t.older, ...t.fresh] : t.fresh;
      if (all.length <= RECENT_TRACE_SPANS) recent.set(t.traceKey, all);
    }
    this.recent = recent;
    return { traces: [...byKey.values()], lookups, maxTraceKey };
  }

  /** Gives the lease up (a standby takes over at once) and closes the connection. */
  close(): void {
    try {
      if (this.loaded) this.write(() => this.db.release(this.owner));
    } finally {
      this.db.close();
    }
  }
}
