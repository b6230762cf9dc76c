import { describe, expect, it } from 'vitest';
import { breakerEvidenceOf, breakerMarker } from '../../../lib/analysis/findings/breakers.ts';
import { CappedMap, Reservoir, median } from '../../../lib/analysis/findings/bounded.ts';
import { buildTraceTree } from '../../../lib/analysis/trace/tree.ts';
import { analyze, call, span } from './helpers.ts';

describe('breaker evidence', () => {
  it('recognises hystrix / resilience4j spans, circuit_breaker.* attributes and state-change events', () => {
    expect(breakerMarker(span({ id: 'a', service: 's', name: 'hystrix' }))).toBe('span name hystrix');
    expect(breakerMarker({ ...span({ id: 'a', service: 's' }), scope: { name: 'io.github.resilience4j.circuitbreaker' } })).toBe('instrumentation scope io.github.resilience4j.circuitbreaker');
    expect(breakerMarker(span({ id: 'a', service: 's', attrs: { 'circuit_breaker.state': 'closed' } }))).toBe('attribute circuit_breaker.state');
    const withEvent = { ...span({ id: 'a', service: 's' }), events: [{ timeNs: 0n, name: 'circuit_breaker.state_change', attributes: {} }] };
    expect(breakerMarker(withEvent)).toBe('event circuit_breaker.state_change');
    expect(breakerMarker(span({ id: 'a', service: 's', name: 'GET /users', attrs: { 'http.route': '/users' } }))).toBeUndefined();
  });

  it('maps a breaker to the calls it wraps, on the caller side', () => {
    const tree = buildTraceTree([
      span({ id: 'root', service: 'checkout', kind: 'server' }),
      span({ id: 'cb', parent: 'root', service: 'checkout', name: 'opossum fire', attrs: { 'circuit_breaker.name': 'payments' } }),
      ...call({ id: 'c', parent: 'cb', from: 'checkout', to: 'payments' }),
    ]);
    expect(breakerEvidenceOf(tree).map((e) => [e.service, e.target])).toEqual([['checkout', 'payments']]);
    expect(analyze(tree.nodes.map((n) => n.span)).breakerEdges).toEqual(['checkout->payments']);
  });

  it('a breaker beside the call (same parent) guards it too; a named peer wins', () => {
    const beside = buildTraceTree([
      span({ id: 'root', service: 'gw', kind: 'server' }),
      span({ id: 'h', parent: 'root', service: 'gw', name: 'hystrix' }),
      ...call({ id: 'c', parent: 'root', from: 'gw', to: 'content' }),
    ]);
    expect(breakerEvidenceOf(beside).map((e) => e.target)).toEqual(['content']);
    const named = buildTraceTree([span({ id: 'root', service: 'gw', kind: 'server' }), span({ id: 'h', parent: 'root', service: 'gw', name: 'hystrix', attrs: { 'service.peer.name': 'Auth_Service' } })]);
    expect(breakerEvidenceOf(named).map((e) => e.target)).toEqual(['auth-service']);
  });
});

describe('bounded state', () => {
  it('CappedMap counts what did not fit', () => {
    const m = new CappedMap<string, number>(2);
    expect(m.upsert('a', () => 1)).toBe(1);
    expect(m.upsert('b', () => 2)).toBe(2);
    expect(m.upsert('a', () => 9)).toBe(1);
    expect(m.upsert('c', () => 3)).toBeUndefined();
    expect(m.dropped).toBe(1);
    expect(m.size).toBe(2);
  });

  it('Reservoir keeps a fixed-size, deterministic sample', () => {
    const a = new Reservoir(10);
    const b = new Reservoir(10);
    for (let i = 0; i < 1000; i++) {
      a.add(i);
      b.add(i);
    }
    expect(a.values).toHaveLength(10);
    expect(a.values).toEqual(b.values);
    expect(a.count).toBe(1000);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
