// Whole findings over the public Zipkin fixtures (shared/fixtures/README.md says what each holds).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { decodeZipkinSpans } from '../../../lib/otlp/zipkin.ts';
import type { Span } from '../../../lib/model/index.ts';
import { analyze } from './helpers.ts';
import { ZIPKIN_FIXTURES_URL as FIXTURES } from '../../shared.ts';

function load(name: string): Span[] {
  const r = decodeZipkinSpans(JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')));
  expect(r.items.length).toBeGreaterThan(0);
  return r.items;
}

const summary = (r: ReturnType<typeof analyze>) => r.findings.map((f) => `${f.severity} ${f.rule}: ${f.title}`);

describe('golden: yelp.json', () => {
  const r = analyze(load('yelp.json'));

  it('mysql used by yelp-main alone is not a shared database', () => {
    // Evaluated (no other service uses mysql), not merely skipped; memcache is a cache.
    expect(r.notEvaluated.find((n) => n.rule === 'shared-database')).toBeUndefined();
    expect(r.findings.filter((f) => f.rule === 'shared-database')).toEqual([]);
    expect(r.findings.filter((f) => f.rule === 'service-intimacy')).toEqual([]);
  });

  it('finds nothing else in one healthy production request', () => {
    expect(summary(r)).toEqual([]);
  });
});

describe('golden: ascend.json', () => {
  const r = analyze(load('ascend.json'));

  it('the hystrix span is circuit-breaker evidence in content-service', () => {
    expect(r.breakerEvidence).toContainEqual(expect.objectContaining({ service: 'content-service', marker: 'span name hystrix' }));
  });

  it('/content/personal is unversioned; the versioned auth route is not reported', () => {
    const unversioned = r.findings.filter((f) => f.rule === 'unversioned-api');
    const routes = unversioned.flatMap((f) => f.resources.map((x) => `${f.services[0]} ${x.name}`));
    expect(routes).toContain('content-service /content/personal');
    expect(routes.some((x) => x.includes('/auth-service/v1/'))).toBe(false);
  });

  it('the gateway means no-api-gateway stays quiet', () => {
    expect(r.findings.filter((f) => f.rule === 'no-api-gateway')).toEqual([]);
    expect(r.notEvaluated.find((n) => n.rule === 'no-api-gateway')).toBeUndefined();
  });
});

describe('golden: simple-db-p6.json', () => {
  const r = analyze(load('simple-db-p6.json'));
  it('four queries under one request are below the N+1 threshold of 5', () => {
    expect(r.findings.filter((f) => f.rule === 'n-plus-one-db')).toEqual([]);
    expect(r.notEvaluated.find((n) => n.rule === 'n-plus-one-db')).toBeUndefined();
  });
});

describe('golden: smartthings-oauth-authorization.json', () => {
  const r = analyze(load('smartthings-oauth-authorization.json'));

  it('the request that leaves datamgmt for stlogin and returns is a cycle', () => {
    const cycles = r.findings.filter((f) => f.rule === 'cyclic-dependency');
    expect(cycles.map((f) => [f.severity, f.services, f.evidence.details?.path])).toEqual([['high', ['datamgmt', 'stlogin'], ['datamgmt', 'stlogin', 'datamgmt']]]);
  });

  it('the authorize endpoint runs a 5-service synchronous chain', () => {
    const chains = r.findings.filter((f) => f.rule === 'sync-chain');
    expect(chains.map((f) => [f.severity, f.resources[0].name, f.evidence.counts.maxDepth])).toEqual([['medium', 'datamgmt /oauth/authorize', 5]]);
  });

  it('scores the cycle and the chain into one cluster', () => {
    const top = r.score.clusters[0];
    expect(top.services).toEqual(expect.arrayContaining(['datamgmt', 'stlogin']));
    expect(top.findings.map((f) => f.rule)).toEqual(expect.arrayContaining(['cyclic-dependency', 'sync-chain']));
  });
});

describe('golden: messaging.json and skew.json', () => {
  it('an async hand-off and a skewed pair are not smells', () => {
    expect(summary(analyze(load('messaging.json')))).toEqual([]);
    expect(summary(analyze(load('skew.json')))).toEqual([]);
  });
});

describe('golden: every fixture', () => {
  it.each(['yelp.json', 'ascend.json', 'messaging.json', 'envoy.json', 'simple-db-p6.json', 'skew.json', 'smartthings-oauth-authorization.json'])(
    '%s analyzes without a rule failing',
    (name) => {
      const res = analyze(load(name));
      expect(res.notEvaluated.filter((n) => n.reason.startsWith('rule failed'))).toEqual([]);
      for (const f of res.findings) {
        expect(f.evidence.traceIds.length).toBeLessThanOrEqual(5);
        expect(f.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      }
    },
  );
});
