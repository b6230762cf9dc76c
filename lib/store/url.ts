// Storage URLs (ARCHITECTURE.md §3): a file path or `file:` URL selects SQLite; a
// `postgresql://` URL selects PostgreSQL (not supported yet; see StoreUrlError).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_DB_PATH = './data/faultline.db';

export class StoreUrlError extends Error {
  override name = 'StoreUrlError';
}

export type ParsedStoreUrl = { kind: 'sqlite'; path: string } | { kind: 'postgresql'; url: string };

/** The storage URL to use: the flag, else FAULTLINE_DB, else ./data/faultline.db. */
export function resolveDbUrl(flag?: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (flag !== undefined && flag.trim() !== '') return flag.trim();
  const fromEnv = env.FAULTLINE_DB;
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv.trim();
  return DEFAULT_DB_PATH;
}

export function parseStoreUrl(url: string): ParsedStoreUrl {
  const u = url.trim();
  if (u === '') throw new StoreUrlError('empty storage URL: give a file path, a file: URL or a postgresql:// URL');
  if (/^postgres(ql)?:\/\//i.test(u)) return { kind: 'postgresql', url: u };
  if (u === ':memory:') return { kind: 'sqlite', path: ':memory:' };
  if (/^file:/i.test(u)) {
    let p: string;
    if (/^file:\/\//i.test(u)) {
      try {
        p = fileURLToPath(u.replace(/\?.*$/, ''));
      } catch (err) {
        throw new StoreUrlError(`bad file: URL ${JSON.stringify(u)}: ${(err as Error).message}`);
      }
    } else {
      // Prisma style `file:./data/x.db` (relative to the working directory).
      p = decodeURIComponent(u.slice('file:'.length).replace(/\?.*$/, ''));
    }
    if (p === '') throw new StoreUrlError(`file: URL ${JSON.stringify(u)} names no file`);
    return { kind: 'sqlite', path: path.resolve(p) };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(u);
  if (scheme) {
    throw new StoreUrlError(
      `unsupported storage URL scheme ${JSON.stringify(scheme[1])}: use a file path, a file: URL (SQLite) or postgresql://`,
    );
  }
  return { kind: 'sqlite', path: path.resolve(u) };
}
