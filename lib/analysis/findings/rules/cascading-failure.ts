// Errors that propagate up the chain: one failing callee takes its callers down with it.
import { addExample, CappedMap, spanRefs } from '../bounded.ts';
import { isEntry, isError, syncAncestors } from '../trace-facts.ts';
import type { SpanNode } from '../../trace/tree.ts';
import { edgeKey, type Finding, type Rule, type SpanRef } from '../types.ts';

const defaults = {
  /** Sync callers above the failing service (A→B→C→D failing at D is 3 hops). */
  minHops: 3,
  /** Share of those callers that fail too. */
  minErrorShare: 0.8,
};

interface Hit {
  origin: string;
  path: string[];
  occurrences: number;
  traces: number;
  lastTrace: string;
  traceIds: string[];
  spans: SpanRef[];
}

export const cascadingFailure: Rule<CappedMap<string, Hit>, typeof defaults> = {
  id: 'cascading-failure',
  title: 'Cascading failure',
  defaultSeverity: 'high',
  defaults,
  allowKeys: ['service', 'target'],
  remediation:
    'Contain the failure where it starts: timeouts on every call, a circuit breaker on the failing dependency, bulkheads so one dependency cannot exhaust the caller, and fallbacks (cached or degraded answers) instead of passing the error up.',
  createState: () => new CappedMap(10_000),
  visitTrace(tree, state, ctx) {
    const failingEntries = new Set<SpanNode>();
    for (const n of tree.nodes) if (isEntry(n) && isError(n)) failingEntries.add(n);
    if (failingEntries.size === 0) return;
    // A failing caller is not an origin: its ancestors are also ancestors of the deeper failure.
    const notOrigin = new Set<SpanNode>();
    for (const e of failingEntries) for (const a of syncAncestors(e)) notOrigin.add(a);
    for (const origin of failingEntries) {
      if (notOrigin.has(origin)) continue;
      const t = ctx.thresholds(origin.service);
      const ancestors = syncAncestors(origin);
      if (ancestors.length < t.minHops) continue;
      const failing = ancestors.filter(isError).length;
      if (failing / ancestors.length < t.minErrorShare) continue;
      const path = [...ancestors].reverse().map((a) => a.service).concat(origin.service);
      if (ctx.allowed({ service: path, target: origin.service })) continue;
      const key = path.join('\u0000');
      const hit = state.upsert(key, () => ({ origin: origin.service, path, occurrences: 0, traces: 0, lastTrace: '', traceIds: [], spans: spanRefs([...ancestors].reverse().concat(origin)) }));
      if (!hit) continue;
      hit.occurrences++;
      if (hit.lastTrace !== tree.traceId) {
        hit.traces++;
        hit.lastTrace = tree.traceId;
      }
      addExample(hit.traceIds, tree.traceId);
    }
  },
  finalize(state, ctx) {
    const findings: Finding[] = [];
    for (const h of state.values()) {
      const edges = h.path.slice(1).map((s, i) => edgeKey(h.path[i], s));
      const protectedEdges = edges.filter((e) => ctx.breakerEdges.has(e));
      const f = ctx.finding({
        subject: h.origin,
        severity: 'high',
        title: `Errors in ${h.origin} propagate through ${h.path.length - 1} callers up to ${h.path[0]}`,
        services: h.path,
        resources: edges.map((name) => ({ kind: 'edge' as const, name })),
        counts: { hops: h.path.length - 1, occurrences: h.occurrences, traces: h.traces, edgesWithBreaker: protectedEdges.length },
        traceIds: h.traceIds,
        spans: h.spans,
        details: { origin: h.origin, chain: h.path, breakerEdges: protectedEdges },
        identity: [`origin:${h.origin}`, ...h.path],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
