// Reported breakers from plain model data: the three ways to find a breaker's edge, Polly counter
// arithmetic (cumulative, delta, restarts), gauge-only timelines, refused calls, and a breaker
// that maps nowhere.
import { describe, expect, it } from 'vitest';
import {
  buildCircuits,
  DEFAULT_CIRCUIT_SETTINGS,
  mapBreaker,
  metricObservations,
  nameCore,
  parseBreakerState,
  SpanFactCollector,
  type Circuit,
} from '../../lib/analysis/circuits/index.ts';
import type { Attributes, MetricPoint, Span, SpanEvent } from '../../lib/model/index.ts';
import { protectedEdges } from '../../lib/query/circuits.ts';

const T0 = 1_800_000_000_000;
const ns = (ms: number) => BigInt(ms) * 1_000_000n;
let seq = 0;
const id = (n: number) => (++seq).toString(16).padStart(n, '0');

function span(service: string, p: { kind?: Span['kind']; parent?: string; attrs?: Attributes; events?: SpanEvent[]; atMs?: number; error?: boolean; spanId?: string }): Span {
  const at = p.atMs ?? T0;
  return {
    traceId: id(32),
    spanId: p.spanId ?? id(16),
    ...(p.parent ? { parentSpanId: p.parent } : {}),
    name: 'op',
    kind: p.kind ?? 'internal',
    startNs: ns(at - 5),
    endNs: ns(at),
    durationNs: 5_000_000,
    status: { code: p.error ? 'error' : 'unset' },
    attributes: p.attrs ?? {},
    events: p.events ?? [],
    links: [],
    resource: { serviceName: service, attributes: {} },
    scope: { name: 'test' },
  };
}

const change = (state: string, atMs: number, attrs: Attributes = {}): SpanEvent => ({ name: 'circuit_breaker.state_change', timeNs: ns(atMs), attributes: { 'circuit_breaker.state': state, ...attrs } });

function point(service: string, name: string, value: number, atMs: number, attributes: Attributes, extra: Partial<MetricPoint> = {}): MetricPoint {
  return { resource: { serviceName: service, attributes: {} }, scope: { name: 'm' }, name, type: 'sum', temporality: 'cumulative', monotonic: true, attributes, timeNs: ns(atMs), value, ...extra };
}

function circuitsOf(spans: Span[], points: MetricPoint[] = []): Circuit[] {
  const c = new SpanFactCollector();
  for (const s of spans) c.add(s);
  return buildCircuits(c.finish(), metricObservations(points), DEFAULT_CIRCUIT_SETTINGS, T0 + 60_000);
}

describe('names and states', () => {
  it.each([
    ['paymentsService', 'payments'],
    ['payments-cb', 'payments'],
    ['PaymentsCircuitBreaker', 'payments'],
    ['pricing-pipeline', 'pricing'],
    ['inventory_api.v2', 'inventory-v2'],
    ['HTTPClient', 'http-client'],
  ])('nameCore(%s) = %s', (name, want) => expect(nameCore(name)).toBe(want));

  it.each([
    ['HALF_OPEN', 'half_open'],
    ['halfOpen', 'half_open'],
    ['half-open', 'half_open'],
    ['FORCED_OPEN', 'forced_open'],
    ['Open', 'open'],
    ['weird', undefined],
  ])('parseBreakerState(%s) = %s', (raw, want) => expect(parseBreakerState(raw)).toBe(want));

  it('a peer beats wrapped calls, which beat the name', () => {
    const base = { caller: 'web', breaker: 'payments-cb', callees: ['payments'], services: ['payments', 'web'] };
    expect(mapBreaker({ ...base, peer: 'billing', wrapped: new Map([['ledger', 3]]) })).toEqual({ callee: 'billing', by: 'peer' });
    expect(mapBreaker({ ...base, wrapped: new Map([['ledger', 3], ['audit', 1]]) })).toEqual({ callee: 'ledger', by: 'wrapped-calls' });
    expect(mapBreaker(base)).toEqual({ callee: 'payments', by: 'name' });
    expect(mapBreaker({ ...base, breaker: 'mainframe', callees: [] })).toBeUndefined();
  });
});

describe('span-reported breakers', () => {
  it('events map by the client calls the breaker span wraps; refused calls count apart, on the answering service', () => {
    const wrapper = span('web', { attrs: { 'circuit_breaker.name': 'cb1' }, events: [change('open', T0 + 10)] });
    const call = span('web', { kind: 'client', parent: wrapper.spanId, error: true, atMs: T0 + 9, attrs: { 'server.address': 'ledger-host' } });
    const answered = span('ledger', { kind: 'server', parent: call.spanId, error: true, atMs: T0 + 8 });
    const refused = span('web', { kind: 'client', parent: wrapper.spanId, error: true, atMs: T0 + 20, attrs: { 'circuit_breaker.state': 'open', 'server.address': 'ledger-host' } });
    const [c] = circuitsOf([refused, answered, wrapper, call]);
    expect(c).toMatchObject({ caller: 'web', callee: 'ledger', breaker: 'cb1', mappedBy: 'wrapped-calls', state: 'open', calls: 1, failures: 1, rejected: 1 });
    expect(c.transitions).toEqual([{ atMs: T0 + 10, from: null, to: 'open' }]);
  });

  it('a breaker that maps nowhere is kept, unmapped, and does not hide inference elsewhere', () => {
    const lonely = span('web', { events: [change('open', T0, { 'circuit_breaker.name': 'mystery' })] });
    const calls = Array.from({ length: 10 }, (_, i) => span('web', { kind: 'client', error: true, atMs: T0 + i, attrs: { 'service.peer.name': 'search' } }));
    const out = circuitsOf([lonely, ...calls]);
    expect(out.find((c) => c.breaker === 'mystery')).toMatchObject({ callee: null, source: 'reported', mappedBy: null });
    // Opened at T0 + 9; the window ends at T0 + 60 s, past the 30 s open period.
    expect(out.find((c) => c.callee === 'search')).toMatchObject({ source: 'inferred', state: 'half_open' });
  });
});

describe('metric-reported breakers', () => {
  const polly = (ev: string, v: number, atMs: number, extra: Partial<MetricPoint> = {}) =>
    point('basket', 'resilience.polly.strategy.events', v, atMs, { 'event.name': ev, 'pipeline.name': 'pricing-pipeline' }, extra);

  it('Polly cumulative: only rises are transitions; a drop is a restart counted from zero', () => {
    const pts = [polly('OnCircuitOpened', 1, T0 + 1_000), polly('OnCircuitOpened', 1, T0 + 2_000), polly('OnCircuitClosed', 1, T0 + 3_000), polly('OnCircuitOpened', 0, T0 + 4_000), polly('OnCircuitOpened', 1, T0 + 5_000)];
    const obs = metricObservations(pts);
    expect(obs.map((o) => [o.state, o.atMs - T0])).toEqual([
      ['open', 1_000],
      ['open', 5_000],
      ['closed', 3_000],
    ]);
    const [c] = circuitsOf([], pts);
    expect(c.transitions.map((t) => [t.to, t.atMs - T0])).toEqual([
      ['open', 1_000],
      ['closed', 3_000],
      ['open', 5_000],
    ]);
  });

  it('Polly delta: every non-zero point is a transition; same-instant events follow the cycle', () => {
    const d = { temporality: 'delta' as const };
    const pts = [polly('OnCircuitClosed', 1, T0 + 1_000, d), polly('OnCircuitHalfOpened', 1, T0 + 1_000, d), polly('OnCircuitOpened', 1, T0 + 1_000, d), polly('OnCircuitOpened', 0, T0 + 2_000, d)];
    const [c] = circuitsOf([], pts);
    expect(c.transitions.map((t) => t.to)).toEqual(['open', 'half_open', 'closed']);
  });

  it('a gauge-only breaker: the first reading starts the strip, changes between readings are transitions', () => {
    const g = (v: number, atMs: number) => point('web', 'circuit_breaker.state', v, atMs, { 'circuit_breaker.name': 'search', 'service.peer.name': 'search' }, { type: 'gauge' });
    const [c] = circuitsOf([], [g(1, T0), g(1, T0 + 10_000), g(2, T0 + 20_000), g(0, T0 + 30_000)]);
    expect(c).toMatchObject({ callee: 'search', mappedBy: 'peer', initialState: 'open', state: 'closed', reporters: ['gauge'] });
    expect(c.transitions).toEqual([
      { atMs: T0 + 20_000, from: 'open', to: 'half_open' },
      { atMs: T0 + 30_000, from: 'half_open', to: 'closed' },
    ]);
  });

  it('resilience4j series at 0 are ignored; other metrics are ignored', () => {
    const r = (state: string, v: number) => point('orders', 'resilience4j.circuitbreaker.state', v, T0, { name: 'inventory', state }, { type: 'gauge' });
    const obs = metricObservations([r('closed', 0), r('open', 1), r('half_open', 0), point('orders', 'http.client.duration', 1, T0, {})]);
    expect(obs).toEqual([{ service: 'orders', breaker: 'inventory', state: 'open', atMs: T0, reporter: 'resilience4j', sampled: true }]);
  });
});

describe('protectedEdges (what the findings rules receive)', () => {
  const graph = {
    nodes: [
      { id: 'orders', kind: 'service', name: 'orders' },
      { id: 'inventory', kind: 'service', name: 'inventory' },
      { id: 'ext:legacy:8080', kind: 'external', name: 'legacy:8080' },
    ],
    edges: [
      { source: 'orders', target: 'inventory' },
      { source: 'orders', target: 'ext:legacy:8080' },
    ],
  } as unknown as Parameters<typeof protectedEdges>[1];
  const r = (name: string, state: string) => point('orders', 'resilience4j.circuitbreaker.state', 1, T0, { name, state }, { type: 'gauge' });

  it('a breaker that opened protects its edge; one that only ever read closed does not', () => {
    expect(protectedEdges(metricObservations([r('inventoryService', 'closed'), r('inventoryService', 'open')]), graph)).toEqual(['orders->inventory']);
    expect(protectedEdges(metricObservations([r('inventoryService', 'closed')]), graph)).toEqual([]);
  });

  it('half-open and forced-open count; an unmappable breaker protects nothing', () => {
    expect(protectedEdges(metricObservations([r('inventory', 'half_open')]), graph)).toEqual(['orders->inventory']);
    expect(protectedEdges(metricObservations([r('inventory', 'forced_open')]), graph)).toEqual(['orders->inventory']);
    expect(protectedEdges(metricObservations([r('mainframe', 'open')]), graph)).toEqual([]);
  });
});
