// A failing dependency called at full rate, or retried in a storm: nothing stops the caller from
// piling onto a callee that is already down.
import { CappedMap, addExample, round, spanRefs } from '../bounded.ts';
import { attrNumber, callTarget, isError, remoteChild } from '../trace-facts.ts';
import { operationOf } from './n-plus-one-api.ts';
import type { SpanNode } from '../../trace/tree.ts';
import { edgeKey, type Finding, type Rule, type SpanRef } from '../types.ts';

const defaults = {
  /** A minute is failing when more than this share of the edge's calls fail… */
  errorRate: 0.5,
  /** …out of at least this many calls (one failed call in a quiet minute is not an outage). */
  minCallsPerMinute: 10,
  /**
   * How long the failure must last. Measured over consecutive failing minutes as the time their
   * calls cover (first to last call, plus one average gap: each call stands for its interval), so
   * a 2-second burst inside one minute bucket is not "a minute of failure".
   */
  minFailingMinutes: 1,
  /** The caller "did not back off" while its call rate stayed above (1 - maxRateDrop) of the rate before. */
  maxRateDrop: 0.5,
  /** Identical calls after an error under one parent, or http.request.resend_count, that make a retry storm. */
  minRetries: 3,
};


interface Bucket {
  calls: number;
  errors: number;
  /** Epoch ms of the first and last call in the bucket. */
  firstMs: number;
  lastMs: number;
}

interface EdgeState {
  caller: string;
  callee: string;
  minutes: Map<number, Bucket>;
  errorTraceIds: string[];
  errorSpans: SpanRef[];
  storms: number;
  maxRetries: number;
  stormTraceIds: string[];
  stormSpans: SpanRef[];
}

interface State {
  edges: CappedMap<string, EdgeState>;
  /** Minute buckets held, over all edges. */
  buckets: number;
  /** Minute buckets that did not fit the bounded timelines. */
  droppedMinutes: number;
}

const MAX_MINUTES_PER_EDGE = 20_160; // two weeks
// ~100 bytes a bucket: the timelines of all edges together stay around 100 MB at worst.
const MAX_BUCKETS = 1_000_000;

export const missingCircuitBreaker: Rule<State, typeof defaults> = {
  id: 'missing-circuit-breaker',
  title: 'Missing circuit breaker',
  defaultSeverity: 'high',
  defaults,
  thresholdTypes: { minFailingMinutes: 'number', maxRateDrop: 'share' },
  allowKeys: ['service', 'target'],
  remediation:
    'Wrap the call in a circuit breaker (opossum, cockatiel, resilience4j, Polly, or Envoy outlier detection) so a failing dependency is cut off and probed instead of hammered, and retry only with capped exponential backoff and jitter.',
  createState: () => ({ edges: new CappedMap(20_000), buckets: 0, droppedMinutes: 0 }),
  visitTrace(tree, state, ctx) {
    const edgeOf = (caller: string, callee: string) =>
      state.edges.upsert(edgeKey(caller, callee), () => ({
        caller,
        callee,
        minutes: new Map(),
        errorTraceIds: [],
        errorSpans: [],
        storms: 0,
        maxRetries: 0,
        stormTraceIds: [],
        stormSpans: [],
      }));
    for (const n of tree.nodes) {
      if (n.kind !== 'client') continue;
      const target = callTarget(n);
      if (!target || (target.kind !== 'service' && target.kind !== 'external')) continue;
      const e = edgeOf(n.service, target.name);
      if (!e) continue;
      const ms = Number(n.span.startNs / 1_000_000n);
      const minute = Math.floor(ms / 60_000);
      let b = e.minutes.get(minute);
      if (!b) {
        if (e.minutes.size >= MAX_MINUTES_PER_EDGE || state.buckets >= MAX_BUCKETS) {
          state.droppedMinutes++;
          continue;
        }
        e.minutes.set(minute, (b = { calls: 0, errors: 0, firstMs: ms, lastMs: ms }));
        state.buckets++;
      }
      b.calls++;
      if (ms < b.firstMs) b.firstMs = ms;
      if (ms > b.lastMs) b.lastMs = ms;
      const remote = remoteChild(n);
      if (isError(n) || (remote && isError(remote))) {
        b.errors++;
        if (e.errorSpans.length < 20) e.errorSpans.push({ traceId: n.span.traceId, spanId: n.span.spanId });
        addExample(e.errorTraceIds, tree.traceId);
      }
      const resend = attrNumber(n.span, 'http.request.resend_count');
      const t = ctx.thresholds(n.service);
      if (resend !== undefined && resend >= t.minRetries) {
        e.storms++;
        e.maxRetries = Math.max(e.maxRetries, resend);
        addExample(e.stormTraceIds, tree.traceId);
        if (e.stormSpans.length === 0) e.stormSpans = spanRefs([n]);
      }
    }
    // Retry storms visible as repeated identical siblings after a failure.
    for (const parent of tree.nodes) {
      if (parent.children.length < 2) continue;
      // Storms start with a failure: most parents have none, and need no grouping.
      if (!parent.children.some((c) => c.kind === 'client' && (isError(c) || isError(remoteChild(c) ?? c)))) continue;
      const groups = new Map<string, SpanNode[]>();
      for (const c of parent.children) {
        if (c.kind !== 'client' || c.service !== parent.service) continue;
        const target = callTarget(c);
        if (!target || (target.kind !== 'service' && target.kind !== 'external')) continue;
        const key = `${target.name}\u0000${operationOf(c)}`;
        const g = groups.get(key);
        if (g) g.push(c);
        else groups.set(key, [c]);
      }
      for (const [key, calls] of groups) {
        const firstError = calls.findIndex((c) => isError(c) || isError(remoteChild(c) ?? c));
        if (firstError < 0) continue;
        const retries = calls.length - firstError - 1;
        const t = ctx.thresholds(parent.service);
        if (retries < t.minRetries) continue;
        const e = edgeOf(parent.service, key.split('\u0000')[0]);
        if (!e) continue;
        e.storms++;
        e.maxRetries = Math.max(e.maxRetries, retries);
        addExample(e.stormTraceIds, tree.traceId);
        if (e.stormSpans.length === 0) e.stormSpans = spanRefs(calls.slice(firstError));
      }
    }
  },
  finalize(state, ctx) {
    const findings: Finding[] = [];
    for (const e of state.edges.values()) {
      if (ctx.allowed({ service: e.caller, target: e.callee })) continue;
      const t = ctx.thresholds(e.caller);
      const outage = ctx.breakerEdges.has(edgeKey(e.caller, e.callee)) ? undefined : fullRateOutage(e, t);
      if (!outage && e.storms === 0) continue;
      const reasons: string[] = [];
      if (outage) reasons.push(`kept calling at ${outage.callsPerMinute} calls/min while ${Math.round(outage.errorRate * 100)}% failed for ${outage.minutes} min`);
      if (e.storms > 0) reasons.push(`retried ${e.maxRetries} times after a failure`);
      const f = ctx.finding({
        subject: e.caller,
        severity: 'high',
        title: `${e.caller} → ${e.callee} has no circuit breaker: ${reasons.join('; ')}`,
        services: [e.caller, e.callee],
        resources: [{ kind: 'edge', name: edgeKey(e.caller, e.callee) }],
        counts: {
          failingMinutes: outage?.minutes ?? 0,
          callsWhileFailing: outage?.calls ?? 0,
          errorsWhileFailing: outage?.errors ?? 0,
          retryStorms: e.storms,
          maxRetries: e.maxRetries,
        },
        traceIds: [...e.stormTraceIds, ...e.errorTraceIds],
        spans: e.stormSpans.length > 0 ? e.stormSpans : e.errorSpans,
        details: {
          ...(outage ? { outageStart: new Date(outage.startMinute * 60_000).toISOString(), errorRate: round(outage.errorRate) } : {}),
          kind: [outage ? 'full-rate calls to a failing dependency' : '', e.storms > 0 ? 'retry storm' : ''].filter(Boolean),
        },
        identity: [`caller:${e.caller}`, `callee:${e.callee}`],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};

interface Outage {
  startMinute: number;
  minutes: number;
  calls: number;
  errors: number;
  errorRate: number;
  callsPerMinute: number;
}

/** The first run of failing minutes during which the caller did not back off. */
export function fullRateOutage(e: EdgeState, t: typeof defaults): Outage | undefined {
  const minutes = [...e.minutes.keys()].sort((a, b) => a - b);
  const failing = (m: number) => {
    const b = e.minutes.get(m);
    return !!b && b.calls >= t.minCallsPerMinute && b.errors / b.calls > t.errorRate;
  };
  for (let i = 0; i < minutes.length; i++) {
    if (!failing(minutes[i])) continue;
    let j = i;
    while (j + 1 < minutes.length && minutes[j + 1] === minutes[j] + 1 && failing(minutes[j + 1])) j++;
    const run = minutes.slice(i, j + 1);
    const before = e.minutes.get(minutes[i] - 1);
    const reference = before && before.calls > 0 ? before.calls : e.minutes.get(run[0])!.calls;
    const calls = run.map((m) => e.minutes.get(m)!.calls);
    const errors = run.reduce((n, m) => n + e.minutes.get(m)!.errors, 0);
    const total = calls.reduce((a, b) => a + b, 0);
    const span = e.minutes.get(run[run.length - 1])!.lastMs - e.minutes.get(run[0])!.firstMs;
    const coveredMs = total > 1 ? (span * total) / (total - 1) : 0;
    if (coveredMs >= t.minFailingMinutes * 60_000 && Math.min(...calls) >= reference * (1 - t.maxRateDrop)) {
      return { startMinute: run[0], minutes: Math.round((coveredMs / 60_000) * 10) / 10, calls: total, errors, errorRate: errors / total, callsPerMinute: Math.round((total * 60_000) / coveredMs) };
    }
    i = j;
  }
  return undefined;
}
