// lib/query: the read side of the HTTP API (ARCHITECTURE.md §3). JSON shapes in ./types.ts.
//
//   const q = new Query({ store, rollups: new RollupReader(store.url) });
//   q.graph({ fromMs, toMs })                      → GraphResponse          (rollups)
//   q.graphJson({ fromMs, toMs })                  → the same body as JSON bytes (what the route sends)
//   q.services({ fromMs, toMs, stepMs })           → ServicesResponse       (rollups)
//   q.servicesJson({ fromMs, toMs, stepMs })       → the same body as JSON bytes
//   q.serviceRed(name, { fromMs, toMs, stepMs })   → ServiceRedResponse | ApiProblem(404)
//   q.traces({ fromMs, toMs, limit, service, … })  → TracesResponse         (store.searchTraces)
//   q.trace(traceId)                               → TraceResponse | ApiProblem(404)
//   q.findings({ fromMs, toMs })                   → FindingsResponse       (store spans, capped, cached)
//
// Route handlers call the *Api functions (api.ts): query string → result → { status, body } (graph
// and services also carry `json`, the body already serialized, which respond() sends as it is).
export { Query, type QueryOptions, type TracesQuery } from './query.ts';
export { graphApi, servicesApi, serviceRedApi, tracesApi, traceApi, findingsApi, respond, guarded, defaultQuery, type ApiResult } from './api.ts';
export { ApiProblem, isProblem, parseWindow, parseStep, parseDuration, parseTime } from './params.ts';
export { RollupReader } from '../store/rollups/reader.ts';
export type * from './types.ts';
