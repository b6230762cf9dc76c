// The production dashboard build `npm start` needs: `next build` when .next has none, or one
// older than the dashboard's sources; nothing when it is current (the fast path). Builds
// started elsewhere at the same time (the UI test harness, a developer) are waited for, not
// raced: both sides take the same lock directory, and Next's own lock is respected.
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prefixLines, startChild, stopChild } from './children.ts';
import type { CliIo } from './io.ts';

const SOURCE_DIRS = ['app', 'components', 'lib', 'public'];
const SOURCE_FILES = ['next.config.js', 'package-lock.json', 'tsconfig.json'];
/** Shared with tests/ui/e2e-harness.ts, so a test run and `npm start` never build at once. */
export const LOCK = join(tmpdir(), 'faultline-next-build.lock');
const STALE_LOCK_MS = 15 * 60_000;

function newestMtime(path: string): number {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const e of readdirSync(path)) {
    if (e === 'node_modules' || e.startsWith('.')) continue;
    max = Math.max(max, newestMtime(join(path, e)));
  }
  return max;
}

/** 'current' when .next holds a production build at least as new as every dashboard source. */
export function buildState(root: string): 'missing' | 'stale' | 'current' {
  let built: number;
  try {
    built = statSync(join(root, '.next', 'BUILD_ID')).mtimeMs;
  } catch {
    return 'missing';
  }
  const newest = Math.max(...SOURCE_DIRS.map((d) => newestMtime(join(root, d))), ...SOURCE_FILES.map((f) => newestMtime(join(root, f))));
  return built >= newest ? 'current' : 'stale';
}

/**
 * Ensures a current production build. Resolves true when one is there, false when `stop`
 * won first (Ctrl-C during the build: the build is stopped too). Throws when the build fails.
 */
export async function ensureDashboardBuild(root: string, io: CliIo, stop: Promise<unknown>): Promise<boolean> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  let announced = false;
  for (;;) {
    if (stopped) return false;
    const state = buildState(root);
    if (state === 'current') return true;
    if (!takeLock()) {
      if (!announced) io.out('Waiting for another dashboard build to finish…\n');
      announced = true;
      await Promise.race([sleep(2000), stop]);
      continue;
    }
    try {
      if (buildState(root) === 'current') return true;
      io.out(`Building the dashboard (${state === 'missing' ? 'first run' : 'sources changed since the last build'}; takes a few minutes on a small machine)…\n`);
      const result = await runNextBuild(root, io, stop);
      if (result === 'stopped') return false;
      if (result === 'busy') {
        // A build started outside Faultline's lock (plain `npx next build`): wait for it.
        await Promise.race([sleep(5000), stop]);
        continue;
      }
      return true;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

function takeLock(): boolean {
  try {
    mkdirSync(LOCK);
    return true;
  } catch {
    // Held by someone else; a lock older than any build belongs to a process that died.
    try {
      if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
    } catch {
      // Removed meanwhile.
    }
    return false;
  }
}

async function runNextBuild(root: string, io: CliIo, stop: Promise<unknown>): Promise<'built' | 'busy' | 'stopped'> {
  const nextBin = createRequire(join(root, 'package.json')).resolve('next/dist/bin/next');
  const child = startChild('dashboard build', process.execPath, [nextBin, 'build', root], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
  });
  let output = '';
  const keep = (line: string) => {
    output = (output + line).slice(-20_000);
    io.out(`build | ${line}`);
  };
  prefixLines(child.proc.stdout, '', keep);
  prefixLines(child.proc.stderr, '', keep);
  const outcome = await Promise.race([child.exited.then((code) => ({ code })), stop.then(() => ({ code: undefined }))]);
  if (outcome.code === undefined) {
    await stopChild(child, 5000);
    return 'stopped';
  }
  if (outcome.code === 0) return 'built';
  if (/Another next build process is already running/i.test(output)) return 'busy';
  throw new Error(`the dashboard build (next build) failed with exit code ${outcome.code}; its output is above`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
