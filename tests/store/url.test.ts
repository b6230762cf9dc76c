import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DB_PATH, openStore, parseStoreUrl, resolveDbUrl, StoreOpenError, StoreUrlError } from '../../lib/store/index.ts';
import { tempDir } from './helpers.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

describe('storage URLs', () => {
  it('resolves flag, then FAULTLINE_DB, then the default', () => {
    expect(resolveDbUrl('x.db', { FAULTLINE_DB: 'y.db' })).toBe('x.db');
    expect(resolveDbUrl(undefined, { FAULTLINE_DB: 'y.db' })).toBe('y.db');
    expect(resolveDbUrl('  ', { FAULTLINE_DB: '' })).toBe(DEFAULT_DB_PATH);
    expect(DEFAULT_DB_PATH).toBe('./data/faultline.db');
  });

  it('parses file paths and file: URLs as SQLite', () => {
    expect(parseStoreUrl('/tmp/a.db')).toEqual({ kind: 'sqlite', path: '/tmp/a.db' });
    expect(parseStoreUrl('rel/a.db')).toEqual({ kind: 'sqlite', path: path.resolve('rel/a.db') });
    expect(parseStoreUrl('file:./rel/a.db')).toEqual({ kind: 'sqlite', path: path.resolve('rel/a.db') });
    expect(parseStoreUrl('file:///tmp/with%20space.db')).toEqual({ kind: 'sqlite', path: '/tmp/with space.db' });
    expect(parseStoreUrl('postgresql://u:p@h:5432/db')).toEqual({ kind: 'postgresql', url: 'postgresql://u:p@h:5432/db' });
  });

  it('gives clear errors for URLs it cannot serve', () => {
    expect(() => openStore('postgresql://user:secret@localhost:5432/faultline')).toThrow(StoreUrlError);
    expect(() => openStore('postgres://localhost/x')).toThrow(/PostgreSQL storage .* not supported yet/);
    try {
      openStore('postgresql://user:secret@localhost/x');
    } catch (err) {
      expect((err as Error).message).not.toContain('secret');
      expect((err as Error).message).toContain('issue 2');
    }
    expect(() => openStore('mysql://localhost/x')).toThrow(/unsupported storage URL scheme "mysql"/);
    expect(() => openStore('file:')).toThrow(/names no file/);
  });

  it('says which file it cannot open', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const notDb = path.join(t.dir, 'not-a-db.txt');
    writeFileSync(notDb, 'hello, this is not SQLite '.repeat(200));
    expect(() => openStore(notDb)).toThrow(StoreOpenError);
    expect(() => openStore(notDb)).toThrow(/cannot open SQLite database .*not-a-db\.txt/);
    expect(() => openStore(t.dir)).toThrow(StoreOpenError);
  });

  it('creates the directory of a file: URL', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'a', 'b', 'c.db');
    const store = openStore(pathToFileURL(file).href);
    store.close();
    expect(existsSync(file)).toBe(true);
  });

  it('uses FAULTLINE_DB when no URL is given', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'env.db');
    const before = process.env.FAULTLINE_DB;
    process.env.FAULTLINE_DB = file;
    cleanups.push(() => {
      if (before === undefined) delete process.env.FAULTLINE_DB;
      else process.env.FAULTLINE_DB = before;
    });
    const store = openStore();
    expect(store.url).toBe(file);
    store.close();
    expect(existsSync(file)).toBe(true);
  });
});
