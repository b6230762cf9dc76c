// lib/store: the only code that touches the database (ARCHITECTURE.md §2).
import type { Store } from './types.ts';
import { parseStoreUrl, resolveDbUrl, StoreUrlError } from './url.ts';
import { SqliteStore, type SqliteStoreOptions } from './sqlite/store.ts';

export type { Store, StoreStats, TraceQuery, TraceSummary, SpanQuery, WriteResult } from './types.ts';
export { resolveDbUrl, parseStoreUrl, StoreUrlError, DEFAULT_DB_PATH } from './url.ts';
export { MigrationError } from './migrate/apply.ts';
export { startRetention, DEFAULT_MAX_AGE_MS, type RetentionTimerOptions } from './retention-timer.ts';
export { SqliteStore, StoreOpenError, type SqliteStoreOptions } from './sqlite/store.ts';

export type OpenStoreOptions = SqliteStoreOptions;

/**
 * Opens (creating if needed) the store at `url` — a file path or `file:` URL for SQLite,
 * default FAULTLINE_DB or ./data/faultline.db — and applies pending migrations.
 * Throws StoreUrlError for a URL it cannot serve (PostgreSQL is not supported yet),
 * StoreOpenError when the file cannot be opened as SQLite, and MigrationError when the
 * database cannot be brought up to date.
 */
export function openStore(url?: string, opts: OpenStoreOptions = {}): Store & SqliteStore {
  const resolved = resolveDbUrl(url);
  const parsed = parseStoreUrl(resolved);
  if (parsed.kind === 'postgresql') {
    throw new StoreUrlError(
      `PostgreSQL storage (${redact(parsed.url)}) is not supported yet — it is planned as the next storage step ` +
        '(issue 2, Storage: "PostgreSQL support comes next"); use a file path or file: URL for SQLite for now',
    );
  }
  return new SqliteStore(resolved, parsed.path, opts);
}

function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
