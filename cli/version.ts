import { readFileSync } from 'node:fs';
import { checkoutRoot } from './paths.ts';
import { join } from 'node:path';

export function version(): string {
  const pkg = JSON.parse(readFileSync(join(checkoutRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}
