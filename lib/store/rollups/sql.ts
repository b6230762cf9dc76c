// SQL of the rollup tables (prisma/migrations/*_live_rollups, *_graph_blocks) and of the live
// analyzer's feed. Sketch columns of the node and operation rows are merged inside the upsert by a
// function the connection registers (fl_sketch_merge): SQLite only; a PostgreSQL dialect would
// merge in the writer (read, add, write) under the same transaction, as graph blocks already are.
export const LIVE_SQL = {
  maxSeq: `SELECT max(seq) AS m FROM spans`,
  /** A chunk of the feed in commit order (seq is assigned under SQLite's single writer lock). */
  // Read cost decides how many spans/s the analyzer keeps up with: ids come as hex text (no Buffer
  // per id), start_ns as two double-safe halves (bigints for every column cost more than the rest
  // of the read together), and the attribute payload only for the kinds the fold reads it from
  // (CLIENT, PRODUCER, CONSUMER, UNSPECIFIED; see live-db.ts toSpan).
  // The trace id is read once per trace (traceIdOfKey), not joined on every span: a chunk has
  // about nine spans per trace, and the join with its hex text was a third of the read.
  chunk: `SELECT seq, trace_key, NULL, lower(hex(span_id)), kind, lower(hex(parent_id)),
      start_ns / 1000000, start_ns % 1000000, duration_ns, operation_id, resource_id, scope_id, status,
      CASE WHEN kind IN (1, 2) THEN NULL ELSE payload END
    FROM spans WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`,
  traceIdOfKey: `SELECT lower(hex(trace_id)) FROM traces WHERE key = ?`,
  olderOfTrace: `SELECT seq, trace_key, NULL, lower(hex(span_id)), kind, lower(hex(parent_id)),
      start_ns / 1000000, start_ns % 1000000, duration_ns, operation_id, resource_id, scope_id, status,
      CASE WHEN kind IN (1, 2) THEN NULL ELSE payload END
    FROM spans WHERE trace_key = ? AND seq <= ?`,

  state: `SELECT cursor_seq, max_trace_key, lease_owner, lease_until_ms, analyzed_at_ms, pending_dropped, flushes, pending_file, pending_clients FROM live_state WHERE id = 1`,
  /** Takes the lease when free, expired, or already ours; creates the row on a fresh database. */
  claimLease: `INSERT INTO live_state (id, cursor_seq, max_trace_key, lease_owner, lease_until_ms, analyzed_at_ms, pending_dropped)
    VALUES (1, 0, 0, ?, ?, 0, 0)
    ON CONFLICT (id) DO UPDATE SET lease_owner = excluded.lease_owner, lease_until_ms = excluded.lease_until_ms
    WHERE live_state.lease_owner = excluded.lease_owner OR live_state.lease_until_ms < ?`,
  advance: `UPDATE live_state SET cursor_seq = ?, max_trace_key = ?, lease_until_ms = ?, analyzed_at_ms = ?, pending_dropped = pending_dropped + ?,
      flushes = flushes + 1, pending_clients = ?
    WHERE id = 1 AND lease_owner = ? AND cursor_seq = ? AND flushes = ?`,
  /** Names the pending-clients file of this database (pending-file.ts), for the lease holder. */
  setPendingFile: `UPDATE live_state SET pending_file = ? WHERE id = 1 AND lease_owner = ?`,
  releaseLease: `UPDATE live_state SET lease_until_ms = 0 WHERE id = 1 AND lease_owner = ?`,

  /** Pending clients as kept in the database before pending-file.ts: moved to the file at load. */
  legacyPending: `SELECT trace_key, span_id, trace_id, due_ms, minute, source, target, target_name, peer_service, duration_ms, error FROM live_pending`,
  legacyPendingClear: `DELETE FROM live_pending`,

  upsertNode: `INSERT INTO node_rollups (res, bucket, node_id, kind, calls, errors, latency, self_ms, loose_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (res, bucket, node_id) DO UPDATE SET
      calls = node_rollups.calls + excluded.calls, errors = node_rollups.errors + excluded.errors,
      latency = fl_sketch_merge(node_rollups.latency, excluded.latency),
      self_ms = node_rollups.self_ms + excluded.self_ms, loose_ms = node_rollups.loose_ms + excluded.loose_ms`,
  upsertOp: `INSERT INTO operation_rollups (res, bucket, service, operation, calls, errors, latency, self_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (res, bucket, service, operation) DO UPDATE SET
      calls = operation_rollups.calls + excluded.calls, errors = operation_rollups.errors + excluded.errors,
      latency = fl_sketch_merge(operation_rollups.latency, excluded.latency), self_ms = operation_rollups.self_ms + excluded.self_ms`,
  upsertTable: `INSERT INTO table_rollups (res, bucket, node_id, table_name, service, reads, writes) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (res, bucket, node_id, table_name, service) DO UPDATE SET
      reads = table_rollups.reads + excluded.reads, writes = table_rollups.writes + excluded.writes`,
  upsertQuality: `INSERT INTO quality_rollups (res, bucket, spans, unpaired_clients, late_pairs, unpaired_producers, orphan_servers) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (res, bucket) DO UPDATE SET
      spans = quality_rollups.spans + excluded.spans, unpaired_clients = quality_rollups.unpaired_clients + excluded.unpaired_clients,
      late_pairs = quality_rollups.late_pairs + excluded.late_pairs, unpaired_producers = quality_rollups.unpaired_producers + excluded.unpaired_producers,
      orphan_servers = quality_rollups.orphan_servers + excluded.orphan_servers`,
  bumpBucket: `INSERT INTO rollup_buckets (res, bucket, version) VALUES (?, ?, 1)
    ON CONFLICT (res, bucket) DO UPDATE SET version = rollup_buckets.version + 1`,
  bucketVersions: `SELECT bucket, version FROM rollup_buckets WHERE res = ? AND bucket >= ? AND bucket < ?`,
  upsertNodeInfo: `INSERT INTO graph_nodes (id, kind, name, db_system, address, namespace, identity_known, messaging_system, destination)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, name = excluded.name, db_system = excluded.db_system, address = excluded.address,
      namespace = excluded.namespace, identity_known = excluded.identity_known, messaging_system = excluded.messaging_system,
      destination = excluded.destination`,

  // Graph blocks (graph-block.ts) and the dictionary their keys point into.
  keyInsert: `INSERT INTO rollup_keys (type, a, b, c) VALUES (?, ?, ?, ?) ON CONFLICT (type, a, b, c) DO NOTHING`,
  keyId: `SELECT id FROM rollup_keys WHERE type = ? AND a = ? AND b = ? AND c = ?`,
  keysAfter: `SELECT id, type, a, b, c FROM rollup_keys WHERE id > ? ORDER BY id`,
  blockGet: `SELECT version, body FROM graph_blocks WHERE res = ? AND bucket = ?`,
  blockPut: `INSERT INTO graph_blocks (res, bucket, version, body) VALUES (?, ?, 1, ?)
    ON CONFLICT (res, bucket) DO UPDATE SET version = graph_blocks.version + 1, body = excluded.body`,
  blocksIn: `SELECT bucket FROM graph_blocks WHERE res = ? AND bucket >= ? AND bucket < ?`,
  /** Prefix and suffix blocks (graph-cover.ts: res < 0) with res in [?, ?] of buckets starting in [?, ?). */
  partsIn: `SELECT res, bucket FROM graph_blocks WHERE res >= ? AND res <= ? AND bucket >= ? AND bucket < ?`,
  /** The same with their bodies, of one bucket. */
  partsOf: `SELECT res, body FROM graph_blocks WHERE res >= ? AND res <= ? AND bucket = ?`,
  /** Prefix or suffix blocks of one bucket with res in [?, ?]. */
  partsDelete: `DELETE FROM graph_blocks WHERE res >= ? AND res <= ? AND bucket = ?`,
  /** Prefix and suffix blocks with res in [?, ?] of buckets starting at or before ? (retention). */
  partsBefore: `DELETE FROM graph_blocks WHERE rowid IN (SELECT rowid FROM graph_blocks WHERE res >= ? AND res <= ? AND bucket <= ? LIMIT ?)`,
  blockRowsIn: `SELECT bucket, body FROM graph_blocks WHERE res = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
  blockBodiesIn: `SELECT body FROM graph_blocks WHERE res = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
  /** Coarse buckets of width @res with a child block (tier @child) but no block of their own yet: to seal. */
  // (Bound numbers are REALs, so `bucket / @res` would not truncate; `%` works on integers.)
  unsealed: `SELECT DISTINCT c.bucket - c.bucket % @res AS pb FROM graph_blocks c WHERE c.res = @child
    AND NOT EXISTS (SELECT 1 FROM graph_blocks p WHERE p.res = @res AND p.bucket = c.bucket - c.bucket % @res) ORDER BY pb`,

  // Read side: one tier (res) and a bucket range per statement; a window is at most three ranges.
  nodesIn: `SELECT bucket, node_id, kind, calls, errors, latency, self_ms, loose_ms FROM node_rollups WHERE res = ? AND bucket >= ? AND bucket < ?`,
  serviceNodesIn: `SELECT bucket, node_id, calls, errors, latency, self_ms, loose_ms FROM node_rollups
    WHERE res = ? AND bucket >= ? AND bucket < ? AND kind = 'service'`,
  oneNodeIn: `SELECT bucket, calls, errors, latency, self_ms, loose_ms FROM node_rollups WHERE res = ? AND bucket >= ? AND bucket < ? AND node_id = ?`,
  opsIn: `SELECT service, operation, calls, errors, latency, self_ms FROM operation_rollups WHERE res = ? AND bucket >= ? AND bucket < ?`,
  opsOfServiceIn: `SELECT operation, calls, errors, latency, self_ms FROM operation_rollups WHERE res = ? AND bucket >= ? AND bucket < ? AND service = ?`,
  opCountsIn: `SELECT service, count(DISTINCT operation) AS n FROM operation_rollups WHERE res = ? AND bucket >= ? AND bucket < ? GROUP BY service`,
  tablesIn: `SELECT node_id, table_name, service, sum(reads) AS reads, sum(writes) AS writes FROM table_rollups
    WHERE res = ? AND bucket >= ? AND bucket < ? GROUP BY node_id, table_name, service`,
  qualityIn: `SELECT sum(spans) AS spans, sum(unpaired_clients) AS unpaired_clients, sum(late_pairs) AS late_pairs,
      sum(unpaired_producers) AS unpaired_producers, sum(orphan_servers) AS orphan_servers
    FROM quality_rollups WHERE res = ? AND bucket >= ? AND bucket < ?`,
  nodeInfoAll: `SELECT id, kind, name, db_system, address, namespace, identity_known, messaging_system, destination FROM graph_nodes`,
  serviceKnown: `SELECT 1 AS ok FROM graph_nodes WHERE id = ? AND kind = 'service'`,
} as const;
