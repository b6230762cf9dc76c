// `--input 'traces/**/*.jsonl'`: glob patterns expanded here (Node 20 has no fs.glob), so a CI
// config works the same whether or not a shell expanded the pattern first.
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';

export function hasGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** One path segment pattern → RegExp: `*` any run but `/`, `?` one character, `[abc]`, `[!a-z]`. */
export function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Files matching `pattern` (`**` spans directories), sorted; hidden entries only when named. */
export async function expandGlob(pattern: string): Promise<string[]> {
  const normalized = pattern.split(sep).join('/');
  const parts = normalized.split('/');
  const firstGlob = parts.findIndex(hasGlob);
  const base = parts.slice(0, firstGlob).join('/') || (normalized.startsWith('/') ? '/' : '.');
  const rest = parts.slice(firstGlob);
  const out: string[] = [];
  await walk(base, rest, out, normalized.startsWith('/') || firstGlob > 0 ? base : '');
  return [...new Set(out)].sort();
}

async function walk(dir: string, rest: string[], out: string[], shown: string): Promise<void> {
  if (rest.length === 0) return;
  const [head, ...tail] = rest;
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  const display = (name: string) => (shown === '' ? name : shown.endsWith('/') ? shown + name : `${shown}/${name}`);
  if (head === '**') {
    // `**` matches zero directories (try the rest here) or one more (descend, keep `**`).
    await walk(dir, tail, out, shown);
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('.')) await walk(join(dir, e.name), rest, out, display(e.name));
    }
    return;
  }
  const re = segmentRegExp(head);
  for (const e of entries) {
    if (e.name.startsWith('.') && !head.startsWith('.')) continue;
    if (!re.test(e.name)) continue;
    if (tail.length === 0) {
      if (e.isFile() || e.isSymbolicLink()) out.push(display(e.name));
    } else if (e.isDirectory() || e.isSymbolicLink()) {
      await walk(join(dir, e.name), tail, out, display(e.name));
    }
  }
}
