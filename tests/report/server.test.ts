// `report --server URL`: a real HTTP server answering /api/v1/findings and /api/v1/graph with
// the query layer over a real SQLite store (filled from the planted shop, rolled up by the real
// live analyzer). The report over the server finds what the report over the file finds.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveAnalyzer } from '../../lib/live/analyzer.ts';
import { readTraceFile } from '../../lib/otlp/files.ts';
import { findingsApi, graphApi, Query, RollupReader } from '../../lib/query/index.ts';
import type { Report } from '../../lib/report/index.ts';
import { openStore } from '../../lib/store/index.ts';
import { PLANTED, QUIET_ENV, runCli } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'faultline-report-server-'));
const T0 = Date.UTC(2026, 0, 1);
const FROM = new Date(T0 - 60_000).toISOString();
const TO = new Date(T0 + 10 * 60_000).toISOString();
let server: Server;
let url = '';
let store: ReturnType<typeof openStore>;

beforeAll(async () => {
  const dbPath = join(dir, 'server.db');
  store = openStore(dbPath);
  for await (const b of readTraceFile(PLANTED)) store.writeBatch({ spans: b.spans, metrics: [], logs: [] });
  const live = new LiveAnalyzer({ dbUrl: dbPath });
  for (let i = 0; i < 20 && live.pass(T0 + 3_600_000).behind > 0; i++);
  live.close();
  const q = new Query({ store, rollups: new RollupReader(store.url), now: () => T0 + 10 * 60_000 });
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const route = { '/api/v1/findings': findingsApi, '/api/v1/graph': graphApi }[u.pathname];
    const r = route ? route(q, u.searchParams) : { status: 404, body: { error: `no route ${u.pathname}` } };
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('faultline report --server', () => {
  it('reports the findings and graph of the window, like the report over the file', async () => {
    const viaServer = await runCli(['report', '--server', url, '--from', FROM, '--to', TO, '-f', 'json'], { env: QUIET_ENV });
    const viaFile = await runCli(['report', '-i', PLANTED, '-f', 'json'], { env: QUIET_ENV });
    expect(viaServer.stderr).toBe('');
    expect(viaServer.code).toBe(1);
    const s = JSON.parse(viaServer.stdout) as Report;
    const f = JSON.parse(viaFile.stdout) as Report;
    expect(s.inputs).toEqual([{ source: url, format: 'server', spans: 500, rejected: 0 }]);
    expect(s.findings.map((x) => x.fingerprint)).toEqual(f.findings.map((x) => x.fingerprint));
    expect(s.window).toEqual({ fromMs: T0 - 60_000, toMs: T0 + 10 * 60_000 });
    const edges = (r: Report) => r.graph.edges.filter((e) => e.kind === 'sync').map((e) => `${e.source}->${e.target}:${e.calls}`).sort();
    expect(edges(s)).toEqual(edges(f));
  });

  it('a server error is an input error that carries the server’s message', async () => {
    const r = await runCli(['report', '--server', url, '--from', 'yesterday'], { env: QUIET_ENV });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^faultline report: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/findings\?from=yesterday: HTTP 400: from: not an RFC 3339 time or epoch milliseconds: "yesterday"\n$/);
  });

  it('a window with no spans is refused unless --allow-empty', async () => {
    const args = ['report', '--server', url, '--from', '2025-06-01T00:00:00Z', '--to', '2025-06-01T01:00:00Z'];
    expect((await runCli(args, { env: QUIET_ENV })).code).toBe(2);
    const ok = await runCli([...args, '--allow-empty'], { env: QUIET_ENV });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('PASS');
  });
});
