// What a browser journey needs: a current production build of the dashboard, a real
// `faultline serve` on free ports with a temporary database, and a place for screenshots.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli, ROOT, type LongRunning } from '../cli/run-cli.ts';
import { buildState, LOCK } from '../../cli/dashboard-build.ts';

export const SCREENSHOT_DIR = join(ROOT, 'artifacts', 'screenshots');

/** True when .next holds a production build newer than every dashboard source file (the same check `npm start` makes). */
export function buildIsCurrent(): boolean {
  return buildState(ROOT) === 'current';
}

/**
 * `faultline serve` runs the production build when .next has one, so the journeys test what
 * users run and pages answer in milliseconds, not after a dev compile. A stale build would test
 * old code: rebuild then. Test files run in parallel forks, so one builds while others wait.
 */
export async function ensureDashboardBuild(): Promise<void> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    if (buildIsCurrent()) return;
    if (Date.now() > deadline) throw new Error('timed out waiting for another process to build the dashboard (is a `next build` stuck? remove .next/lock or wait for it)');
    let locked = false;
    try {
      mkdirSync(LOCK);
      locked = true;
    } catch {
      // Someone else is building; a lock older than 15 minutes belongs to a dead process.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 15 * 60_000) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // vanished meanwhile
      }
    }
    if (locked) {
      try {
        if (buildIsCurrent()) return;
        const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'next', 'dist', 'bin', 'next'), 'build'], { cwd: ROOT, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
        // A build started outside this harness (a developer's, or another tool's) holds Next's own lock: wait for it.
        if (r.status !== 0 && /Another next build process is already running/.test(out)) {
          await new Promise((res) => setTimeout(res, 5000));
          continue;
        }
        if (r.status !== 0) throw new Error(`next build failed (exit ${r.status}):\n${(r.stdout ?? '').slice(-4000)}\n${(r.stderr ?? '').slice(-4000)}`);
        return;
      } finally {
        rmSync(LOCK, { recursive: true, force: true });
      }
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

export interface Faultline {
  dashboard: string;
  collector: string;
  db: string;
  proc: LongRunning;
  stop(): Promise<void>;
}

export async function startFaultline(extraArgs: string[] = []): Promise<Faultline> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-ui-'));
  const db = join(dir, 'ui.db');
  const proc = startCli(['serve', '--port', '0', '--otlp-port', '0', '--db', db, ...extraArgs]);
  try {
    const [, dashboard] = await proc.waitFor(/Dashboard\s+(http:\/\/\S+)/);
    const [, collector] = await proc.waitFor(/Collector\s+(http:\/\/\S+)/);
    return {
      dashboard,
      collector,
      db,
      proc,
      async stop() {
        await proc.stop('SIGTERM');
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await proc.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Polls until `check` returns a value (the live analyzer folds new spans in within seconds). */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}

