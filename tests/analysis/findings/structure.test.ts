// cyclic-dependency, hub-service, architecture/forbidden-dependency, no-api-gateway.
import { describe, expect, it } from 'vitest';
import type { Span } from '../../../lib/model/index.ts';
import { call, chain, config, findingsOf, notEvaluatedReason, span } from './helpers.ts';

let n = 0;
/** `times` traces of from → to, each rooted in `from`. */
function edge(from: string, to: string, times = 3): Span[] {
  const out: Span[] = [];
  for (let i = 0; i < times; i++) {
    const trace = `e${n++}`;
    out.push(span({ trace, id: 'root', service: from, kind: 'server', name: 'GET /x' }), ...call({ trace, id: 'c', parent: 'root', from, to }));
  }
  return out;
}

describe('cyclic-dependency', () => {
  it('A→B and B→A, each seen 3 times: high', () => {
    const f = findingsOf([...edge('a', 'b'), ...edge('b', 'a')], 'cyclic-dependency');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'high', services: ['a', 'b'] });
    expect(f[0].resources.map((r) => r.name).sort()).toEqual(['a->b', 'b->a']);
  });

  it('an edge seen only twice does not count', () => {
    expect(findingsOf([...edge('a', 'b'), ...edge('b', 'a', 2)], 'cyclic-dependency')).toEqual([]);
  });

  it('one trace path A→B→A is a cycle however rare', () => {
    const f = findingsOf(chain('t1', ['a', 'b', 'a']), 'cyclic-dependency');
    expect(f).toHaveLength(1);
    expect(f[0].evidence.details?.path).toEqual(['a', 'b', 'a']);
    expect(f[0].evidence.traceIds).toHaveLength(1);
  });

  it('a three-service ring is one component', () => {
    const f = findingsOf([...edge('a', 'b'), ...edge('b', 'c'), ...edge('c', 'a'), ...edge('c', 'd')], 'cyclic-dependency');
    expect(f).toHaveLength(1);
    expect(f[0].services).toEqual(['a', 'b', 'c']);
  });

  it('an allowed edge breaks the cycle', () => {
    const cfg = config({ rules: { 'cyclic-dependency': { allow: [{ service: 'b', target: 'a' }] } } });
    expect(findingsOf([...edge('a', 'b'), ...edge('b', 'a')], 'cyclic-dependency', cfg)).toEqual([]);
  });

  it('same cycle, different traces: same fingerprint', () => {
    const one = findingsOf([...edge('a', 'b'), ...edge('b', 'a')], 'cyclic-dependency');
    const two = findingsOf([...edge('b', 'a', 5), ...edge('a', 'b', 4)], 'cyclic-dependency');
    expect(one[0].fingerprint).toBe(two[0].fingerprint);
  });
});

describe('hub-service', () => {
  it('a service that is an outlier in both in- and out-degree: medium', () => {
    const spans = [
      ...['c1', 'c2', 'c3', 'c4'].flatMap((c) => edge(c, 'hub', 1)),
      ...['d1', 'd2', 'd3', 'd4'].flatMap((d) => edge('hub', d, 1)),
    ];
    const f = findingsOf(spans, 'hub-service');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'medium', services: ['hub'] });
    expect(f[0].evidence.counts).toMatchObject({ inDegree: 4, outDegree: 4 });
  });

  it('a plain chain has no hub; a pure sink is not a hub', () => {
    expect(findingsOf(['a', 'b', 'c', 'd', 'e'].slice(1).flatMap((s, i) => edge(['a', 'b', 'c', 'd'][i], s, 1)), 'hub-service')).toEqual([]);
    expect(findingsOf(['c1', 'c2', 'c3', 'c4', 'c5'].flatMap((c) => edge(c, 'db-api', 1)), 'hub-service')).toEqual([]);
  });
});

describe('architecture/forbidden-dependency', () => {
  const cfg = config({ architecture: { forbid: [{ from: 'web', to: 'payments', kind: 'sync', reason: 'go through checkout' }] } });
  it('flags a forbidden synchronous call', () => {
    const f = findingsOf(edge('web', 'payments', 2), 'architecture/forbidden-dependency', cfg);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'high', services: ['payments', 'web'], resources: [{ kind: 'edge', name: 'web->payments' }] });
    expect(f[0].title).toBe('web depends on payments (sync), which the architecture forbids: go through checkout');
    expect(f[0].evidence.counts.calls).toBe(2);
  });

  it('allowed paths and other kinds pass', () => {
    expect(findingsOf([...edge('web', 'checkout'), ...edge('checkout', 'payments')], 'architecture/forbidden-dependency', cfg)).toEqual([]);
    const asyncOnly = config({ architecture: { forbid: [{ from: 'web', to: 'payments', kind: 'async' }] } });
    expect(findingsOf(edge('web', 'payments'), 'architecture/forbidden-dependency', asyncOnly)).toEqual([]);
  });

  it('patterns and database targets', () => {
    const cfg2 = config({ architecture: { forbid: [{ from: '*', to: 'orders', kind: 'db' }] } });
    const spans = [
      span({ trace: 'd1', id: 'root', service: 'billing', kind: 'server' }),
      span({ trace: 'd1', id: 'q', parent: 'root', service: 'billing', kind: 'client', attrs: { 'db.system.name': 'postgresql', 'server.address': 'pg', 'db.namespace': 'orders', 'db.query.text': 'SELECT 1' } }),
    ];
    const f = findingsOf(spans, 'architecture/forbidden-dependency', cfg2);
    expect(f).toHaveLength(1);
    expect(f[0].resources).toEqual([{ kind: 'database', name: 'db:postgresql|pg|orders' }]);
  });
});

describe('no-api-gateway', () => {
  const root = (trace: string, service: string, attrs = {}) => [span({ trace, id: 'root', service, kind: 'server', name: 'GET /', attrs })];

  it('two services taking outside requests directly: medium', () => {
    const f = findingsOf([...root('a', 'shop'), ...root('b', 'accounts')], 'no-api-gateway');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'medium', services: ['accounts', 'shop'] });
  });

  it('one entry service, or a gateway among them: nothing', () => {
    expect(findingsOf([...root('a', 'shop'), ...root('b', 'shop')], 'no-api-gateway')).toEqual([]);
    expect(findingsOf([...root('a', 'api-gateway'), ...root('b', 'accounts')], 'no-api-gateway')).toEqual([]);
    expect(findingsOf([...root('a', 'front', { component: 'nginx' }), ...root('b', 'accounts')], 'no-api-gateway')).toEqual([]);
  });

  it('is not evaluated without root server spans', () => {
    expect(notEvaluatedReason([span({ id: 'job', service: 'batch', kind: 'internal' })], 'no-api-gateway')).toBe('no root SERVER spans (requests from outside) in the data');
  });
});

describe('architecture/forbidden-dependency through a topic', () => {
  it('an async dependency producer ⇒ topic ⇒ consumer', () => {
    const m = { 'messaging.system': 'kafka', 'messaging.destination.name': 'orders' };
    const spans = [
      span({ trace: 'q1', id: 'root', service: 'web', kind: 'server' }),
      span({ trace: 'q1', id: 'p', parent: 'root', service: 'web', kind: 'producer', name: 'orders publish', attrs: m }),
      span({ trace: 'q1', id: 'c', parent: 'p', service: 'payments', kind: 'consumer', name: 'orders process', attrs: m }),
    ];
    const cfg = config({ architecture: { forbid: [{ from: 'web', to: 'payments', kind: 'async' }] } });
    const f = findingsOf(spans, 'architecture/forbidden-dependency', cfg);
    expect(f).toHaveLength(1);
    expect(f[0].resources).toEqual([
      { kind: 'edge', name: 'web->payments' },
      { kind: 'topic', name: 'queue:kafka|orders' },
    ]);
    expect(findingsOf(spans, 'architecture/forbidden-dependency', config({ architecture: { forbid: [{ from: 'web', to: 'payments' }] } }))).toEqual([]);
  });
});

describe('hub-service degree outliers (MSANose jump)', () => {
  it('a jump of exactly 2× the mean step is not an outlier; above it is', async () => {
    const { degreeOutliers } = await import('../../../lib/analysis/findings/rules/hub-service.ts');
    const m = (d: number[]) => new Map(d.map((v, i) => [`s${i}`, v]));
    // range 3 over 3 steps: mean step 1; the last step is 2 = 2× the mean.
    expect([...degreeOutliers(m([0, 0, 1, 3]), 2)]).toEqual([]);
    // the last step is 3 > 2.
    expect([...degreeOutliers(m([0, 0, 0, 3]), 2)]).toEqual(['s3']);
    expect([...degreeOutliers(m([2, 2, 2, 2]), 2)]).toEqual([]);
  });
});
