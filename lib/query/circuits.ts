// GET /api/v1/circuits: breaker states over a window, reported (span events, gauges,
// resilience4j, Polly) and inferred (a standard breaker replayed over each edge's calls). Read
// straight from the store's spans and metric points, so a transition shows as soon as its span is
// committed — the map's badge must follow a breaker within seconds, faster than minute rollups.
import {
  BREAKER_METRIC_NAMES,
  buildCircuits,
  checkSettings,
  DEFAULT_CIRCUIT_SETTINGS,
  mapBreaker,
  metricObservations,
  SpanFactCollector,
  type CircuitSettings,
  type SpanFactChunk,
  type StateObservation,
} from '../analysis/circuits/index.ts';
import type { ServiceGraph } from '../analysis/graph/types.ts';
import type { MetricPoint } from '../model/index.ts';
import type { Store } from '../store/types.ts';
import type { ApiResult } from './api.ts';
import { bad, isProblem, parseDuration, parseWindow, type ApiProblem } from './params.ts';
import type { Query } from './query.ts';
import type { CircuitsResponse } from './types.ts';

export const DEFAULT_CIRCUITS_SPAN_LIMIT = 500_000;
/** Per breaker metric name: points kept per request. */
const METRIC_POINT_LIMIT = 50_000;
const msToNs = (ms: number): bigint => BigInt(ms) * 1_000_000n;

export interface CircuitsOptions {
  nowMs: number;
  /** Reuse the facts of settled minutes between calls (the API keeps one per process). */
  cache?: CircuitChunkCache;
  settings?: Partial<CircuitSettings>;
  spanLimit?: number;
}

function breakerPoints(store: Store, fromMs: number, toMs: number): { points: MetricPoint[]; dropped: number } {
  const points: MetricPoint[] = [];
  let dropped = 0;
  for (const name of BREAKER_METRIC_NAMES) {
    const got = store.queryMetrics({ name, fromNs: msToNs(fromMs), toNs: msToNs(toMs), limit: METRIC_POINT_LIMIT + 1 });
    if (got.length > METRIC_POINT_LIMIT) {
      dropped += got.length - METRIC_POINT_LIMIT;
      got.length = METRIC_POINT_LIMIT;
    }
    points.push(...got);
  }
  return { points, dropped };
}

const MINUTE_MS = 60_000;

/**
 * Per-minute span facts of minutes that have settled, so a map polling every 2 s decodes only the
 * newest minutes again (measured: decoding 200k spans costs ~2 s of CPU; the facts of a minute
 * replay in milliseconds). Entries expire after `ttlMs`, so spans that arrive later than
 * `settleMs` still show within a minute. Bounded by the calls it holds.
 */
export class CircuitChunkCache {
  private readonly m = new Map<number, { atMs: number; chunk: SpanFactChunk; spans: number }>();
  private calls = 0;

  constructor(
    readonly maxCalls = 2_000_000,
    readonly ttlMs = 60_000,
    readonly settleMs = 120_000,
  ) {}

  get(minuteMs: number, nowMs: number): { chunk: SpanFactChunk; spans: number } | undefined {
    const e = this.m.get(minuteMs);
    if (!e) return undefined;
    if (nowMs - e.atMs < this.ttlMs) return e;
    this.delete(minuteMs);
    return undefined;
  }

  put(minuteMs: number, chunk: SpanFactChunk, spans: number, nowMs: number): void {
    this.delete(minuteMs);
    if (chunk.calls.length > this.maxCalls) return;
    // Oldest first out (Map keeps insertion order).
    for (const k of this.m.keys()) {
      if (this.calls + chunk.calls.length <= this.maxCalls) break;
      this.delete(k);
    }
    this.m.set(minuteMs, { atMs: nowMs, chunk, spans });
    this.calls += chunk.calls.length;
  }

  private delete(minuteMs: number): void {
    const e = this.m.get(minuteMs);
    if (!e) return;
    this.calls -= e.chunk.calls.length;
    this.m.delete(minuteMs);
  }
}

/** Windows longer than this are read in one pass (thousands of per-minute reads cost more than they save). */
const CHUNKED_MAX_WINDOW_MS = 6 * 3_600_000;

export function circuitsResponse(store: Store, fromMs: number, toMs: number, opts: CircuitsOptions): CircuitsResponse {
  const settings: CircuitSettings = { ...DEFAULT_CIRCUIT_SETTINGS, ...opts.settings };
  const spanLimit = opts.spanLimit ?? DEFAULT_CIRCUITS_SPAN_LIMIT;
  const facts = new SpanFactCollector();
  let spansRead = 0;
  let sampled = false;
  /** Reads [a, b) into `into`; false once the span limit is reached. */
  const read = (a: number, b: number, into: SpanFactCollector): { ok: boolean; n: number } => {
    const room = spanLimit - spansRead;
    let n = 0;
    for (const s of store.iterateSpans({ fromNs: msToNs(a), toNs: msToNs(b), limit: room + 1 })) {
      if (n === room) {
        sampled = true;
        spansRead += n;
        return { ok: false, n };
      }
      into.add(s);
      n++;
    }
    spansRead += n;
    return { ok: true, n };
  };
  const cache = opts.cache;
  if (!cache || toMs - fromMs > CHUNKED_MAX_WINDOW_MS) read(fromMs, toMs, facts);
  else {
    // Newest minutes first: when the span limit cuts the window, what is happening now is kept.
    for (let m = Math.floor((toMs - 1) / MINUTE_MS) * MINUTE_MS; m + MINUTE_MS > fromMs; m -= MINUTE_MS) {
      const a = Math.max(fromMs, m);
      const b = Math.min(toMs, m + MINUTE_MS);
      const settled = a === m && b === m + MINUTE_MS && b <= opts.nowMs - cache.settleMs;
      if (!settled) {
        if (!read(a, b, facts).ok) break;
        continue;
      }
      const hit = cache.get(m, opts.nowMs);
      if (hit && spansRead + hit.spans <= spanLimit) {
        facts.addChunk(hit.chunk);
        spansRead += hit.spans;
        continue;
      }
      const minute = new SpanFactCollector();
      const r = read(a, b, minute);
      const chunk = minute.chunk();
      if (r.ok) cache.put(m, chunk, r.n, opts.nowMs);
      facts.addChunk(chunk);
      if (!r.ok) break;
    }
  }
  const f = facts.finish();
  const { points, dropped } = breakerPoints(store, fromMs, toMs);
  // Inference replays up to the window's end, or now when the window reaches into the future.
  const endMs = Math.min(toMs, opts.nowMs);
  const circuits = buildCircuits(f, metricObservations(points), settings, endMs);
  return {
    window: { fromMs, toMs },
    generatedAtMs: opts.nowMs,
    settings,
    sampled,
    spanLimit,
    spansRead,
    metricPointsRead: points.length,
    circuits,
    dropped: { ...f.dropped, metricPoints: dropped },
  };
}

/**
 * `caller->callee` edges a breaker reported through *metrics* protects, tied to the graph's
 * services by peer or name. Breakers reported in spans reach the rules through the traces.
 */
export function metricBreakerEdges(store: Store, fromMs: number, toMs: number, graph: ServiceGraph): string[] {
  return protectedEdges(metricObservations(breakerPoints(store, fromMs, toMs).points), graph);
}

const TRIPPED = new Set(['open', 'half_open', 'forced_open']);

/**
 * Edges whose reported breaker tripped (open, half-open or forced open) in the window: a breaker
 * that opens protects its edge; one that stays closed while its callee fails protects nothing.
 */
export function protectedEdges(obs: readonly StateObservation[], graph: Pick<ServiceGraph, 'nodes' | 'edges'>): string[] {
  if (obs.length === 0) return [];
  const names = new Map(graph.nodes.map((n) => [n.id, n.name]));
  const services = graph.nodes.filter((n) => n.kind === 'service').map((n) => n.id);
  const callees = new Map<string, string[]>();
  for (const e of graph.edges) {
    const l = callees.get(e.source) ?? [];
    l.push(names.get(e.target) ?? e.target);
    callees.set(e.source, l);
  }
  const out = new Set<string>();
  for (const o of obs) {
    if (!TRIPPED.has(o.state)) continue;
    const m = mapBreaker({ caller: o.service, breaker: o.breaker, peer: o.peer, callees: callees.get(o.service) ?? [], services });
    if (m) out.add(`${o.service}->${m.callee}`);
  }
  return [...out].sort();
}

/** `failureRate` (0..1 or `50%`), `minCalls`, `window` and `openFor` (durations) override the standard breaker. */
export function parseCircuitSettings(params: URLSearchParams): Partial<CircuitSettings> | ApiProblem {
  const out: Partial<CircuitSettings> = {};
  const rate = params.get('failureRate');
  if (rate !== null && rate !== '') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(rate);
    if (!m) return bad('failureRate', `not a share (0.5) or a percentage (50%): ${JSON.stringify(rate.slice(0, 20))}`);
    out.failureRateThreshold = Number(m[1]) / (m[2] ? 100 : 1);
  }
  const calls = params.get('minCalls');
  if (calls !== null && calls !== '') {
    if (!/^\s*\d+\s*$/.test(calls)) return bad('minCalls', `not a whole number: ${JSON.stringify(calls.slice(0, 20))}`);
    out.minimumCalls = Number(calls);
  }
  for (const [param, key] of [['window', 'windowMs'], ['openFor', 'openMs']] as const) {
    const raw = params.get(param);
    if (raw === null || raw === '') continue;
    const v = parseDuration(param, raw);
    if (isProblem(v)) return v;
    out[key] = v;
  }
  const problem = checkSettings({ ...DEFAULT_CIRCUIT_SETTINGS, ...out });
  return problem ? bad(problem.includes('failureRate') ? 'failureRate' : problem.includes('minimumCalls') ? 'minCalls' : problem.includes('windowMs') ? 'window' : 'openFor', problem) : out;
}

// Each map refresh asks again: one result per (window, settings) is reused for a second.
const CACHE_MS = 1_000;
const caches = new WeakMap<Query, Map<string, { atMs: number; value: CircuitsResponse }>>();
const chunkCaches = new WeakMap<Query, CircuitChunkCache>();

export function circuitsApi(q: Query, params: URLSearchParams): ApiResult {
  const w = parseWindow(params, q.nowMs());
  if (isProblem(w)) return { status: w.status, body: { error: w.message } };
  const settings = parseCircuitSettings(params);
  if (isProblem(settings)) return { status: settings.status, body: { error: settings.message } };
  const now = q.nowMs();
  let cache = caches.get(q);
  if (!cache) caches.set(q, (cache = new Map()));
  const key = `${w.fromMs}|${w.toMs}|${JSON.stringify(settings)}`;
  const hit = cache.get(key);
  if (hit && now - hit.atMs < CACHE_MS) return { status: 200, body: hit.value };
  let chunks = chunkCaches.get(q);
  if (!chunks) chunkCaches.set(q, (chunks = new CircuitChunkCache()));
  const value = circuitsResponse(q.store, w.fromMs, w.toMs, { nowMs: now, settings, cache: chunks });
  if (cache.size >= 16) cache.clear();
  cache.set(key, { atMs: now, value });
  return { status: 200, body: value };
}
