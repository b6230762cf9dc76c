// GET /api/v1/findings: the full analysis (analyzeSpans + every rule) over the window's spans,
// read newest first from the store and capped, because rules need whole traces, not rollups.
import type { Span } from '../model/index.ts';
import { analyzeSpans } from '../analysis/analyzer.ts';
import { createFindingsRun, EMPTY_CONFIG, type FaultlineConfig } from '../analysis/findings/index.ts';
import type { Store } from '../store/types.ts';
import { metricBreakerEdges } from './circuits.ts';
import type { FindingsResponse } from './types.ts';

export const DEFAULT_FINDINGS_SPAN_LIMIT = 200_000;
const MINUTE_MS = 60_000;
const MAX_CHUNK_MS = 24 * 3_600_000;

/** Spans of [fromMs, toMs), newest minutes first, at most `limit`; sampled when more existed. */
export function newestSpans(store: Store, fromMs: number, toMs: number, limit: number): { spans: Span[]; sampled: boolean } {
  const spans: Span[] = [];
  let end = toMs;
  let chunkMs = MINUTE_MS;
  while (end > fromMs) {
    const start = Math.max(fromMs, Math.floor((end - 1) / chunkMs) * chunkMs);
    const room = limit - spans.length;
    let got = 0;
    for (const s of store.iterateSpans({ fromNs: BigInt(start) * 1_000_000n, toNs: BigInt(end) * 1_000_000n, limit: room + 1 })) {
      if (got === room) return { spans, sampled: true };
      spans.push(s);
      got++;
    }
    if (spans.length >= limit && start > fromMs) return { spans, sampled: hasAny(store, fromMs, start) };
    end = start;
    // Sparse data: widen the step so a week-long window is not ten thousand tiny reads.
    if (got < limit / 100 && chunkMs < MAX_CHUNK_MS) chunkMs *= 2;
  }
  return { spans, sampled: false };
}

function hasAny(store: Store, fromMs: number, toMs: number): boolean {
  for (const _ of store.iterateSpans({ fromNs: BigInt(fromMs) * 1_000_000n, toNs: BigInt(toMs) * 1_000_000n, limit: 1 })) return true;
  return false;
}

export function findingsResponse(
  store: Store,
  fromMs: number,
  toMs: number,
  opts: { nowMs: number; spanLimit: number; config?: FaultlineConfig },
): FindingsResponse {
  const { spans, sampled } = newestSpans(store, fromMs, toMs, opts.spanLimit);
  const run = createFindingsRun(opts.config ?? EMPTY_CONFIG, { now: opts.nowMs });
  const result = analyzeSpans(spans, { now: opts.nowMs, fromMs, toMs, visitors: [run] });
  // Breakers reported only through metrics (resilience4j, Polly, gauges) protect their edges too.
  const breakerEdges = metricBreakerEdges(store, fromMs, toMs, result.graph);
  const f = run.finish(result.graph, { serviceVersions: result.serviceVersions, breakerEdges });
  return {
    window: { fromMs, toMs },
    generatedAtMs: opts.nowMs,
    sampled,
    spanLimit: opts.spanLimit,
    spansAnalyzed: spans.length,
    traces: result.traces,
    findings: f.findings,
    notEvaluated: f.notEvaluated,
    score: f.score,
  };
}
