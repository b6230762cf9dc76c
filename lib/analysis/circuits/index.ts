// Circuit breakers, reported and inferred (issue 6; WIRE.md "Circuit-breaker state"). Pure.
//
//   const spans = new SpanFactCollector();
//   for (const s of windowSpans) spans.add(s);
//   const circuits = buildCircuits(spans.finish(), metricObservations(points), settings, nowMs);
//   reportedEdges(circuits)        → `caller->callee` keys for createFindingsRun(...).finish(graph, { breakerEdges })
export * from './types.ts';
export { inferBreaker, checkSettings, type InferredTimeline } from './infer.ts';
export { SpanFactCollector, STATE_CHANGE_EVENT, type SpanFacts, type SpanFactChunk, type EdgeCalls } from './span-facts.ts';
export { metricObservations, BREAKER_METRIC_NAMES, FAULTLINE_GAUGE, RESILIENCE4J_GAUGES, POLLY_COUNTERS } from './metric-facts.ts';
export { mapBreaker, nameCore } from './mapping.ts';
export { buildCircuits, reportedEdges, reportedTimeline } from './build.ts';
export { parseBreakerState } from './states.ts';
