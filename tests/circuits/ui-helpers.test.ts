// The circuits UI's pure helpers: timeline segments and which map edge a circuit badges.
import { describe, expect, it } from 'vitest';
import { circuitBadges } from '../../components/circuits/edge-badges.ts';
import { timelineSegments } from '../../components/circuits/timeline.ts';
import type { CircuitJson } from '../../lib/query/types.ts';

function circuit(p: Partial<CircuitJson>): CircuitJson {
  return {
    id: 'x',
    caller: 'shop',
    callee: 'payments',
    breaker: null,
    source: 'reported',
    reporters: ['span-event'],
    mappedBy: 'peer',
    state: 'open',
    initialState: 'closed',
    transitions: [],
    transitionsDropped: 0,
    lastTransitionMs: null,
    calls: 0,
    failures: 0,
    failureRate: 0,
    rejected: 0,
    ...p,
  };
}

describe('timelineSegments', () => {
  it('covers the window: initial state, then each transition, clipped to the window', () => {
    const c = circuit({
      initialState: 'closed',
      transitions: [
        { atMs: 50, from: 'closed', to: 'open' },
        { atMs: 120, from: 'open', to: 'half_open' },
        { atMs: 130, from: 'half_open', to: 'closed' },
      ],
    });
    expect(timelineSegments(c, 100, 200)).toEqual([
      { fromMs: 100, toMs: 120, state: 'open' },
      { fromMs: 120, toMs: 130, state: 'half_open' },
      { fromMs: 130, toMs: 200, state: 'closed' },
    ]);
  });

  it('no transitions: one segment in the initial state', () => {
    expect(timelineSegments(circuit({ initialState: 'half_open', transitions: [] }), 0, 10)).toEqual([{ fromMs: 0, toMs: 10, state: 'half_open' }]);
  });
});

describe('circuitBadges', () => {
  const nodes = [
    { id: 'shop', kind: 'service', name: 'shop' },
    { id: 'payments', kind: 'service', name: 'payments' },
    { id: 'ext:10.0.0.9:8080', kind: 'external', name: '10.0.0.9:8080' },
  ];
  const edges = [
    { source: 'shop', target: 'payments' },
    { source: 'shop', target: 'ext:10.0.0.9:8080' },
  ];

  it('open and half-open badge their edge; closed and unmapped do not', () => {
    const b = circuitBadges(
      [
        circuit({ id: 'a', state: 'open' }),
        circuit({ id: 'b', callee: '10.0.0.9:8080', state: 'half_open', source: 'inferred' }),
        circuit({ id: 'c', callee: null, state: 'open' }),
        circuit({ id: 'd', caller: 'payments', callee: 'shop', state: 'closed' }),
      ],
      nodes,
      edges,
    );
    expect([...b.keys()].sort()).toEqual(['shop->ext:10.0.0.9:8080', 'shop->payments']);
    expect(b.get('shop->payments')).toMatchObject({ state: 'open', source: 'reported', circuitId: 'a' });
    expect(b.get('shop->ext:10.0.0.9:8080')).toMatchObject({ state: 'half_open', source: 'inferred' });
  });

  it('a reported state wins over an inferred one on the same edge', () => {
    const b = circuitBadges([circuit({ id: 'inf', source: 'inferred', state: 'open' }), circuit({ id: 'rep', source: 'reported', state: 'half_open' })], nodes, edges);
    expect(b.get('shop->payments')).toMatchObject({ circuitId: 'rep', state: 'half_open' });
  });

  it('a circuit on an edge the map does not show gets no badge', () => {
    expect(circuitBadges([circuit({ caller: 'web', callee: 'payments' })], nodes, edges).size).toBe(0);
  });
});
