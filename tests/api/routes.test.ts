// The /api/v1 route handlers called directly with real Requests, over a real SQLite store filled
// through the store API and analyzed by the real live analyzer: JSON shapes, 400 reasons, 404s.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveAnalyzer } from '../../lib/live/analyzer.ts';
import { openStore } from '../../lib/store/index.ts';
import type { FindingsResponse, GraphResponse, ServiceRedResponse, ServicesResponse, TraceResponse, TracesResponse } from '../../lib/query/types.ts';
import { callTrace, span, T0_MS, tid } from '../live/helpers.ts';
import * as findingsRoute from '../../app/api/v1/findings/route.ts';
import * as graphRoute from '../../app/api/v1/graph/route.ts';
import * as redRoute from '../../app/api/v1/services/[name]/red/route.ts';
import * as servicesRoute from '../../app/api/v1/services/route.ts';
import * as traceRoute from '../../app/api/v1/traces/[traceId]/route.ts';
import * as tracesRoute from '../../app/api/v1/traces/route.ts';

// Route modules open the store lazily, on their first request: FAULTLINE_DB is set before that.
const r = { graph: graphRoute, services: servicesRoute, red: redRoute, traces: tracesRoute, trace: traceRoute, findings: findingsRoute };

const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-api-'));
const dbPath = path.join(dir, 'api.db');
process.env.FAULTLINE_DB = dbPath;

const FROM = new Date(T0_MS - 60_000).toISOString();
const TO = String(T0_MS + 10 * 60_000);
const win = `from=${encodeURIComponent(FROM)}&to=${TO}`;

async function get<T = unknown>(res: Response | Promise<Response>): Promise<{ status: number; body: T }> {
  const x = await res;
  expect(x.headers.get('content-type')).toMatch(/application\/json/);
  return { status: x.status, body: (await x.json()) as T };
}
const req = (p: string) => new Request(`http://localhost${p}`);
const params = <T>(v: T) => ({ params: Promise.resolve(v) });

beforeAll(() => {
  const store = openStore(dbPath);
  const db = { 'db.system.name': 'mysql', 'server.address': 'db1', 'db.namespace': 'shop' };
  const spans = [];
  for (let i = 0; i < 6; i++) {
    const t = callTrace(`t${i}`, 'web', 'orders', { start: i * 1000, error: i === 0 });
    spans.push(t.root, t.client, t.server);
    spans.push(span({ trace: `t${i}`, id: 'q', parent: 'srv', service: 'orders', kind: 'client', start: i * 1000 + 8, dur: 3, attrs: { ...db, 'db.query.text': 'UPDATE stock SET n = n - 1' } }));
  }
  spans.push(span({ trace: 'b1', id: 'root', service: 'billing', kind: 'server', name: 'POST /pay', start: 2000, dur: 12, attrs: { 'http.response.status_code': 500 }, error: true }));
  spans.push(span({ trace: 'b1', id: 'q', parent: 'root', service: 'billing', kind: 'client', start: 2001, dur: 2, attrs: { ...db, 'db.query.text': 'UPDATE stock SET n = 0' } }));
  store.writeBatch({ spans, metrics: [], logs: [] });
  store.close();
  const a = new LiveAnalyzer({ dbUrl: dbPath });
  a.pass(T0_MS + 60_000);
  a.close();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /api/v1/graph', () => {
  it('answers the graph of the window', async () => {
    const { status, body } = await get<GraphResponse>(r.graph.GET(req(`/api/v1/graph?${win}`)));
    expect(status).toBe(200);
    expect(body.window).toEqual({ fromMs: T0_MS - 60_000, toMs: T0_MS + 10 * 60_000 });
    expect(body.nodes.map((n) => `${n.kind}:${n.id}`)).toEqual(['service:billing', 'client:client', 'database:db:mysql|db1|shop', 'service:orders', 'service:web']);
    const e = body.edges.find((x) => x.id === 'web->orders|sync')!;
    expect(e).toMatchObject({ source: 'web', target: 'orders', kind: 'sync', calls: 6, errors: 1, errorRate: 0.167, paired: 6, unpaired: 0 });
    expect(Object.keys(e).sort()).toEqual(
      ['id', 'source', 'target', 'kind', 'calls', 'errors', 'errorRate', 'ratePerSec', 'p50Ms', 'p75Ms', 'p95Ms', 'p99Ms', 'serverP50Ms', 'serverP95Ms', 'serverP99Ms', 'paired', 'unpaired', 'traceIds'].sort(),
    );
    expect(e.ratePerSec).toBeCloseTo(6 / 660, 5);
    const dbNode = body.nodes.find((n) => n.kind === 'database')!;
    expect(dbNode.tables).toEqual([{ name: 'stock', readers: [], writers: ['billing', 'orders'], counts: { billing: { reads: 0, writes: 1 }, orders: { reads: 0, writes: 6 } } }]);
    expect(body.quality).toEqual({ unpairedClientSpans: 0, latePairs: 0, unpairedProducerSpans: 0 });
    expect(body.freshness).toMatchObject({ spansBehind: 0, pendingClientSpans: 0 });
  });

  it.each([
    ['from=yesterday', 'from: not an RFC 3339 time or epoch milliseconds: "yesterday"'],
    ['to=2026-13-45T00:00:00Z', 'to: not a valid time: "2026-13-45T00:00:00Z"'],
    [`from=${T0_MS}&to=${T0_MS}`, 'from: must be before to'],
    ['from=12', 'from: out of range (epoch milliseconds between 1990 and 2200 expected)'],
  ])('refuses %s with 400', async (qs, message) => {
    const { status, body } = await get(r.graph.GET(req(`/api/v1/graph?${qs}`)));
    expect(status).toBe(400);
    expect(body).toEqual({ error: message });
  });
});

describe('GET /api/v1/services and /services/{name}/red', () => {
  it('lists services by impact with sparklines at the step', async () => {
    const { status, body } = await get<ServicesResponse>(r.services.GET(req(`/api/v1/services?${win}&step=5m`)));
    expect(status).toBe(200);
    expect(body.stepMs).toBe(300_000);
    expect(body.services.map((s) => [s.name, s.calls, s.impactRank])).toEqual([
      ['web', 6, 1],
      ['orders', 6, 2],
      ['billing', 1, 3],
    ]);
    const web = body.services[0];
    expect(web).toMatchObject({ errors: 0, errorRate: 0, operations: 1, impactMs: 240, meanMs: 40 });
    expect(body.services[1]).toMatchObject({ name: 'orders', errors: 1, errorRate: 0.167 });
    expect(web.sparkline).toHaveLength(3);
    expect(web.sparkline.reduce((n, p) => n + p.calls, 0)).toBe(6);
  });

  it.each([
    ['step=30s', 'step: must be at least 60s (rollups are per minute)'],
    ['step=90s', 'step: must be a whole number of minutes (rollups are per minute)'],
    ['step=fast', 'step: not a duration (e.g. 250ms, 1.5s, 5m, or milliseconds): "fast"'],
  ])('refuses %s with 400', async (qs, message) => {
    const { status, body } = await get(r.services.GET(req(`/api/v1/services?${win}&${qs}`)));
    expect(status).toBe(400);
    expect(body).toEqual({ error: message });
  });

  it('answers one service: series, operations, upstream and downstream', async () => {
    const { status, body } = await get<ServiceRedResponse>(r.red.GET(req(`/api/v1/services/orders/red?${win}&step=60000`), params({ name: 'orders' })));
    expect(status).toBe(200);
    expect(body.service).toBe('orders');
    expect(body.series).toHaveLength(11);
    expect(body.totals).toMatchObject({ calls: 6, errors: 1 });
    expect(body.operations.map((o) => [o.operation, o.calls])).toEqual([['GET /item', 6]]);
    expect(body.upstream.map((d) => [d.id, d.kind, d.edgeKind, d.calls])).toEqual([['web', 'service', 'sync', 6]]);
    expect(body.downstream.map((d) => [d.id, d.kind, d.edgeKind, d.calls])).toEqual([['db:mysql|db1|shop', 'database', 'db', 6]]);
  });

  it('answers 404 for a service never seen', async () => {
    const { status, body } = await get(r.red.GET(req(`/api/v1/services/nope/red?${win}`), params({ name: 'nope' })));
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'service not found: nope' });
  });
});

describe('GET /api/v1/traces and /traces/{traceId}', () => {
  it('searches by service, duration, status and attribute', async () => {
    const all = await get<TracesResponse>(r.traces.GET(req(`/api/v1/traces?${win}&service=web`)));
    expect(all.status).toBe(200);
    expect(all.body.traces).toHaveLength(6);
    expect(all.body).toMatchObject({ limit: 20, truncated: false });
    expect(Object.keys(all.body.traces[0]).sort()).toEqual(['durationMs', 'errorCount', 'rootName', 'rootService', 'services', 'spanCount', 'startMs', 'startNs', 'traceId'].sort());
    const errors = await get<TracesResponse>(r.traces.GET(req(`/api/v1/traces?${win}&service=web&status=error`)));
    expect(errors.body.traces.map((t) => t.traceId)).toEqual([tid('t0')]);
    const slow = await get<TracesResponse>(r.traces.GET(req(`/api/v1/traces?${win}&service=billing&minDuration=10ms&attr=http.response.status_code=500`)));
    expect(slow.body.traces.map((t) => t.traceId)).toEqual([tid('b1')]);
    const none = await get<TracesResponse>(r.traces.GET(req(`/api/v1/traces?${win}&service=billing&minDuration=1s`)));
    expect(none.body.traces).toEqual([]);
    const limited = await get<TracesResponse>(r.traces.GET(req(`/api/v1/traces?${win}&service=web&limit=2`)));
    expect(limited.body).toMatchObject({ limit: 2, truncated: true });
    expect(limited.body.traces).toHaveLength(2);
  });

  it.each([
    ['status=broken', 'status: must be ok, error or unset, got "broken"'],
    ['limit=0', 'limit: must be between 1 and 1000'],
    ['limit=ten', 'limit: not a whole number: "ten"'],
    ['minDuration=slow', 'minDuration: not a duration (e.g. 250ms, 1.5s, 5m, or milliseconds): "slow"'],
    ['minDuration=2s&maxDuration=1s', 'minDuration: must not exceed maxDuration'],
    ['attr=novalue', 'attr: expected key=value, got "novalue"'],
  ])('refuses %s with 400', async (qs, message) => {
    const { status, body } = await get(r.traces.GET(req(`/api/v1/traces?${win}&${qs}`)));
    expect(status).toBe(400);
    expect(body).toEqual({ error: message });
  });

  it('answers one trace in waterfall order with critical path and chain depth', async () => {
    const id = tid('t1');
    const { status, body } = await get<TraceResponse>(r.trace.GET(req(`/api/v1/traces/${id}`), params({ traceId: id })));
    expect(status).toBe(200);
    expect(body).toMatchObject({ traceId: id, spanCount: 4, errorCount: 0, services: ['orders', 'web'], rootService: 'web', rootName: 'GET /api', chainDepth: 2 });
    expect(body.chainServices).toEqual(['web', 'orders']);
    expect(body.spans.map((s) => [s.service, s.kind, s.depth, s.parentIndex])).toEqual([
      ['web', 'server', 0, -1],
      ['web', 'client', 1, 0],
      ['orders', 'server', 2, 1],
      ['orders', 'client', 3, 2],
    ]);
    expect(body.criticalPath.length).toBeGreaterThan(0);
    expect(body.criticalPath).toContain(body.spans[0].spanId);
    expect(body.spans[0]).toMatchObject({ startNs: String(BigInt(T0_MS + 1000) * 1_000_000n), offsetMs: 0, durationMs: 40, onCriticalPath: true });
    expect(body.spans[3].attributes).toMatchObject({ 'db.system.name': 'mysql', 'db.query.text': 'UPDATE stock SET n = n - 1' });
  });

  it('answers 400 for a malformed id and 404 for an unknown one', async () => {
    const bad = await get(r.trace.GET(req('/api/v1/traces/xyz'), params({ traceId: 'xyz' })));
    expect(bad).toEqual({ status: 400, body: { error: 'traceId: must be 32 hexadecimal characters' } });
    const id = 'ab'.repeat(16);
    const missing = await get(r.trace.GET(req(`/api/v1/traces/${id}`), params({ traceId: id })));
    expect(missing).toEqual({ status: 404, body: { error: `trace not found: ${id}` } });
  });
});

describe('GET /api/v1/findings', () => {
  it('runs every rule over the window and reports the JSON report shape', async () => {
    const { status, body } = await get<FindingsResponse>(r.findings.GET(req(`/api/v1/findings?${win}`)));
    expect(status).toBe(200);
    expect(body).toMatchObject({ sampled: false, spansAnalyzed: 26, traces: 7, spanLimit: 200_000 });
    const shared = body.findings.find((f) => f.rule === 'shared-database');
    expect(shared).toBeDefined();
    expect(shared!.services).toEqual(['billing', 'orders']);
    for (const f of body.findings) {
      expect(Object.keys(f).sort()).toEqual(['evidence', 'fingerprint', 'remediation', 'resources', 'rule', 'services', 'severity', 'title']);
      expect(['high', 'medium', 'low', 'info']).toContain(f.severity);
    }
    expect(Array.isArray(body.notEvaluated)).toBe(true);
    expect(body.score.total).toBeGreaterThan(0);
  });

  it('refuses a bad window with 400', async () => {
    const { status, body } = await get(r.findings.GET(req('/api/v1/findings?from=soon')));
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'from: not an RFC 3339 time or epoch milliseconds: "soon"' });
  });
});
