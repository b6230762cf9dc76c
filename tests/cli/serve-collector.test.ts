// The long-running commands through the real bin: they listen where they say, accept OTLP,
// commit what they acknowledged, and stop cleanly on Ctrl-C (SIGINT) or SIGTERM.
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../lib/store/index.ts';
import { tempDir } from '../import/helpers.ts';
import { sdkTrace } from '../import/otel-sdk-json.ts';
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
    expect(out).toContain(`Database: ${db}`);
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

  it('also stops on SIGTERM', async () => {
    const c = startCli(['collector', '--otlp-port', '0', '--db', join(tmp.dir, 'term.db')]);
    running.push(c);
    await c.waitFor(/listening on/);
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
  it('runs the dashboard and a collector in child processes; Ctrl-C stops every one', async () => {
    const db = join(tmp.dir, 'serve.db');
    const s = startCli(['serve', '--port', '0', '--otlp-port', '0', '--db', db]);
    running.push(s);
    await s.waitFor(/Press Ctrl-C to stop\./);
    const out = s.output().stdout;
    const dashboard = /Dashboard {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    const collector = /Collector {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1];
    expect(out).toContain(`OTEL_EXPORTER_OTLP_ENDPOINT=${collector}`);
    expect(out).toContain(`Database   ${db}`);

    // The collector is not the serve process: ingest never shares the dashboard's event loop.
    const health = (await (await fetch(`${collector}/healthz`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    const t = sdkTrace();
    expect(await postTrace(collector, t.json)).toBe(200);
    const page = await fetch(dashboard, { signal: AbortSignal.timeout(150_000) });
    expect(page.status).toBe(200);

    const { execFileSync } = await import('node:child_process');
    const childPids = execFileSync('ps', ['-o', 'pid=', '--ppid', String(s.child.pid)], { encoding: 'utf8' })
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
    expect(childPids.length).toBe(2);

    expect(await s.stop('SIGINT')).toBe(0);
    expect(s.output().stdout).toContain('Faultline stopped.');
    expect(await refuses(dashboard)).toBe(true);
    expect(await refuses(collector)).toBe(true);
    expect(childPids.filter(pidAlive)).toEqual([]);
    const store = openStore(db);
    try {
      expect(store.getTrace(t.spans[0].spanContext().traceId)).toHaveLength(4);
    } finally {
      store.close();
    }
  }, 240_000);
});
