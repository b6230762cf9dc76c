// The Faro receiver over real HTTP: a real writer thread, a real SQLite file, a real Faro-shaped
// payload; CORS, API key, rate limit, size limit, gzip, and no fetch of any URL a payload names.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorMetrics } from '../../collector/metrics.ts';
import type { FaroOptions } from '../../collector/receivers/faro.ts';
import { createServer, listen } from '../../collector/server.ts';
import { WriterClient } from '../../collector/writer.ts';
import { faroPayload } from './faro-payload.ts';
import { startTestCollector, tempDir, withStore } from './helpers.ts';

interface Running {
  url: string;
  dbPath: string;
  close(): Promise<void>;
}

/** The collector's own server and writer thread, with explicit Faro options. */
async function startFaroServer(faro: FaroOptions): Promise<Running> {
  const dir = tempDir();
  const dbPath = path.join(dir, 'faro.db');
  const metrics = new CollectorMetrics(() => ({ queueBytes: 0, queueRequests: 0, queueCapacityBytes: 0, writerUp: true }));
  const writer = await WriterClient.start({ dbUrl: dbPath, maxGroupItems: 16_384 }, 64 * 1024 * 1024, () => metrics);
  const server = createServer({ writer, metrics, maxBodyBytes: 20 * 1024 * 1024, faro });
  const port = await listen(server, 0, '127.0.0.1');
  const w = writer;
  return {
    url: `http://127.0.0.1:${port}`,
    dbPath,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await w.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const ORIGIN = 'http://dash.example:3000';
let srv: Running;
let limited: Running;
// Any request to this server is a failure: it stands for a URL a payload names.
let sentinelHits = 0;
let sentinel: http.Server;
let sentinelUrl: string;

beforeAll(async () => {
  sentinel = http.createServer((req, res) => {
    sentinelHits++;
    res.end('{}');
  });
  await new Promise<void>((r) => sentinel.listen(0, '127.0.0.1', () => r()));
  sentinelUrl = `http://127.0.0.1:${(sentinel.address() as AddressInfo).port}`;
  srv = await startFaroServer({ allowedOrigins: [ORIGIN], apiKey: 'k-123', ratePerSec: 100, burst: 100, maxBodyBytes: 5 * 1024 * 1024 });
  limited = await startFaroServer({ allowedOrigins: ['*'], ratePerSec: 0.5, burst: 2, maxBodyBytes: 5 * 1024 * 1024 });
});

afterAll(async () => {
  await srv?.close();
  await limited?.close();
  await new Promise<void>((r) => sentinel.close(() => r()));
});

function post(base: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  return fetch(`${base}/collect`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { 'content-type': 'application/json', origin: ORIGIN, 'x-api-key': 'k-123', ...headers } });
}

describe('POST /collect', () => {
  it('stores browser spans, logs, exceptions, events and web vitals, and answers 202 with CORS headers', async () => {
    const { payload, traceId } = faroPayload('shop-web', sentinelUrl);
    const res = await post(srv.url, JSON.stringify(payload));
    expect(res.status).toBe(202);
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(res.headers.get('access-control-expose-headers')).toContain('Retry-After');
    withStore(srv.dbPath, (store) => {
      const spans = store.getTrace(traceId);
      expect(spans.map((s) => s.resource.serviceName)).toEqual(['shop-web', 'shop-web']);
      expect(store.listServices()).toContain('shop-web');
      const logs = store.queryLogs({ service: 'shop-web' });
      expect(logs.map((l) => l.eventName ?? l.body).sort()).toEqual(['cart loaded', 'exception', 'session_start', 'slow image']);
      expect(logs.filter((l) => l.traceId === traceId)).toHaveLength(2);
      const vitals = store.queryMetrics({ service: 'shop-web' });
      expect(vitals.map((m) => m.name).sort()).toEqual(['browser.web_vital.cls', 'browser.web_vital.lcp', 'browser.web_vital.ttfb']);
    });
    expect(sentinelHits).toBe(0);
  });

  it('accepts a gzip body (the SDK compresses when asked)', async () => {
    const { payload, traceId } = faroPayload('shop-web-gz');
    const res = await post(srv.url, zlib.gzipSync(JSON.stringify(payload)), { 'content-encoding': 'gzip' });
    expect(res.status).toBe(202);
    withStore(srv.dbPath, (store) => expect(store.getTrace(traceId)).toHaveLength(2));
  });

  it('answers a preflight from an allowed origin and refuses others', async () => {
    const ok = await fetch(`${srv.url}/collect`, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-api-key,x-faro-session-id' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toContain('x-faro-session-id');
    const bad = await fetch(`${srv.url}/collect`, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
    expect(bad.status).toBe(403);
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a post from an origin not on the list and stores nothing', async () => {
    const { payload, traceId } = faroPayload('evil-app');
    const res = await post(srv.url, JSON.stringify(payload), { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    withStore(srv.dbPath, (store) => expect(store.getTrace(traceId)).toHaveLength(0));
  });

  it('needs the API key when one is configured', async () => {
    const body = JSON.stringify(faroPayload().payload);
    expect((await post(srv.url, body, { 'x-api-key': 'wrong' })).status).toBe(401);
    const noKey = await fetch(`${srv.url}/collect`, { method: 'POST', body, headers: { 'content-type': 'application/json', origin: ORIGIN } });
    expect(noKey.status).toBe(401);
  });

  it('refuses bodies over 5 MiB, raw or inflated', async () => {
    const big = JSON.stringify({ meta: { app: { name: 'a' } }, logs: [{ message: 'x'.repeat(6 * 1024 * 1024), level: 'info' }] });
    const raw = await post(srv.url, big);
    expect(raw.status).toBe(413);
    const bomb = await post(srv.url, zlib.gzipSync(big), { 'content-encoding': 'gzip' });
    expect(bomb.status).toBe(413);
  });

  it('answers 400 for bad JSON or a payload without meta.app.name, 415 for other media types, 405 for GET', async () => {
    const bad = await post(srv.url, '{"meta":');
    expect(bad.status).toBe(400);
    const noApp = await post(srv.url, JSON.stringify({ meta: {}, logs: [] }));
    expect(noApp.status).toBe(400);
    expect(((await noApp.json()) as { message: string }).message).toContain('meta');
    expect((await post(srv.url, '<x/>', { 'content-type': 'application/xml' })).status).toBe(415);
    expect((await fetch(`${srv.url}/collect`)).status).toBe(405);
  });

  it('rate-limits each client with 429 and Retry-After', async () => {
    const body = JSON.stringify(faroPayload('limited-app').payload);
    const codes: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${limited.url}/collect`, { method: 'POST', body, headers: { 'content-type': 'application/json', origin: 'http://anything.example' } });
      codes.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(codes.slice(0, 2)).toEqual([202, 202]);
    expect(codes.slice(2)).toEqual([429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another client (its own API key) has its own budget.
    const other = await fetch(`${limited.url}/collect`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-api-key': 'another-client' } });
    expect(other.status).toBe(202);
  });
});

describe('POST /collect through startCollector with the default settings', () => {
  it('allows the dashboard origin on FAULTLINE_PORT and refuses other origins', async () => {
    process.env.FAULTLINE_PORT = '3217';
    const c = await startTestCollector();
    try {
      const { payload, traceId } = faroPayload('dash-self');
      const ok = await fetch(`${c.collector.url}/collect`, { method: 'POST', body: JSON.stringify(payload), headers: { 'content-type': 'application/json', origin: 'http://localhost:3217' } });
      expect(ok.status).toBe(202);
      const no = await fetch(`${c.collector.url}/collect`, { method: 'POST', body: JSON.stringify(payload), headers: { 'content-type': 'application/json', origin: 'http://localhost:3218' } });
      expect(no.status).toBe(403);
      withStore(c.dbPath, (store) => expect(store.getTrace(traceId)).toHaveLength(2));
      const m = await (await fetch(`${c.collector.url}/metrics`)).text();
      expect(m).toContain('reason="faro_origin"');
    } finally {
      delete process.env.FAULTLINE_PORT;
      await c.cleanup();
    }
  });
});
