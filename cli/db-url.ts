// The store resolves --db / FAULTLINE_DB / the default; the CLI only makes a relative SQLite path
// absolute, so a dashboard or collector started in another directory opens the same file.
import { isAbsolute, resolve } from 'node:path';

export function absoluteDbUrl(url: string, cwd = process.cwd()): string {
  if (/^postgres(ql)?:\/\//i.test(url)) return url;
  if (url.startsWith('file:')) {
    const rest = url.slice('file:'.length);
    if (rest.startsWith('//') || isAbsolute(rest) || rest === ':memory:') return url;
    return `file:${resolve(cwd, rest)}`;
  }
  if (url === ':memory:' || isAbsolute(url) || /^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  return resolve(cwd, url);
}
