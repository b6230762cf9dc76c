// GET /api/v1/circuits through its real route handler over a real SQLite store: the JSON shape,
// settings overridden per request, and a clear 400 for each bad parameter.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as circuitsRoute from '../../app/api/v1/circuits/route.ts';
import type { Span } from '../../lib/model/index.ts';
import type { CircuitsResponse } from '../../lib/query/types.ts';
import { openStore } from '../../lib/store/index.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-circuits-api-'));
const dbPath = path.join(dir, 'api.db');
process.env.FAULTLINE_DB = dbPath;
const T0 = Date.UTC(2026, 10, 22, 4, 0, 0);
const ns = (ms: number) => BigInt(ms) * 1_000_000n;

function client(i: number, failed: boolean): Span {
  const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
  return {
    traceId: hex(i + 1, 32),
    spanId: hex(i + 1, 16),
    name: 'GET /search',
    kind: 'client',
    startNs: ns(T0 + i * 100),
    endNs: ns(T0 + i * 100 + 5),
    durationNs: 5_000_000,
    status: { code: failed ? 'error' : 'unset' },
    attributes: { 'service.peer.name': 'search' },
    events: [],
    links: [],
    resource: { serviceName: 'web', attributes: {} },
    scope: { name: 'test' },
  };
}

beforeAll(() => {
  const store = openStore(dbPath);
  // 6 calls, 5 failing, within 600 ms: too few for the standard breaker, enough for minCalls=5.
  store.writeBatch({ spans: [0, 1, 2, 3, 4, 5].map((i) => client(i, i > 0)), metrics: [], logs: [] });
  store.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const win = `from=${T0 - 60_000}&to=${T0 + 60_000}`;
async function get(q: string): Promise<{ status: number; body: unknown }> {
  const res = circuitsRoute.GET(new Request(`http://localhost/api/v1/circuits?${q}`));
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  return { status: res.status, body: await res.json() };
}

describe('GET /api/v1/circuits', () => {
  it('inferred circuit per edge with the default standard breaker', async () => {
    const { status, body } = await get(win);
    expect(status).toBe(200);
    const r = body as CircuitsResponse;
    expect(r.settings).toEqual({ failureRateThreshold: 0.5, minimumCalls: 10, windowMs: 10_000, openMs: 30_000 });
    expect(r.window).toEqual({ fromMs: T0 - 60_000, toMs: T0 + 60_000 });
    expect(r.spansRead).toBe(6);
    expect(r.circuits).toHaveLength(1);
    expect(r.circuits[0]).toMatchObject({ id: 'inferred:web->search', caller: 'web', callee: 'search', source: 'inferred', state: 'closed', calls: 6, failures: 5, failureRate: 0.833, transitions: [] });
  });

  it('minCalls, failureRate, window and openFor override it', async () => {
    // The 5th call (4 of 5 failed) tips it.
    const open = (await get(`${win}&minCalls=5&openFor=2m`)).body as CircuitsResponse;
    expect(open.circuits[0]).toMatchObject({ state: 'open', transitions: [{ atMs: T0 + 4 * 100 + 5, from: 'closed', to: 'open' }] });
    expect(open.settings.openMs).toBe(120_000);
    const half = (await get(`${win}&minCalls=5&openFor=30s`)).body as CircuitsResponse;
    expect(half.circuits[0].state).toBe('half_open');
    const strict = (await get(`${win}&minCalls=5&failureRate=90%25`)).body as CircuitsResponse;
    expect(strict.circuits[0].state).toBe('closed');
    const narrow = (await get(`${win}&minCalls=5&window=300ms`)).body as CircuitsResponse;
    expect(narrow.circuits[0].state).toBe('closed');
  });

  it.each([
    ['failureRate=abc', 'failureRate'],
    ['failureRate=150%25', 'failureRate'],
    ['failureRate=0', 'failureRate'],
    ['minCalls=0', 'minCalls'],
    ['minCalls=2.5', 'minCalls'],
    ['window=soon', 'window'],
    ['openFor=0', 'openFor'],
    [`from=${T0}&to=${T0 - 1}`, 'from'],
    ['from=yesterday', 'from'],
  ])('%s → 400 naming %s', async (q, param) => {
    const { status, body } = await get(q.startsWith('from') ? q : `${win}&${q}`);
    expect(status).toBe(400);
    expect((body as { error: string }).error.startsWith(`${param}:`)).toBe(true);
  });
});
