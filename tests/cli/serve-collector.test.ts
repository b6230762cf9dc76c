// The long-running commands through the real bin: they listen where they say, accept OTLP,
// commit what they acknowledged, and stop cleanly on Ctrl-C (SIGINT) or SIGTERM.
import { connect, createServer, type Server } from 'node:net';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectorEnv } from '../../lib/runtime/workers.ts';
import { openStore } from '../../lib/store/index.ts';
import { tempDir } from '../import/helpers.ts';
import { sdkTrace } from '../import/otel-sdk-json.ts';
import { ensureDashboardBuild } from '../ui/e2e-harness.ts';
import { startCli, type LongRunning } from './run-cli.ts';

const tmp = tempDir();
const running: LongRunning[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((r) => r.stop('SIGKILL')));
});
afterAll(() => tmp.cleanup());

function refuses(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port) }, () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

/** Every process below `pid` (children, grandchildren…). */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((r) => r.length === 2 && r[0] > 0);
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of rows) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

async function allExit(pids: number[], timeoutMs = 15_000): Promise<number[]> {
  const end = Date.now() + timeoutMs;
  let alive = pids.filter(pidAlive);
  while (alive.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    alive = alive.filter(pidAlive);
  }
  return alive;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function postTrace(collectorUrl: string, json: string): Promise<number> {
  const res = await fetch(`${collectorUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json });
  await res.arrayBuffer();
  return res.status;
}

describe('faultline collector', () => {
  it('listens on the port it prints, stores what it acknowledged, stops on SIGINT', async () => {
    const db = join(tmp.dir, 'collector.db');
    const c = startCli(['collector', '--otlp-port', '0', '--db', db]);
    running.push(c);
    const [, url] = await c.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const out = c.output().stdout;
    expect(out).toContain(`Point services at it: OTEL_EXPORTER_OTLP_ENDPOINT=${url}`);
    expect(out).toContain(`Database: ${db} (keeping 7d of data)`);
    const t = sdkTrace();
    expect(await postTrace(url, t.json)).toBe(200);
    expect(await c.stop('SIGINT')).toBe(0);
    expect(c.output().stdout).toContain('Faultline collector stopped (SIGINT).');
    expect(await refuses(url)).toBe(true);
    const store = openStore(db);
    try {
      expect(store.getTrace(t.spans[0].spanContext().traceId)).toHaveLength(4);
    } finally {
      store.close();
    }
  });

  it('started by hand, runs the collector with its runtime settings, which stops on its own if the command is killed', async () => {
    // node takes --single-threaded-gc, and glibc MALLOC_ARENA_MAX, only when a process starts:
    // the command runs the collector in a child node process that has both.
    const c = startCli(['collector', '--otlp-port', '0', '--db', join(tmp.dir, 'flags.db')]);
    running.push(c);
    const [, url] = await c.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
    const below = descendants(c.child.pid!);
    const collectors = below.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--single-threaded-gc'));
    expect(collectors).toHaveLength(1);
    const env = readFileSync(`/proc/${collectors[0]}/environ`, 'utf8').split('\0');
    expect(env).toContain(`MALLOC_ARENA_MAX=${collectorEnv(process.env).MALLOC_ARENA_MAX}`);
    expect(await postTrace(url, sdkTrace().json)).toBe(200);

    await c.stop('SIGKILL');
    expect(await allExit(below)).toEqual([]);
    expect(await refuses(url)).toBe(true);
  });

  it('also stops on SIGTERM; --retention 0 keeps everything', async () => {
    const c = startCli(['collector', '--otlp-port', '0', '--db', join(tmp.dir, 'term.db'), '--retention', '0']);
    running.push(c);
    await c.waitFor(/listening on/);
    expect(c.output().stdout).toContain(`Database: ${join(tmp.dir, 'term.db')} (keeping everything)`);
    expect(await c.stop('SIGTERM')).toBe(0);
  });

  it('a port already in use is a clear error, exit 1', async () => {
    const first = startCli(['collector', '--otlp-port', '0', '--db', join(tmp.dir, 'busy.db')]);
    running.push(first);
    const [, port] = await first.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    const second = startCli(['collector', '--otlp-port', port, '--db', join(tmp.dir, 'busy2.db')]);
    running.push(second);
    expect(await second.stop('SIGCONT')).toBe(1);
    expect(second.output().stderr).toContain(`port ${port} on 127.0.0.1 is already in use; pick another with --otlp-port`);
  });
});

describe('faultline serve', () => {
  // serve runs the production build when there is one (what users run); building once, under
  // the harness's lock, also keeps parallel test files from racing two `next dev` servers.
  beforeAll(() => ensureDashboardBuild(), 15 * 60_000);

  it('runs the dashboard and a collector in child processes; Ctrl-C stops every one', async () => {
    const db = join(tmp.dir, 'serve.db');
    const s = startCli(['serve', '--port', '0', '--otlp-port', '0', '--db', db, '--retention', '30d']);
    running.push(s);
    await s.waitFor(/Press Ctrl-C to stop\./);
    const out = s.output().stdout;
    const dashboard = /Dashboard {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    const collector = /Collector {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    expect(out).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${collector}`);
    expect(out).toContain(`Database   ${db}  (keeping 30d of data)`);
    expect(out).toMatch(/Dashboard {2}http:\S+ {2}\(production build\)/);

    // The collector is not the serve process: ingest never shares the dashboard's event loop.
    const health = (await (await fetch(`${collector}/healthz`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    const t = sdkTrace();
    expect(await postTrace(collector, t.json)).toBe(200);
    const page = await fetch(dashboard, { signal: AbortSignal.timeout(150_000) });
    expect(page.status).toBe(200);

    const childPids = descendants(s.child.pid!);
    expect(childPids.length).toBeGreaterThanOrEqual(2);

    expect(await s.stop('SIGINT')).toBe(0);
    expect(s.output().stdout).toContain('Faultline stopped.');
    expect(await refuses(dashboard)).toBe(true);
    expect(await refuses(collector)).toBe(true);
    expect(await allExit(childPids)).toEqual([]);
    const store = openStore(db);
    try {
      expect(store.getTrace(t.spans[0].spanContext().traceId)).toHaveLength(4);
    } finally {
      store.close();
    }
  }, 240_000);

  it('Ctrl-C while it is still starting stops what it started', async () => {
    const s = startCli(['serve', '--port', '0', '--otlp-port', '0', '--db', join(tmp.dir, 'early.db')]);
    running.push(s);
    let below: number[] = [];
    for (let i = 0; i < 600 && below.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      below = descendants(s.child.pid!);
    }
    expect(below.length).toBeGreaterThan(0);
    expect(await s.stop('SIGINT')).toBe(0);
    expect(s.output().stdout).toContain('Stopping (SIGINT)');
    expect(await allExit(below)).toEqual([]);
  }, 120_000);

  it('if serve itself is killed (SIGKILL), the dashboard and the collector exit on their own', async () => {
    const s = startCli(['serve', '--port', '0', '--otlp-port', '0', '--db', join(tmp.dir, 'killed.db')]);
    running.push(s);
    await s.waitFor(/Press Ctrl-C to stop\./);
    const collector = /Collector {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output().stdout)![1];
    const dashboard = /Dashboard {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output().stdout)![1];
    const below = descendants(s.child.pid!);
    expect(below.length).toBeGreaterThanOrEqual(2);
    await s.stop('SIGKILL');
    expect(await allExit(below)).toEqual([]);
    expect(await refuses(dashboard)).toBe(true);
    expect(await refuses(collector)).toBe(true);
  }, 120_000);

  it('a dashboard or collector port already in use: a clear error, exit 1, nothing left running', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = String((blocker.address() as { port: number }).port);
    try {
      const dash = startCli(['serve', '--port', port, '--otlp-port', '0', '--db', join(tmp.dir, 'busy-serve.db')]);
      running.push(dash);
      expect(await dash.stop('SIGCONT')).toBe(1);
      expect(dash.output().stderr).toContain(`faultline serve: dashboard port ${port} on 127.0.0.1 is already in use; pick another with --port`);
      const otlp = startCli(['serve', '--port', '0', '--otlp-port', port, '--db', join(tmp.dir, 'busy-serve.db')]);
      running.push(otlp);
      expect(await otlp.stop('SIGCONT')).toBe(1);
      expect(otlp.output().stderr).toContain(`collector | faultline collector: port ${port} on 127.0.0.1 is already in use; pick another with --otlp-port`);
      expect(otlp.output().stderr).toContain('faultline serve: the collector could not start (exit code 1)');
      const leftovers = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(join(tmp.dir, 'busy-serve.db')));
      expect(leftovers).toEqual([]);
    } finally {
      blocker.close();
    }
  }, 120_000);
});
