// A collector process runs with COLLECTOR_NODE_FLAGS (single-threaded GC: the analyzer's garbage
// is collected on its own, lower-priority thread, not on helper threads at the writers' priority)
// and with glibc's malloc arenas capped at one per core (collectorEnv), unless the user set it.
// The flag is per process: its worker threads must start without it in their execArgv (a worker
// refuses it) and still ingest and analyze.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { forkCollector } from '../../collector/index.ts';
import { COLLECTOR_NODE_FLAGS } from '../../lib/runtime/workers.ts';
import { metricValue, tempDir } from './helpers.ts';
import { encodeTraceRequestProto, ids, send } from './wire-helpers.ts';

/** A process's environment as the kernel holds it (what glibc read at its start). */
function environ(pid: number): Map<string, string> {
  const vars = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return new Map(vars.map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]));
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('collector process flags', () => {
  it('a forked collector runs with them, and its writers and analyzer work', async () => {
    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const env = { ...process.env };
    delete env.MALLOC_ARENA_MAX;
    const child = await forkCollector({ port: 0, dbUrl: path.join(dir, 'flags.db'), retentionMs: 0 }, env);
    cleanups.push(() => child.close());
    const argv = fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0');
    for (const flag of COLLECTOR_NODE_FLAGS) expect(argv).toContain(flag);
    expect(environ(child.pid).get('MALLOC_ARENA_MAX')).toBe(String(Math.max(2, os.availableParallelism())));

    const { traceId, spanIds } = ids(20);
    const body = encodeTraceRequestProto('flags', spanIds.map((spanId, i) => ({ traceId, spanId, name: `op ${i}` })));
    const res = await send(`${child.url}/v1/traces`, { headers: { 'Content-Type': 'application/x-protobuf' }, body });
    expect(res.status).toBe(200);
    // The analyzer thread folds them (it passes every 500 ms).
    const deadline = Date.now() + 10_000;
    let analyzed = 0;
    while (Date.now() < deadline && (analyzed = await metricValue(child.url, 'faultline_live_spans_analyzed_total')) < 20) await new Promise((r) => setTimeout(r, 100));
    expect(analyzed).toBe(20);
    expect(await metricValue(child.url, 'faultline_live_restarts_total')).toBe(0);
  });

  it("keeps the user's own MALLOC_ARENA_MAX", async () => {
    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const child = await forkCollector({ port: 0, dbUrl: path.join(dir, 'arena.db'), retentionMs: 0, live: false }, { ...process.env, MALLOC_ARENA_MAX: '7' });
    cleanups.push(() => child.close());
    expect(environ(child.pid).get('MALLOC_ARENA_MAX')).toBe('7');
  });
});
