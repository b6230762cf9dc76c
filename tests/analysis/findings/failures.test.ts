// cascading-failure and missing-circuit-breaker.
import { describe, expect, it } from 'vitest';
import type { Span } from '../../../lib/model/index.ts';
import { call, chain, config, findingsOf, span } from './helpers.ts';

describe('cascading-failure', () => {
  it('an error at the end of a 3-hop chain that every caller repeats: high', () => {
    const f = findingsOf(chain('t1', ['a', 'b', 'c', 'd'], { error: [true, true, true, true] }), 'cascading-failure');
    expect(f).toHaveLength(1);
    expect(f[0].severity).toBe('high');
    expect(f[0].evidence.details?.origin).toBe('d');
    expect(f[0].evidence.details?.chain).toEqual(['a', 'b', 'c', 'd']);
    expect(f[0].resources.map((r) => r.name)).toEqual(['a->b', 'b->c', 'c->d']);
  });

  it('2 hops: nothing', () => {
    expect(findingsOf(chain('t1', ['b', 'c', 'd'], { error: [true, true, true] }), 'cascading-failure')).toEqual([]);
  });

  it('80% of callers failing: finding; 75%: nothing', () => {
    // 5 callers above e, 4 fail.
    expect(findingsOf(chain('t1', ['a', 'b', 'c', 'd', 'e', 'f'], { error: [false, true, true, true, true, true] }), 'cascading-failure')).toHaveLength(1);
    // 4 callers above e, 3 fail.
    expect(findingsOf(chain('t1', ['a', 'b', 'c', 'd', 'e'], { error: [false, true, true, true, true] }), 'cascading-failure')).toEqual([]);
  });

  it('an error the callers absorb is not a cascade', () => {
    expect(findingsOf(chain('t1', ['a', 'b', 'c', 'd'], { error: [false, false, false, true] }), 'cascading-failure')).toEqual([]);
  });
});

/**
 * `perMinute[m]` = [calls, errors] from checkout to payments during minute m, one trace per call,
 * spread evenly over the minute (or over `burstMs` from its start).
 */
function traffic(perMinute: [number, number][], opts: { breaker?: boolean; burstMs?: number } = {}): Span[] {
  const out: Span[] = [];
  perMinute.forEach(([calls, errors], m) => {
    for (let i = 0; i < calls; i++) {
      const trace = `m${m}c${i}`;
      const start = m * 60_000 + (i * (opts.burstMs ?? 60_000)) / calls;
      out.push(span({ trace, id: 'root', service: 'checkout', kind: 'server', start, dur: 50 }));
      let parent = 'root';
      if (opts.breaker) {
        out.push(span({ trace, id: 'cb', parent: 'root', service: 'checkout', kind: 'internal', name: 'hystrix', start, dur: 40 }));
        parent = 'cb';
      }
      out.push(...call({ trace, id: 'c', parent, from: 'checkout', to: 'payments', start: start + 1, dur: 30, error: i < errors }));
    }
  });
  return out;
}

describe('missing-circuit-breaker', () => {
  it('more than half failing for a minute while the caller keeps its rate: high', () => {
    const f = findingsOf(traffic([[20, 0], [20, 11]]), 'missing-circuit-breaker');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'high', services: ['checkout', 'payments'], resources: [{ kind: 'edge', name: 'checkout->payments' }] });
    expect(f[0].evidence.counts).toMatchObject({ failingMinutes: 1, callsWhileFailing: 20, errorsWhileFailing: 11 });
  });

  it('a failing burst shorter than a minute is not a minute of failure', () => {
    expect(findingsOf(traffic([[20, 0], [20, 20]], { burstMs: 5_000 }), 'missing-circuit-breaker')).toEqual([]);
    // Two failing minutes of bursts cover more than a minute between them.
    expect(findingsOf(traffic([[20, 0], [20, 20], [20, 20]], { burstMs: 5_000 }), 'missing-circuit-breaker')).toHaveLength(1);
  });

  it('exactly half failing: nothing', () => {
    expect(findingsOf(traffic([[20, 0], [20, 10]]), 'missing-circuit-breaker')).toEqual([]);
  });

  it('a caller that backs off is not flagged', () => {
    // 40/min before, 12/min while failing: the rate dropped by more than half.
    expect(findingsOf(traffic([[40, 0], [12, 12]]), 'missing-circuit-breaker')).toEqual([]);
    // 20/min before, 10/min while failing: exactly half, still "not dropped".
    expect(findingsOf(traffic([[20, 0], [10, 10]]), 'missing-circuit-breaker')).toHaveLength(1);
  });

  it('too few calls in the minute to call it an outage: nothing', () => {
    expect(findingsOf(traffic([[9, 9]]), 'missing-circuit-breaker')).toEqual([]);
  });

  it('breaker evidence on the caller side (a hystrix span around the call) protects the edge', () => {
    expect(findingsOf(traffic([[20, 0], [20, 20]], { breaker: true }), 'missing-circuit-breaker')).toEqual([]);
  });

  it('breaker evidence from metrics (breakerEdges) protects the edge', () => {
    expect(findingsOf(traffic([[20, 0], [20, 20]]), 'missing-circuit-breaker', undefined, { breakerEdges: ['checkout->payments'] })).toEqual([]);
  });

  it('a retry storm: 3 identical calls after an error is a finding, 2 is not', () => {
    const storm = (retries: number) => {
      const out: Span[] = [span({ id: 'root', service: 'checkout', kind: 'server', dur: 10_000 })];
      for (let i = 0; i <= retries; i++) out.push(...call({ id: `c${i}`, parent: 'root', from: 'checkout', to: 'payments', name: 'POST /charge', start: 1 + i * 20, dur: 10, error: true }));
      return out;
    };
    expect(findingsOf(storm(2), 'missing-circuit-breaker')).toEqual([]);
    const f = findingsOf(storm(3), 'missing-circuit-breaker');
    expect(f).toHaveLength(1);
    expect(f[0].evidence.counts).toMatchObject({ retryStorms: 1, maxRetries: 3 });
  });

  it('http.request.resend_count ≥ 3 is a retry storm', () => {
    const spans = [span({ id: 'root', service: 'checkout', kind: 'server' }), ...call({ id: 'c', parent: 'root', from: 'checkout', to: 'payments', clientAttrs: { 'http.request.resend_count': 3 } })];
    expect(findingsOf(spans, 'missing-circuit-breaker')).toHaveLength(1);
    const two = [span({ id: 'root', service: 'checkout', kind: 'server' }), ...call({ id: 'c', parent: 'root', from: 'checkout', to: 'payments', clientAttrs: { 'http.request.resend_count': 2 } })];
    expect(findingsOf(two, 'missing-circuit-breaker')).toEqual([]);
  });

  it('honours the allow-list by edge', () => {
    const cfg = config({ rules: { 'missing-circuit-breaker': { allow: [{ service: 'checkout', target: 'payments' }] } } });
    expect(findingsOf(traffic([[20, 0], [20, 20]]), 'missing-circuit-breaker', cfg)).toEqual([]);
  });
});
