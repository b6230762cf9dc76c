import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { MigrationError, openStore } from '../../lib/store/index.ts';
import { batch, hexId, span, tempDir } from './helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const MIGRATIONS = path.resolve(import.meta.dirname, '../../prisma/migrations');

function dir() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('migrations and restarts', () => {
  it('creates the schema on a fresh file with Prisma-compatible bookkeeping', () => {
    const file = path.join(dir(), 'nested', 'deeper', 'faultline.db');
    const store = openStore(file);
    expect(store.migrations.applied).toEqual(readdirSync(MIGRATIONS).filter((d) => !d.endsWith('.toml')).sort());
    store.close();
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT * FROM _prisma_migrations ORDER BY migration_name').all() as Record<string, unknown>[];
    db.close();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const sql = readFileSync(path.join(MIGRATIONS, String(row.migration_name), 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
      expect(row.finished_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
      expect(row.started_at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('reopening applies nothing and keeps every committed span', () => {
    const file = path.join(dir(), 'f.db');
    const traceId = hexId(16);
    const spans = Array.from({ length: 20 }, () => span({ traceId }));
    let store = openStore(file);
    store.writeBatch(batch(spans));
    store.close();
    store = openStore(`file:${file}`);
    cleanups.push(() => store.close());
    expect(store.migrations.applied).toEqual([]);
    expect(store.getTrace(traceId)).toHaveLength(20);
    // Dictionaries reload from disk: the same names reuse their rows.
    expect(store.writeBatch(batch([span({ traceId })]))).toMatchObject({ spansInserted: 1 });
    expect(store.getTrace(traceId)).toHaveLength(21);
  });

  it('sees spans written by another process-like connection on the same file', () => {
    const file = path.join(dir(), 'shared.db');
    const a = openStore(file);
    const b = openStore(file);
    cleanups.push(() => a.close(), () => b.close());
    const traceId = hexId(16);
    const s1 = span({ traceId, service: 'svc-a', name: 'op-a', attributes: { k: 'v1' } });
    const s2 = span({ traceId, service: 'svc-b', name: 'op-b', attributes: { k: 'v2' } });
    a.writeBatch(batch([s1]));
    b.writeBatch(batch([s2]));
    expect(a.getTrace(traceId)).toHaveLength(2);
    expect(b.getTrace(traceId).map((s) => s.name).sort()).toEqual(['op-a', 'op-b']);
    expect(a.getTrace(traceId)).toEqual(b.getTrace(traceId));
  });

  it('applies a migration added later, once, and records it', () => {
    const migrations = path.join(dir(), 'migrations');
    cpSync(MIGRATIONS, migrations, { recursive: true });
    const file = path.join(dir(), 'm.db');
    openStore(file, { migrationsDir: migrations }).close();
    mkdirSync(path.join(migrations, '29990101000000_rollups'));
    writeFileSync(
      path.join(migrations, '29990101000000_rollups', 'migration.sql'),
      'CREATE TABLE "edge_minutes" ("minute" INTEGER NOT NULL, "calls" INTEGER NOT NULL);\n',
    );
    const store = openStore(file, { migrationsDir: migrations });
    expect(store.migrations.applied).toEqual(['29990101000000_rollups']);
    store.close();
    const again = openStore(file, { migrationsDir: migrations });
    expect(again.migrations.applied).toEqual([]);
    again.close();
    const db = new Database(file, { readonly: true });
    expect(db.prepare(`SELECT count(*) AS n FROM _prisma_migrations`).get()).toEqual({
      n: readdirSync(migrations).filter((d) => !d.endsWith('.toml')).length,
    });
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'edge_minutes'`).get()).toBeTruthy();
    db.close();
  });

  it('refuses a database whose earlier migration failed, and a bad migration leaves nothing half-done', () => {
    const migrations = path.join(dir(), 'migrations');
    cpSync(MIGRATIONS, migrations, { recursive: true });
    mkdirSync(path.join(migrations, '29990101000000_broken'));
    writeFileSync(path.join(migrations, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE ok_part (x INTEGER);\nTHIS IS NOT SQL;\n');
    const file = path.join(dir(), 'b.db');
    expect(() => openStore(file, { migrationsDir: migrations })).toThrow(MigrationError);
    const db = new Database(file);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'ok_part'`).get()).toBeUndefined();
    expect(db.prepare(`SELECT count(*) AS n FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'`).get()).toEqual({ n: 0 });
    // What Prisma leaves after a crash mid-migration: a row without finished_at.
    db.prepare(`INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES ('x', 'y', '29990101000000_broken', '2026-01-01T00:00:00.000+00:00')`).run();
    db.close();
    expect(() => openStore(file, { migrationsDir: migrations })).toThrow(/failed earlier/);
    expect(existsSync(file)).toBe(true);
  });
});
