// CLIENT spans waiting for their SERVER half. Kept in memory for the fold and mirrored to the
// live_pending table in the same transaction as the rollups, so a restart neither loses a
// waiting client nor counts one twice. Bounded: past `max` the oldest are promoted early and
// counted (LiveState.pendingDropped).
//
// Stored in columns, not as objects: the set is the analyzer's largest long-lived state (64,000
// clients while it caught up after bench:ingest's max load, up to `max` = 200,000), and an
// object per client with its own strings (key, ids, peer names) took ~300–400 B of V8 heap that
// every full collection had to trace. Here a client is a slot of 77 B in typed arrays (at most
// twice as many slots as clients) plus a map entry per trace, names are interned, and objects
// are made only for what leaves the set: 64,000 clients took 6.1 MB against 26.3 MB as objects.

export interface PendingClient {
  traceKey: number;
  spanId: string;
  traceId: string;
  /** Epoch ms after which, still unpaired, it becomes an edge to an external node. */
  dueMs: number;
  /** Start minute of the client span (the bucket its call lands in). */
  minute: number;
  source: string;
  /** External node id and label (lib/analysis externalId / peerName). */
  target: string;
  targetName: string;
  peerService?: string;
  durationMs: number;
  error: boolean;
}

/** The stored identity of a client span (the live_pending primary key). */
export interface PendingRef {
  traceKey: number;
  spanId: string;
}

const LIVE = 1;
const ERROR = 2;
/** Added since the last takeChanges(). */
const ADDED = 4;
const NO_PEER = -1;
const NONE = -1;
/** Bytes of a span id and a trace id (16 and 32 hex characters). */
const SPAN_BYTES = 8;
const TRACE_BYTES = 16;
const ID_BYTES = SPAN_BYTES + TRACE_BYTES;
const HEX16 = /^[0-9a-f]{16}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const MIN_CAPACITY = 1024;

export class PendingSet {
  /** Slots [start, end) in insertion order, which is due order; a slot is a client while LIVE. */
  private start = 0;
  private end = 0;
  private live = 0;
  private capacity = 0;
  private traceKeys = new Float64Array(0);
  private due = new Float64Array(0);
  private duration = new Float64Array(0);
  private minutes = new Float64Array(0);
  private flags = new Uint8Array(0);
  /** source, target, targetName, peerService (NO_PEER) as ids into `names`. */
  private nameIds = new Int32Array(0);
  /** Span id then trace id, as bytes. */
  private ids = Buffer.alloc(0);
  /** The next older live slot of the same trace (NONE): a trace's waiting clients in a chain. */
  private older = new Int32Array(0);
  /** traceKey → its newest live slot. */
  private readonly byTrace = new Map<number, number>();
  private names: string[] = [];
  private nameIndex = new Map<string, number>();
  /** Ids that are not canonical hex (never from this collector's storage), by slot. */
  private odd = new Map<number, { spanId: string; traceId: string }>();
  /** Taken since the last takeChanges() and present before it, by `traceKey:spanId`. */
  private removed = new Map<string, PendingRef>();

  constructor(readonly max = 200_000) {}

  get size(): number {
    return this.live;
  }

  has(traceKey: number, spanId: string): boolean {
    return this.find(traceKey, spanId) !== NONE;
  }

  add(p: PendingClient): void {
    const existing = this.find(p.traceKey, p.spanId);
    if (existing !== NONE) this.unlink(existing);
    this.removed.delete(refKey(p.traceKey, p.spanId));
    this.append(p, ADDED);
  }

  take(traceKey: number, spanId: string): PendingClient | undefined {
    const slot = this.find(traceKey, spanId);
    if (slot === NONE) return undefined;
    return this.takeSlot(slot);
  }

  /** Items due at `nowMs`, plus the oldest beyond the bound; removed from the set. */
  takeDue(nowMs: number): { due: PendingClient[]; overflow: PendingClient[] } {
    const due: PendingClient[] = [];
    // Due times are insertion time + a fixed grace, so insertion order is due order.
    for (let s = this.start; s < this.end; s++) {
      if (!(this.flags[s] & LIVE)) continue;
      if (this.due[s] > nowMs) break;
      due.push(this.takeSlot(s));
    }
    const overflow: PendingClient[] = [];
    for (let s = this.start; this.live > this.max && s < this.end; s++) if (this.flags[s] & LIVE) overflow.push(this.takeSlot(s));
    this.skipHoles();
    return { due, overflow };
  }

  /** Loads persisted items (at start, or after taking over the lease) without marking them changed. */
  load(items: Iterable<PendingClient>): void {
    this.removed.clear();
    const sorted = [...items].sort((a, b) => a.dueMs - b.dueMs);
    this.reset(Math.max(MIN_CAPACITY, sorted.length));
    for (const p of sorted) this.append(p, 0);
  }

  /** What changed since the last call: clients added and still waiting, and clients taken that were there before. */
  takeChanges(): { added: PendingClient[]; removed: PendingRef[] } {
    const added: PendingClient[] = [];
    for (let s = this.start; s < this.end; s++) {
      if ((this.flags[s] & (LIVE | ADDED)) === (LIVE | ADDED)) added.push(this.client(s));
      this.flags[s] &= ~ADDED;
    }
    const removed = [...this.removed.values()];
    this.removed = new Map();
    return { added, removed };
  }

  private find(traceKey: number, spanId: string): number {
    for (let s = this.byTrace.get(traceKey) ?? NONE; s !== NONE; s = this.older[s]) if (this.spanIdOf(s) === spanId) return s;
    return NONE;
  }

  private takeSlot(slot: number): PendingClient {
    const p = this.client(slot);
    if (!(this.flags[slot] & ADDED)) this.removed.set(refKey(p.traceKey, p.spanId), { traceKey: p.traceKey, spanId: p.spanId });
    this.unlink(slot);
    return p;
  }

  /** Frees a slot: out of its trace's chain, not LIVE. */
  private unlink(slot: number): void {
    const key = this.traceKeys[slot];
    const head = this.byTrace.get(key)!;
    if (head === slot) {
      if (this.older[slot] === NONE) this.byTrace.delete(key);
      else this.byTrace.set(key, this.older[slot]);
    } else {
      let s = head;
      while (this.older[s] !== slot) s = this.older[s];
      this.older[s] = this.older[slot];
    }
    this.flags[slot] = 0;
    this.odd.delete(slot);
    this.live--;
    if (slot === this.start) this.skipHoles();
  }

  private skipHoles(): void {
    while (this.start < this.end && !(this.flags[this.start] & LIVE)) this.start++;
    if (this.start === this.end) this.start = this.end = 0;
  }

  private append(p: PendingClient, flags: number): void {
    if (this.end === this.capacity) this.compact();
    const s = this.end++;
    this.traceKeys[s] = p.traceKey;
    this.due[s] = p.dueMs;
    this.duration[s] = p.durationMs;
    this.minutes[s] = p.minute;
    this.flags[s] = LIVE | flags | (p.error ? ERROR : 0);
    this.nameIds[4 * s] = this.nameId(p.source);
    this.nameIds[4 * s + 1] = this.nameId(p.target);
    this.nameIds[4 * s + 2] = this.nameId(p.targetName);
    this.nameIds[4 * s + 3] = p.peerService === undefined ? NO_PEER : this.nameId(p.peerService);
    if (HEX16.test(p.spanId) && HEX32.test(p.traceId)) {
      this.ids.write(p.spanId, ID_BYTES * s, SPAN_BYTES, 'hex');
      this.ids.write(p.traceId, ID_BYTES * s + SPAN_BYTES, TRACE_BYTES, 'hex');
    } else this.odd.set(s, { spanId: p.spanId, traceId: p.traceId });
    this.link(s);
  }

  /** A filled slot becomes a client: the newest of its trace's chain. */
  private link(s: number): void {
    const key = this.traceKeys[s];
    this.older[s] = this.byTrace.get(key) ?? NONE;
    this.byTrace.set(key, s);
    this.live++;
  }

  private client(s: number): PendingClient {
    const odd = this.odd.get(s);
    const p: PendingClient = {
      traceKey: this.traceKeys[s],
      spanId: odd ? odd.spanId : this.spanIdOf(s),
      traceId: odd ? odd.traceId : this.ids.toString('hex', ID_BYTES * s + SPAN_BYTES, ID_BYTES * (s + 1)),
      dueMs: this.due[s],
      minute: this.minutes[s],
      source: this.names[this.nameIds[4 * s]],
      target: this.names[this.nameIds[4 * s + 1]],
      targetName: this.names[this.nameIds[4 * s + 2]],
      durationMs: this.duration[s],
      error: (this.flags[s] & ERROR) !== 0,
    };
    const peer = this.nameIds[4 * s + 3];
    if (peer !== NO_PEER) p.peerService = this.names[peer];
    return p;
  }

  private spanIdOf(s: number): string {
    const odd = this.odd.get(s);
    return odd ? odd.spanId : this.ids.toString('hex', ID_BYTES * s, ID_BYTES * s + SPAN_BYTES);
  }

  private nameId(name: string): number {
    let id = this.nameIndex.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, id);
    }
    return id;
  }

  /**
   * Room for one more at the end: the live slots moved to the front in order (holes left by
   * paired clients dropped, names no longer used forgotten), in columns sized to twice the
   * live count, so memory follows what waits, not what passed through.
   */
  private compact(): void {
    const old = {
      traceKeys: this.traceKeys, due: this.due, duration: this.duration, minutes: this.minutes, flags: this.flags,
      nameIds: this.nameIds, ids: this.ids, odd: this.odd, names: this.names,
    };
    const from = this.start;
    const to = this.end;
    this.reset(Math.max(MIN_CAPACITY, 2 * (this.live + 1)));
    for (let s = from; s < to; s++) {
      if (!(old.flags[s] & LIVE)) continue;
      const d = this.end++;
      this.traceKeys[d] = old.traceKeys[s];
      this.due[d] = old.due[s];
      this.duration[d] = old.duration[s];
      this.minutes[d] = old.minutes[s];
      this.flags[d] = old.flags[s];
      for (let k = 0; k < 4; k++) {
        const id = old.nameIds[4 * s + k];
        this.nameIds[4 * d + k] = id === NO_PEER ? NO_PEER : this.nameId(old.names[id]);
      }
      old.ids.copy(this.ids, ID_BYTES * d, ID_BYTES * s, ID_BYTES * (s + 1));
      const odd = old.odd.get(s);
      if (odd) this.odd.set(d, odd);
      this.link(d);
    }
  }

  /** Empty, in new columns of `capacity` slots (names and chains start over). */
  private reset(capacity: number): void {
    this.byTrace.clear();
    this.odd = new Map();
    this.names = [];
    this.nameIndex = new Map();
    this.start = this.end = this.live = 0;
    this.capacity = capacity;
    this.traceKeys = new Float64Array(capacity);
    this.due = new Float64Array(capacity);
    this.duration = new Float64Array(capacity);
    this.minutes = new Float64Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.nameIds = new Int32Array(4 * capacity);
    this.ids = Buffer.alloc(ID_BYTES * capacity);
    this.older = new Int32Array(capacity);
  }
}

const refKey = (traceKey: number, spanId: string): string => `${traceKey}:${spanId}`;
