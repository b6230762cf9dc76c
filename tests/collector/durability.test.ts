// Acknowledgement means committed: duplicates stored once, every acknowledged span survives a
// restart and even a SIGKILL of the collector process; overload and a locked database answer
// 503 with Retry-After (retryable), never 500; a gzip bomb does not inflate in memory.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { forkCollector, startCollector } from '../../collector/index.ts';
import { type TestCollector, metricValue, startTestCollector, tempDir, withStore } from './helpers.ts';
import { encodeTraceRequestProto, ids, send } from './wire-helpers.ts';

const PROTO_CT = { 'Content-Type': 'application/x-protobuf' };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function batch(service: string, n: number) {
  const { traceId, spanIds } = ids(n);
  return { traceId, spanIds, body: encodeTraceRequestProto(service, spanIds.map((spanId, i) => ({ traceId, spanId, name: `op ${i}` }))) };
}

describe('idempotent delivery', () => {
  it('stores a redelivered batch once and counts the duplicates', async () => {
    const tc: TestCollector = await startTestCollector();
    cleanups.push(() => tc.cleanup());
    const b = batch('dup', 50);
    const url = `${tc.collector.url}/v1/traces`;
    expect((await send(url, { headers: PROTO_CT, body: b.body })).status).toBe(200);
    expect((await send(url, { headers: PROTO_CT, body: b.body })).status).toBe(200);
    const stored = withStore(tc.dbPath, (s) => s.getTrace(b.traceId));
    expect(stored).toHaveLength(50);
    expect(await metricValue(tc.collector.url, 'faultline_collector_duplicate_items_total{signal="traces",item="spans"}')).toBe(50);
  });
});

describe('restarts keep every acknowledged span', () => {
  it('after a graceful close and a new collector on the same database', async () => {
    const dir = tempDir();
    const dbPath = path.join(dir, 'restart.db');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const first = await startCollector({ port: 0, dbUrl: dbPath, retentionMs: 0 });
    const batches = Array.from({ length: 20 }, () => batch('restart', 100));
    // Concurrent sends so several requests share group commits.
    const statuses = await Promise.all(batches.map((b) => send(`${first.url}/v1/traces`, { headers: PROTO_CT, body: b.body }).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await first.close();
    const second = await startCollector({ port: 0, dbUrl: dbPath, retentionMs: 0 });
    cleanups.push(() => second.close());
    const more = batch('restart', 10);
    expect((await send(`${second.url}/v1/traces`, { headers: PROTO_CT, body: more.body })).status).toBe(200);
    withStore(dbPath, (s) => {
      for (const b of [...batches, more]) expect(s.getTrace(b.traceId).map((x) => x.spanId).sort()).toEqual([...b.spanIds].sort());
    });
  });

  it('after SIGKILL of the collector process mid-stream', async () => {
    const dir = tempDir();
    const dbPath = path.join(dir, 'kill.db');
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const child = await forkCollector({ port: 0, dbUrl: dbPath, retentionMs: 0 });
    cleanups.push(() => child.close());
    const url = `${child.url}/v1/traces`;
    const acked: ReturnType<typeof batch>[] = [];
    let stop = false;
    const senders = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const b = batch('killed', 200);
        const status = await send(url, { headers: PROTO_CT, body: b.body }).then(
          (r) => r.status,
          () => -1,
        );
        if (status === 200) acked.push(b);
      }
    });
    // Kill once a fair number of batches are acknowledged, while others are in flight.
    while (acked.length < 25) await new Promise((r) => setTimeout(r, 10));
    process.kill(child.pid, 'SIGKILL');
    stop = true;
    await Promise.all(senders);
    expect(acked.length).toBeGreaterThanOrEqual(25);
    withStore(dbPath, (s) => {
      for (const b of acked) expect(s.getTrace(b.traceId)).toHaveLength(200);
    });
  });
});

describe('overload and a busy database are retryable, never 500', () => {
  it('answers 503 + Retry-After when the queue is full and when the store stays locked', async () => {
    const tc = await startTestCollector({ queueBytes: 1 });
    cleanups.push(() => tc.cleanup());
    const url = `${tc.collector.url}/v1/traces`;
    // Another connection holds the write lock: the writer waits (busy timeout), then gives up.
    const locker = new Database(tc.dbPath);
    locker.exec('BEGIN IMMEDIATE');
    cleanups.push(() => {
      if (locker.inTransaction) locker.exec('ROLLBACK');
      locker.close();
    });
    const stuck = batch('busy', 5);
    const first = send(url, { headers: PROTO_CT, body: stuck.body });
    // Let the first request reach the writer, then the queue (1 byte) is full.
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 20));
      if ((await metricValue(tc.collector.url, 'faultline_collector_queue_requests')) > 0) break;
    }
    const second = await send(url, { headers: PROTO_CT, body: batch('busy', 5).body });
    expect(second.status).toBe(503);
    expect(second.headers['retry-after']).toBe('1');
    const firstRes = await first;
    expect(firstRes.status).toBe(503);
    expect(firstRes.headers['retry-after']).toBe('1');
    locker.exec('ROLLBACK');
    // The client's retry succeeds once the lock is gone.
    const retry = await send(url, { headers: PROTO_CT, body: stuck.body });
    expect(retry.status).toBe(200);
    expect(withStore(tc.dbPath, (s) => s.getTrace(stuck.traceId))).toHaveLength(5);
    expect(await metricValue(tc.collector.url, 'faultline_collector_dropped_items_total{signal="traces",item="spans"}')).toBe(5);
  });
});

describe('gzip bomb', () => {
  it('is refused with 413 without inflating in memory (collector RSS stays flat)', async () => {
    const dir = tempDir();
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const child = await forkCollector({ port: 0, dbUrl: path.join(dir, 'bomb.db'), retentionMs: 0 });
    cleanups.push(() => child.close());
    // 1 GiB of zeros, about 1 MiB compressed, built in a stream so this process stays small too.
    const gz = zlib.createGzip({ level: 9 });
    const parts: Buffer[] = [];
    gz.on('data', (c: Buffer) => parts.push(c));
    const done = new Promise((r) => gz.on('end', r));
    const zeros = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 1024; i++) if (!gz.write(zeros)) await new Promise((r) => gz.once('drain', r));
    gz.end();
    await done;
    const bomb = Buffer.concat(parts);
    expect(bomb.length).toBeLessThan(20 * 1024 * 1024);
    const hwm = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
    const before = hwm();
    const res = await send(`${child.url}/v1/traces`, { headers: { ...PROTO_CT, 'Content-Encoding': 'gzip' }, body: bomb });
    expect(res.status).toBe(413);
    const grown = hwm() - before;
    // Inflating would need 1024 MiB; the 20 MiB limit plus zlib's chunk is all that may be held.
    expect(grown).toBeLessThan(64);
    const health = await send(`${child.url}/healthz`, { method: 'GET' });
    expect(health.status).toBe(200);
  });
});
