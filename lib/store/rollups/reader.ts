// Read side of the rollups, on its own read-only connection (the API process never writes).
// Rows come back raw (sketch bytes undecoded): lib/query decides what to merge.
import Database from 'better-sqlite3';
import { PRAGMAS } from '../sql/sqlite.ts';
import { sqlitePathOf } from './live-db.ts';
import { LIVE_SQL } from './sql.ts';

/** A bucket range of one tier: res minutes per bucket, buckets [from, to) in epoch minutes. */
export interface BucketRange {
  res: number;
  from: number;
  to: number;
}

export interface EdgeRow {
  /** `<source>-><target>|<kind>` (computed once when the row is read). */
  id: string;
  source: string;
  target: string;
  kind: string;
  calls: number;
  errors: number;
  paired: number;
  unpaired: number;
  latency: Buffer;
  server_latency: Buffer | null;
  peer_service: string | null;
  trace_ids: string;
}

export interface NodeRow {
  bucket: number;
  node_id: string;
  kind: string;
  calls: number;
  errors: number;
  latency: Buffer;
  self_ms: number;
  loose_ms: number;
}

export interface OpRow {
  service: string;
  operation: string;
  calls: number;
  errors: number;
  latency: Buffer;
  self_ms: number;
}

export interface TableRow {
  node_id: string;
  table_name: string;
  service: string;
  reads: number;
  writes: number;
}

export interface QualityRow {
  spans: number;
  unpairedClients: number;
  latePairs: number;
  unpairedProducers: number;
  orphanServers: number;
}

export interface NodeInfoRow {
  id: string;
  kind: string;
  name: string;
  db_system: string | null;
  address: string | null;
  namespace: string | null;
  identity_known: number | null;
  messaging_system: string | null;
  destination: string | null;
}

export interface FeedStatus {
  analyzedAtMs: number;
  cursorSeq: number;
  maxSeq: number;
  pending: number;
}

const READ_PRAGMAS = PRAGMAS.filter((p) => !p.includes('journal_mode') && !p.includes('synchronous'));

export class RollupReader {
  private readonly db: Database.Database;
  private readonly st = new Map<string, Database.Statement>();
  private readonly edgeCache = new Map<string, { version: number; rows: EdgeRow[] }>();
  private cachedRows = 0;

  /** The database must exist and be migrated (open the Store first, it applies migrations). */
  constructor(
    url?: string,
    private readonly maxCachedRows = 400_000,
  ) {
    this.db = new Database(sqlitePathOf(url), { readonly: true, fileMustExist: true });
    for (const p of READ_PRAGMAS) this.db.exec(p);
  }

  private stmt(sql: string): Database.Statement {
    let s = this.st.get(sql);
    if (!s) this.st.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  private all<T>(sql: string, ranges: readonly BucketRange[], ...extra: unknown[]): T[] {
    const s = this.stmt(sql);
    const out: T[] = [];
    for (const r of ranges) {
      if (r.to <= r.from) continue;
      for (const row of s.iterate(r.res, r.from, r.to, ...extra)) out.push(row as T);
    }
    return out;
  }

  /**
   * Edge rows of the ranges, bucket by bucket, from a cache of decoded buckets: a bucket is
   * re-read only when its version (rollup_buckets, bumped by every analyzer write) moved, so a
   * window query over old minutes costs memory reads, not SQLite rows. Bounded by `maxCachedRows`.
   */
  edges(ranges: readonly BucketRange[]): EdgeRow[][] {
    const out: EdgeRow[][] = [];
    const versions = this.stmt(LIVE_SQL.bucketVersions);
    const read = this.stmt(LIVE_SQL.edgesIn);
    for (const r of ranges) {
      if (r.to <= r.from) continue;
      for (const v of versions.iterate(r.res, r.from, r.to) as IterableIterator<{ bucket: number; version: number }>) {
        const key = `${r.res}:${v.bucket}`;
        const hit = this.edgeCache.get(key);
        if (hit && hit.version === Number(v.version)) {
          // Re-insert: Map order is the LRU order.
          this.edgeCache.delete(key);
          this.edgeCache.set(key, hit);
          out.push(hit.rows);
          continue;
        }
        const rows = read.all(r.res, v.bucket, v.bucket + 1) as EdgeRow[];
        for (const row of rows) row.id = `${row.source}->${row.target}|${row.kind}`;
        if (hit) {
          this.edgeCache.delete(key);
          this.cachedRows -= hit.rows.length;
        }
        this.edgeCache.set(key, { version: Number(v.version), rows });
        this.cachedRows += rows.length;
        for (const [k, old] of this.edgeCache) {
          if (this.cachedRows <= this.maxCachedRows || k === key) break;
          this.edgeCache.delete(k);
          this.cachedRows -= old.rows.length;
        }
        out.push(rows);
      }
    }
    return out;
  }

  /**
   * The versions of every bucket of the ranges, as one string: equal signatures mean no analyzer
   * write touched the window in between, so a result built from it is still exact.
   */
  signature(ranges: readonly BucketRange[]): string {
    const st = this.stmt(LIVE_SQL.bucketVersions).raw(true);
    const parts: string[] = [];
    for (const r of ranges) {
      if (r.to <= r.from) continue;
      for (const [bucket, version] of st.iterate(r.res, r.from, r.to) as IterableIterator<[number, number]>) parts.push(`${r.res}:${bucket}:${version}`);
    }
    st.raw(false);
    return parts.join(',');
  }

  nodes(ranges: readonly BucketRange[]): NodeRow[] {
    return this.all<NodeRow>(LIVE_SQL.nodesIn, ranges);
  }

  serviceNodes(ranges: readonly BucketRange[]): NodeRow[] {
    return this.all<NodeRow>(LIVE_SQL.serviceNodesIn, ranges).map((r) => ({ ...r, kind: 'service' }));
  }

  node(ranges: readonly BucketRange[], id: string): NodeRow[] {
    return this.all<Omit<NodeRow, 'node_id' | 'kind'>>(LIVE_SQL.oneNodeIn, ranges, id).map((r) => ({ ...r, node_id: id, kind: 'service' }));
  }

  operations(ranges: readonly BucketRange[], service?: string): OpRow[] {
    if (service === undefined) return this.all<OpRow>(LIVE_SQL.opsIn, ranges);
    return this.all<Omit<OpRow, 'service'>>(LIVE_SQL.opsOfServiceIn, ranges, service).map((r) => ({ ...r, service }));
  }

  operationCounts(ranges: readonly BucketRange[]): Map<string, number> {
    // Distinct across ranges needs the names; per range counts are an upper bound, so merge sets
    // only when the window spans more than one range.
    const live = ranges.filter((r) => r.to > r.from);
    if (live.length === 1) {
      const out = new Map<string, number>();
      for (const r of this.all<{ service: string; n: number }>(LIVE_SQL.opCountsIn, live)) out.set(r.service, r.n);
      return out;
    }
    const names = new Map<string, Set<string>>();
    for (const r of this.all<{ service: string; operation: string }>(LIVE_SQL.opsIn, live)) {
      let s = names.get(r.service);
      if (!s) names.set(r.service, (s = new Set()));
      s.add(r.operation);
    }
    return new Map([...names].map(([k, v]) => [k, v.size]));
  }

  tables(ranges: readonly BucketRange[]): TableRow[] {
    const sum = new Map<string, TableRow>();
    for (const r of this.all<TableRow>(LIVE_SQL.tablesIn, ranges)) {
      const key = `${r.node_id}\u0000${r.table_name}\u0000${r.service}`;
      const t = sum.get(key);
      if (t) {
        t.reads += r.reads;
        t.writes += r.writes;
      } else sum.set(key, { ...r });
    }
    return [...sum.values()];
  }

  quality(ranges: readonly BucketRange[]): QualityRow {
    const q: QualityRow = { spans: 0, unpairedClients: 0, latePairs: 0, unpairedProducers: 0, orphanServers: 0 };
    for (const r of this.all<Record<string, number | null>>(LIVE_SQL.qualityIn, ranges)) {
      q.spans += r.spans ?? 0;
      q.unpairedClients += r.unpaired_clients ?? 0;
      q.latePairs += r.late_pairs ?? 0;
      q.unpairedProducers += r.unpaired_producers ?? 0;
      q.orphanServers += r.orphan_servers ?? 0;
    }
    return q;
  }

  nodeInfo(): Map<string, NodeInfoRow> {
    const out = new Map<string, NodeInfoRow>();
    for (const r of this.stmt(LIVE_SQL.nodeInfoAll).iterate()) out.set((r as NodeInfoRow).id, r as NodeInfoRow);
    return out;
  }

  serviceKnown(name: string): boolean {
    return this.stmt(LIVE_SQL.serviceKnown).get(name) !== undefined;
  }

  feedStatus(): FeedStatus {
    const s = this.stmt(LIVE_SQL.state).get() as { cursor_seq: number; analyzed_at_ms: number } | undefined;
    const m = this.stmt(LIVE_SQL.maxSeq).get() as { m: number | null };
    const p = this.stmt(LIVE_SQL.countPending).get() as { n: number };
    return { analyzedAtMs: s ? Number(s.analyzed_at_ms) : 0, cursorSeq: s ? Number(s.cursor_seq) : 0, maxSeq: Number(m.m ?? 0), pending: Number(p.n) };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
