// Golden tests over real Zipkin traces nobody on this project wrote (/work/shared/fixtures).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeSpans, type AnalysisResult } from '../../lib/analysis/analyzer.ts';
import { analyzeTrace } from '../../lib/analysis/trace/analyze.ts';
import { buildTraceTree } from '../../lib/analysis/trace/tree.ts';
import type { Span } from '../../lib/model/index.ts';
import { decodeZipkinSpans } from '../../lib/otlp/zipkin.ts';
import { ZIPKIN_FIXTURES_URL as FIXTURES } from '../shared.ts';

function load(name: string): Span[] {
  const d = decodeZipkinSpans(JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')));
  expect(d.rejected).toBe(0);
  return d.items;
}
const analyze = (name: string): AnalysisResult => analyzeSpans(load(name), { now: 0 });
const edges = (r: AnalysisResult) => r.graph.edges.map((e) => `${e.source} -> ${e.target} (${e.kind} ${e.calls})`);

describe('yelp.json', () => {
  const r = analyze('yelp.json');

  it('mysql is used by yelp-main alone', () => {
    const mysql = r.graph.nodes.filter((n) => n.kind === 'database' && n.dbSystem === 'mysql');
    expect(mysql).toHaveLength(1);
    const users = r.graph.edges.filter((e) => e.target === mysql[0].id).map((e) => e.source);
    expect(users).toEqual(['yelp-main']);
  });

  it('folds the service-name aliases (yelp-main, yelp_main/api_proxy) into one node', () => {
    const services = r.graph.nodes.filter((n) => n.kind === 'service').map((n) => n.id);
    expect(services).toEqual(['mobile-api', 'routing', 'spectre', 'yelp-main']);
  });

  it('has the call graph of the request', () => {
    expect(edges(r)).toEqual([
      'client -> routing (sync 1)',
      'mobile-api -> db:memcached||@mobile-api (db 2)',
      'mobile-api -> ext:blt (sync 1)',
      'mobile-api -> spectre (sync 1)',
      'routing -> yelp-main (sync 1)',
      'yelp-main -> db:memcached||@yelp-main (db 3)',
      'yelp-main -> db:mysql||@yelp-main (db 2)',
      'yelp-main -> mobile-api (sync 1)',
    ]);
    expect(r.quality.unpairedClientSpans).toBe(1); // blt: no server half in the trace
  });

  it('chains routing → yelp-main → mobile_api → spectre synchronously', () => {
    const a = analyzeTrace(buildTraceTree(load('yelp.json')));
    expect(a.chain).toMatchObject({ depth: 4, services: ['routing', 'yelp-main', 'mobile-api', 'spectre'] });
    expect(a.criticalPath.reduce((s, c) => s + c.durationNs, 0)).toBe(a.durationNs);
  });
});

describe('skew.json', () => {
  it('servicea → serviceb pairs despite clock skew and a shared span id', () => {
    const r = analyze('skew.json');
    const e = r.graph.edges.find((x) => x.source === 'servicea' && x.target === 'serviceb');
    expect(e).toMatchObject({ kind: 'sync', calls: 1, paired: 1, unpaired: 0 });
    expect(r.quality.unpairedClientSpans).toBe(0);
    expect(edges(r)).toEqual(['client -> servicea (sync 1)', 'servicea -> serviceb (sync 1)']);
  });
});

describe('messaging.json', () => {
  it('frontend → rabbitmq topic → backend is an async edge through a queue node', () => {
    const r = analyze('messaging.json');
    const q = r.graph.nodes.find((n) => n.kind === 'queue');
    expect(q).toMatchObject({ messagingSystem: 'rabbitmq' });
    expect(edges(r)).toEqual(['client -> frontend (sync 1)', `frontend -> ${q!.id} (async 1)`, `${q!.id} -> backend (async 1)`]);
    // The async hop breaks the chain: frontend alone is depth 1.
    expect(analyzeTrace(buildTraceTree(load('messaging.json'))).chain.depth).toBe(1);
  });
});

describe('simple-db-p6.json', () => {
  it('reads tables and writes from the sql.query text', () => {
    const r = analyze('simple-db-p6.json');
    const db = r.graph.nodes.find((n) => n.kind === 'database')!;
    expect(db.id).toBe('db:unknown|app_db|');
    expect(db.tables!.map((t) => [t.name, t.writers])).toEqual([
      ['api_book', ['bootifulmeters']],
      ['api_book_aud', ['bootifulmeters']],
      ['revinfo', ['bootifulmeters']],
    ]);
    expect(r.graph.edges.find((e) => e.kind === 'db')).toMatchObject({ source: 'bootifulmeters', calls: 4 });
  });
});

describe('ascend.json', () => {
  it('mobile-gateway calls auth-service and content-service; the unnamed peer stays per caller', () => {
    const r = analyze('ascend.json');
    expect(edges(r)).toEqual([
      'client -> mobile-gateway (sync 1)',
      'content-service -> ext:unknown@content-service (sync 1)',
      'mobile-gateway -> auth-service (sync 1)',
      'mobile-gateway -> content-service (sync 1)',
    ]);
    const op = r.operations.find((o) => o.service === 'content-service');
    expect(op?.operation).toBe('get /content/personal');
  });
});

describe('envoy.json', () => {
  it('a server span with no service name is one unknown_service node behind the client node', () => {
    expect(edges(analyze('envoy.json'))).toEqual(['client -> unknown_service (sync 1)']);
  });
});

describe('smartthings-oauth-authorization.json', () => {
  it('analyzes a large production trace without losing spans', () => {
    const spans = load('smartthings-oauth-authorization.json');
    const r = analyzeSpans(spans, { now: 0 });
    expect(r.spans).toBe(spans.length);
    expect(r.traces).toBe(1);
    const t = buildTraceTree(spans);
    expect(t.nodes).toHaveLength(spans.length - t.duplicates);
    expect(r.graph.edges.find((e) => e.source === 'datamgmt' && e.target === 'auth')).toMatchObject({ kind: 'sync', paired: 20 });
    // Cassandra spans name the local service as the peer: never a self-edge.
    expect(r.graph.edges.find((e) => e.source === 'auth' && e.target === 'auth')).toBeUndefined();
  });
});
