// Every SQL statement the SQLite store runs, in one place. The statements are plain SQL
// that PostgreSQL also accepts (ON CONFLICT upserts, no INSERT OR IGNORE, no rowid, no
// SQLite-only functions) except where marked; a PostgreSQL dialect swaps `?` for `$n` and
// the marked lines.

/** Must precede the first table of a fresh file. */
export function pageSizePragma(bytes: number): string {
  if (![1024, 2048, 4096, 8192, 16384, 32768, 65536].includes(bytes)) throw new RangeError(`bad page size ${bytes}`);
  return `PRAGMA page_size = ${bytes}`;
}

/** SQLite only. */
export const PRAGMAS = [
  'PRAGMA journal_mode = WAL',
  // In WAL, NORMAL fsyncs at checkpoints, not at every commit: a committed transaction is in
  // the WAL (OS page cache) before COMMIT returns, so it survives a crash of our process; a
  // power loss or kernel panic may lose the last commits but never corrupts the file.
  'PRAGMA synchronous = NORMAL',
  'PRAGMA busy_timeout = 5000',
  'PRAGMA temp_store = MEMORY',
  'PRAGMA foreign_keys = OFF',
] as const;

/**
 * Page cache per connection (grows on demand up to this). No mmap by default: mapped pages
 * count in the process's RSS, and the collector has an RSS budget.
 */
export function memoryPragmas(cacheKiB: number, mmapBytes: number): string[] {
  return [`PRAGMA cache_size = -${Math.max(1024, Math.floor(cacheKiB))}`, `PRAGMA mmap_size = ${Math.max(0, Math.floor(mmapBytes))}`];
}

/** Columns of a span row, in the order `insertSpans` binds them. */
export const SPAN_INSERT_COLUMNS = 12;

/**
 * An INSERT of `rows` span rows in one statement. Per row, a statement's own overhead (step,
 * reset, the sqlite_sequence update of AUTOINCREMENT) costs as much as binding it: measured on
 * the spans table, 3.8 µs CPU per row one at a time against 1.9 µs eight at a time and 1.7 µs
 * thirty-two at a time. A duplicate row is skipped (idempotent ingest).
 */
export function insertSpans(rows: number): string {
  return `INSERT INTO spans (trace_key, span_id, kind, parent_id, start_ns, duration_ns, service_id, operation_id, resource_id, scope_id, status, payload)
    VALUES ${valueRows(rows, SPAN_INSERT_COLUMNS)} ON CONFLICT DO NOTHING`;
}

/** `(?, …), (?, …), …`: `rows` rows of `columns` parameters, for a VALUES list of several rows. */
export function valueRows(rows: number, columns: number): string {
  return Array(rows).fill(`(${Array(columns).fill('?').join(', ')})`).join(', ');
}

export const SQL = {
  // Migrations bookkeeping: identical to what `prisma migrate deploy` creates and reads.
  migrationsTableExists: `SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`,
  createMigrationsTable: `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`,
  appliedMigrations: `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`,
  insertMigration: `INSERT INTO "_prisma_migrations" (id, checksum, started_at, finished_at, migration_name, applied_steps_count, logs, rolled_back_at) VALUES (?, ?, ?, ?, ?, 1, NULL, NULL)`,

  // Dictionaries.
  stringById: `SELECT value FROM dict_strings WHERE id = ?`,
  stringId: `SELECT id FROM dict_strings WHERE value = ?`,
  insertString: `INSERT INTO dict_strings (value) VALUES (?)`,
  pairsOfKey: `SELECT id, value FROM attr_pairs WHERE key_id = ?`,
  pairById: `SELECT key_id, value FROM attr_pairs WHERE id = ?`,
  pairId: `SELECT id FROM attr_pairs WHERE key_id = ? AND value = ?`,
  insertPair: `INSERT INTO attr_pairs (key_id, value) VALUES (?, ?)`,
  serviceById: `SELECT name FROM services WHERE id = ?`,
  serviceId: `SELECT id FROM services WHERE name = ?`,
  insertService: `INSERT INTO services (name) VALUES (?)`,
  allServices: `SELECT id, name FROM services ORDER BY name`,
  operationById: `SELECT service_id, name_id FROM operations WHERE id = ?`,
  operationId: `SELECT id FROM operations WHERE service_id = ? AND name_id = ?`,
  insertOperation: `INSERT INTO operations (service_id, name_id) VALUES (?, ?)`,
  operationsNamed: `SELECT id, service_id FROM operations WHERE name_id = ?`,
  resourceById: `SELECT encoded, service_id FROM resources WHERE id = ?`,
  resourceId: `SELECT id, service_id FROM resources WHERE encoded = ?`,
  insertResource: `INSERT INTO resources (encoded, service_id, service_name, service_namespace, service_version, service_instance_id, sdk_name, sdk_language, sdk_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  scopeById: `SELECT encoded FROM scopes WHERE id = ?`,
  scopeId: `SELECT id FROM scopes WHERE encoded = ?`,
  insertScope: `INSERT INTO scopes (encoded, name, version) VALUES (?, ?, ?)`,
  descriptorById: `SELECT encoded FROM metric_descriptors WHERE id = ?`,
  descriptorId: `SELECT id FROM metric_descriptors WHERE encoded = ?`,
  insertDescriptor: `INSERT INTO metric_descriptors (encoded, name, description, unit, type, temporality, monotonic) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  descriptorsNamed: `SELECT id FROM metric_descriptors WHERE name = ?`,

  /** SQLite only: the header's user_version counts retention passes that deleted trace rows. */
  traceGeneration: `PRAGMA user_version`,
  // Traces and spans.
  /** SQLite only (hex): the trace rows past a key, for a writer's map of the unindexed tail (trace-keys.ts). */
  traceTailAfter: `SELECT key, lower(hex(trace_id)) FROM traces WHERE key > ? ORDER BY key`,
  /** A trace among those past the index's progress (a scan of the tail: no index on trace_id). */
  traceKeyInTail: `SELECT key FROM traces WHERE key > ? AND trace_id = ? LIMIT 1`,
  insertTrace: `INSERT INTO traces (trace_id) VALUES (?)`,
  traceIdByKey: `SELECT trace_id FROM traces WHERE key = ?`,
  maxTraceKey: `SELECT max(key) FROM traces`,
  insertSpan: insertSpans(1),
  /** The span rows past a seq, to tell a statement's inserted rows from its duplicates. */
  spanIdentitiesAfter: `SELECT seq, trace_key, span_id, kind FROM spans WHERE seq > ? ORDER BY seq`,
  /** SQLite only: AUTOINCREMENT's high-water mark of spans.seq (no row before the first span). */
  spanSequence: `SELECT seq FROM sqlite_sequence WHERE name = 'spans'`,
  /** SQLite spells GREATEST/LEAST as two-argument max/min. */
  upsertSpanMinute: `INSERT INTO span_minutes (minute, min_seq, max_seq, spans) VALUES (?, ?, ?, ?)
    ON CONFLICT (minute) DO UPDATE SET min_seq = min(span_minutes.min_seq, excluded.min_seq),
      max_seq = max(span_minutes.max_seq, excluded.max_seq), spans = span_minutes.spans + excluded.spans`,
  spansOfTrace: `SELECT seq, span_id, kind, parent_id, start_ns, duration_ns, service_id, operation_id, resource_id, scope_id, status, payload
    FROM spans WHERE trace_key = ? ORDER BY start_ns, seq`,
  insertSpanBlock: `INSERT INTO span_blocks (service_id, min_seq, max_seq, min_start_ns, max_start_ns, max_end_ns, spans, errors, max_duration_ns)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  /** Blocks of one service overlapping a window, newest first; keyset-paged by (max_start_ns, id). */
  searchBlocks: `SELECT id, min_seq, max_seq, max_start_ns FROM span_blocks
    WHERE service_id = ? AND max_start_ns >= ? AND max_start_ns <= ? AND (max_start_ns < ? OR id < ?) AND min_start_ns < ?
      AND errors >= ? AND max_duration_ns >= ?
    ORDER BY max_start_ns DESC, id DESC LIMIT ?`,
  /** One block's rows of its service (the batch's rows are contiguous in seq). */
  blockSpans: `SELECT seq, trace_key, start_ns, duration_ns, operation_id, status FROM spans
    WHERE seq >= ? AND seq <= ? AND service_id = ? AND start_ns >= ? AND start_ns < ?`,
  payloadOf: `SELECT payload FROM spans WHERE seq = ?`,
  expiredBlocks: `SELECT id FROM span_blocks WHERE max_end_ns < ? ORDER BY id LIMIT ?`,
  deleteBlock: `DELETE FROM span_blocks WHERE id = ?`,
  summaryOfTrace: `SELECT parent_id, start_ns, duration_ns, service_id, operation_id, status FROM spans WHERE trace_key = ?`,
  minuteRange: `SELECT min(min_seq) AS lo, max(max_seq) AS hi FROM span_minutes WHERE minute >= ? AND minute <= ?`,
  /** Arrival-order page for iterateSpans. */
  spansPage: `SELECT s.seq, t.trace_id, s.span_id, s.kind, s.parent_id, s.start_ns, s.duration_ns, s.service_id, s.operation_id, s.resource_id, s.scope_id, s.status, s.payload
    FROM spans s JOIN traces t ON t.key = s.trace_key WHERE s.seq > ? AND s.seq <= ? ORDER BY s.seq LIMIT ?`,
  maxSeq: `SELECT max(seq) AS m FROM spans`,
  oldMinutes: `SELECT minute, min_seq, max_seq FROM span_minutes WHERE minute < ? ORDER BY minute`,
  expiredSpans: `SELECT seq, trace_key, start_ns FROM spans WHERE seq >= ? AND seq <= ? AND start_ns + duration_ns < ? ORDER BY seq LIMIT ?`,
  forgetMinuteSpans: `UPDATE span_minutes SET spans = spans - ? WHERE minute = ?`,
  emptyMinutes: `DELETE FROM span_minutes WHERE minute <= ? AND spans <= 0`,
  deleteSpan: `DELETE FROM spans WHERE seq = ?`,
  traceHasSpans: `SELECT 1 AS ok FROM spans WHERE trace_key = ? LIMIT 1`,
  deleteTrace: `DELETE FROM traces WHERE key = ?`,

  // Metric points and logs.
  insertPoint: `INSERT INTO metric_points (descriptor_id, service_id, resource_id, scope_id, start_ns, time_ns, value, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  insertLog: `INSERT INTO log_records (service_id, resource_id, scope_id, time_ns, observed_time_ns, severity_number, severity_text, trace_id, span_id, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  expiredPoints: `SELECT seq FROM metric_points WHERE time_ns < ? ORDER BY time_ns LIMIT ?`,
  deletePoint: `DELETE FROM metric_points WHERE seq = ?`,
  expiredLogs: `SELECT seq FROM log_records WHERE time_ns < ? ORDER BY time_ns LIMIT ?`,
  deleteLog: `DELETE FROM log_records WHERE seq = ?`,

  /** span_minutes counts spans per start minute (retention keeps it exact): no scan of spans. */
  counts: `SELECT (SELECT coalesce(sum(spans), 0) FROM span_minutes) AS spans, (SELECT count(*) FROM resources) AS resources,
    (SELECT count(*) FROM metric_points) AS points, (SELECT count(*) FROM log_records) AS logs`,
} as const;

/** Column list shared by the metric/log queries, which are assembled from optional filters. */
export const POINT_COLUMNS = 'seq, descriptor_id, resource_id, scope_id, start_ns, time_ns, payload';
export const LOG_COLUMNS =
  'seq, resource_id, scope_id, time_ns, observed_time_ns, severity_number, severity_text, trace_id, span_id, payload';
