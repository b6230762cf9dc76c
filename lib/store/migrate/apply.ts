// Applies pending migrations from prisma/migrations when a database is opened. Our own small
// applier rather than the WebAssembly schema engine: the engine costs ~100 ms (wasm load +
// connect) on every open even when nothing is pending, this costs about a millisecond. It
// writes the same `_prisma_migrations` bookkeeping as Prisma (same table, checksum = sha256
// hex of migration.sql, ISO timestamps, applied_steps_count 1) so `prisma migrate deploy`
// on a machine with internet sees the same history and applies nothing twice.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';
import { SQL } from '../sql/sqlite.ts';

export interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationOutcome {
  applied: string[];
  /** Migrations already applied whose file changed since (Prisma warns about these too). */
  modified: string[];
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** prisma/migrations: FAULTLINE_MIGRATIONS_DIR, else beside this source tree, else under the working directory. */
export function defaultMigrationsDir(): string {
  if (process.env.FAULTLINE_MIGRATIONS_DIR) return process.env.FAULTLINE_MIGRATIONS_DIR;
  const candidates: string[] = [];
  try {
    candidates.push(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../prisma/migrations'));
  } catch {
    // Bundlers may rewrite import.meta.url to something that is not a file URL.
  }
  candidates.push(path.resolve(process.cwd(), 'prisma/migrations'));
  return candidates.find((d) => existsSync(path.join(d, 'migration_lock.toml'))) ?? candidates[candidates.length - 1];
}

export function checksumOf(sql: string | Buffer): string {
  return createHash('sha256').update(sql).digest('hex');
}

export function readLocalMigrations(dir: string): LocalMigration[] {
  if (!existsSync(dir)) throw new MigrationError(`migrations folder not found: ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: checksumOf(bytes) };
    });
}

function prismaTimestamp(d = new Date()): string {
  return d.toISOString().replace('Z', '+00:00');
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: string | null;
  rolled_back_at: string | null;
}

export function applyMigrations(db: Database.Database, dir = defaultMigrationsDir()): MigrationOutcome {
  const local = readLocalMigrations(dir);
  const outcome: MigrationOutcome = { applied: [], modified: [] };
  const hasTable = () => db.prepare(SQL.migrationsTableExists).get() !== undefined;
  const appliedRows = () => (hasTable() ? (db.prepare(SQL.appliedMigrations).all() as AppliedRow[]) : []);

  // Fast path without a write lock: everything applied already (the common open).
  const pendingOf = (rows: AppliedRow[]) => {
    const done = new Map<string, AppliedRow>();
    for (const r of rows) {
      if (r.rolled_back_at !== null) continue;
      if (r.finished_at === null) {
        throw new MigrationError(
          `migration ${r.migration_name} failed earlier and is marked unfinished in _prisma_migrations; ` +
            'fix the database, then resolve it (prisma migrate resolve) before Faultline can open it',
        );
      }
      done.set(r.migration_name, r);
    }
    outcome.modified = local.filter((m) => done.has(m.name) && done.get(m.name)!.checksum !== m.checksum).map((m) => m.name);
    return local.filter((m) => !done.has(m.name));
  };
  if (pendingOf(appliedRows()).length === 0) return outcome;

  // Each migration and its bookkeeping row commit together; re-read under the write lock in
  // case another process migrated meanwhile.
  for (;;) {
    db.exec('BEGIN IMMEDIATE');
    try {
      if (!hasTable()) db.exec(SQL.createMigrationsTable);
      const next = pendingOf(appliedRows())[0];
      if (!next) {
        db.exec('COMMIT');
        return outcome;
      }
      const started = prismaTimestamp();
      db.exec(next.sql);
      db.prepare(SQL.insertMigration).run(randomUUID(), next.checksum, started, prismaTimestamp(), next.name);
      db.exec('COMMIT');
      outcome.applied.push(next.name);
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (err instanceof MigrationError) throw err;
      throw new MigrationError(`could not apply migrations from ${dir}: ${(err as Error).message}`);
    }
  }
}
