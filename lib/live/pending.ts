// CLIENT spans waiting for their SERVER half. Kept in memory for the fold and mirrored to the
// live_pending table in the same transaction as the rollups, so a restart neither loses a
// waiting client nor counts one twice. Bounded: past `max` the oldest are promoted early and
// counted (LiveState.pendingDropped).

export interface PendingClient {
  /** `<traceKey>:<spanId>`: the stored identity of the client span. */
  key: string;
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

export const pendingKey = (traceKey: number, spanId: string): string => `${traceKey}:${spanId}`;

export class PendingSet {
  private readonly items = new Map<string, PendingClient>();
  /** Keys added / removed since the last `takeChanges()`. */
  private added = new Map<string, PendingClient>();
  private removed = new Set<string>();

  constructor(readonly max = 200_000) {}

  get size(): number {
    return this.items.size;
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  add(p: PendingClient): void {
    this.items.set(p.key, p);
    this.added.set(p.key, p);
    this.removed.delete(p.key);
  }

  take(key: string): PendingClient | undefined {
    const p = this.items.get(key);
    if (!p) return undefined;
    this.items.delete(key);
    if (!this.added.delete(key)) this.removed.add(key);
    return p;
  }

  /** Items due at `nowMs`, plus the oldest beyond the bound; removed from the set. */
  takeDue(nowMs: number): { due: PendingClient[]; overflow: PendingClient[] } {
    const due: PendingClient[] = [];
    // Due times are insertion time + a fixed grace, so insertion order is due order.
    for (const p of this.items.values()) {
      if (p.dueMs > nowMs) break;
      due.push(p);
    }
    for (const p of due) this.take(p.key);
    const overflow: PendingClient[] = [];
    if (this.items.size > this.max) {
      // Map order is insertion order, i.e. oldest first.
      for (const p of this.items.values()) {
        if (this.items.size - overflow.length <= this.max) break;
        overflow.push(p);
      }
      for (const p of overflow) this.take(p.key);
    }
    return { due, overflow };
  }

  /** Loads persisted items (at start, or after taking over the lease) without marking them changed. */
  load(items: Iterable<PendingClient>): void {
    this.items.clear();
    this.added.clear();
    this.removed.clear();
    for (const p of [...items].sort((a, b) => a.dueMs - b.dueMs)) this.items.set(p.key, p);
  }

  takeChanges(): { added: PendingClient[]; removed: string[] } {
    const out = { added: [...this.added.values()], removed: [...this.removed] };
    this.added = new Map();
    this.removed = new Set();
    return out;
  }

  /** Undo bookkeeping after a failed flush: the caller reloads from the database. */
  clearChanges(): void {
    this.added = new Map();
    this.removed = new Set();
  }
}
