// Breaker states from metric points, in the three shapes users already emit (WIRE.md):
//  - resilience4j (Micrometer or OTel): gauge `resilience4j.circuitbreaker.state` with tags
//    `name` and `state`, value 1 on the active state's series;
//  - Polly v8: counter `resilience.polly.strategy.events`, tag `event.name` ∈ OnCircuitOpened|
//    OnCircuitHalfOpened|OnCircuitClosed, `pipeline.name`; a rise in the count is a transition;
//  - Faultline's convention: gauge `circuit_breaker.state` (0 closed, 1 open, 2 half_open).
import type { AttributeValue, MetricPoint } from '../../model/index.ts';
import { normalizeServiceName } from '../service-name.ts';
import { parseBreakerState, POLLY_EVENTS, stateOfGaugeValue } from './states.ts';
import type { StateObservation } from './types.ts';

export const FAULTLINE_GAUGE = 'circuit_breaker.state';
export const RESILIENCE4J_GAUGES = ['resilience4j.circuitbreaker.state', 'resilience4j_circuitbreaker_state'] as const;
export const POLLY_COUNTERS = ['resilience.polly.strategy.events', 'resilience_polly_strategy_events'] as const;
/** Every metric name a breaker state can arrive under (the store is asked for exactly these). */
export const BREAKER_METRIC_NAMES: readonly string[] = [FAULTLINE_GAUGE, ...RESILIENCE4J_GAUGES, ...POLLY_COUNTERS];

function str(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
const nsToMs = (ns: bigint): number => Number(ns / 1_000_000n);

function peerOf(p: MetricPoint): { peer?: string } {
  const peer = str(p.attributes['service.peer.name']);
  return peer ? { peer: normalizeServiceName(peer) } : {};
}

function seriesKey(p: MetricPoint): string {
  const attrs = Object.keys(p.attributes)
    .sort()
    .map((k) => `${k}=${String(p.attributes[k])}`)
    .join('\u0001');
  return `${p.resource.serviceName}\u0000${p.resource.serviceInstanceId ?? ''}\u0000${p.name}\u0000${attrs}`;
}

/** State observations in these points (any order); points of other metrics are ignored. */
export function metricObservations(points: readonly MetricPoint[]): StateObservation[] {
  const out: StateObservation[] = [];
  const polly = new Map<string, MetricPoint[]>();
  for (const p of points) {
    const service = normalizeServiceName(p.resource.serviceName);
    if (p.name === FAULTLINE_GAUGE) {
      const state = stateOfGaugeValue(p.value) ?? (p.value === undefined ? parseBreakerState(p.attributes['circuit_breaker.state']) : undefined);
      if (!state) continue;
      out.push({ service, breaker: str(p.attributes['circuit_breaker.name']) ?? 'unnamed', ...peerOf(p), state, atMs: nsToMs(p.timeNs), reporter: 'gauge', sampled: true });
    } else if ((RESILIENCE4J_GAUGES as readonly string[]).includes(p.name)) {
      // One series per state; only the active state's series reads 1.
      if (p.value !== 1) continue;
      const state = parseBreakerState(p.attributes['state']);
      if (!state) continue;
      out.push({ service, breaker: str(p.attributes['name']) ?? 'unnamed', ...peerOf(p), state, atMs: nsToMs(p.timeNs), reporter: 'resilience4j', sampled: true });
    } else if ((POLLY_COUNTERS as readonly string[]).includes(p.name)) {
      const ev = str(p.attributes['event.name']);
      if (!ev || !POLLY_EVENTS[ev]) continue;
      const k = seriesKey(p);
      let l = polly.get(k);
      if (!l) polly.set(k, (l = []));
      l.push(p);
    }
  }
  for (const series of polly.values()) {
    series.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0));
    let prev: number | undefined;
    for (const p of series) {
      const v = p.value ?? 0;
      // Cumulative: the rise since the previous point (a drop is a restart: count from 0). Delta: the value.
      const rise = p.temporality === 'delta' ? v : prev === undefined || v < prev ? v : v - prev;
      prev = v;
      if (rise <= 0) continue;
      out.push({
        service: normalizeServiceName(p.resource.serviceName),
        breaker: str(p.attributes['pipeline.name']) ?? str(p.attributes['strategy.name']) ?? 'unnamed',
        ...peerOf(p),
        state: POLLY_EVENTS[str(p.attributes['event.name'])!],
        atMs: nsToMs(p.timeNs),
        reporter: 'polly',
        sampled: false,
      });
    }
  }
  return out;
}
