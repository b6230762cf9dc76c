// Shared by the report tests: where the fixtures are, and output normalized for snapshots
// (absolute paths and the package version are the only things that differ between machines).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, type CliResult } from '../cli/run-cli.ts';
import { ZIPKIN_FIXTURES } from '../shared.ts';

export { ROOT, runCli, type CliResult };
export const ZIPKIN = ZIPKIN_FIXTURES;
export const HERE = import.meta.dirname;
export const PLANTED = join(HERE, 'fixtures', 'planted.jsonl');
export const CLEAN = join(HERE, 'fixtures', 'clean.jsonl');
export const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** Environment for a deterministic run: no GitHub Actions, no colour settings from the caller. */
export const QUIET_ENV: Record<string, string> = { GITHUB_ACTIONS: '', GITHUB_STEP_SUMMARY: '', NO_COLOR: '' };

export function normalize(s: string): string {
  return s
    .split(ZIPKIN)
    .join('<zipkin>')
    .split(join(HERE, 'fixtures'))
    .join('<fixtures>')
    .split(ROOT)
    .join('<root>')
    .replace(new RegExp(`("version": |faultline )"?${VERSION.replace(/\./g, '\\.')}"?`, 'g'), (m) => m.replace(VERSION, '<version>'));
}

export function loadJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}
