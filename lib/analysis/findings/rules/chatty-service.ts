// Many fine-grained remote calls per request: the boundary cuts through a conversation.
import { addExample, CappedMap, spanRefs } from '../bounded.ts';
import { callTarget, isDb } from '../trace-facts.ts';
import type { SpanNode } from '../../trace/tree.ts';
import type { Finding, Rule, Severity, SpanRef } from '../types.ts';

const defaults = {
  /** Outbound service calls (not database queries) from one service in one trace (perf-sentinel). */
  medium: 15,
  high: 45,
};

interface Hit {
  traces: number;
  maxCalls: number;
  severity: Severity;
  targets: Set<string>;
  traceIds: string[];
  spans: SpanRef[];
}

export const chattyService: Rule<CappedMap<string, Hit>, typeof defaults> = {
  id: 'chatty-service',
  title: 'Chatty service',
  defaultSeverity: 'medium',
  defaults,
  allowKeys: ['service'],
  remediation:
    'Make the conversation coarser: one call that returns what the caller needs, a BFF that composes on the server side, or redraw the boundary so the chatter stays inside one service.',
  createState: () => new CappedMap(10_000),
  visitTrace(tree, state, ctx) {
    const calls = new Map<string, SpanNode[]>();
    for (const n of tree.nodes) {
      if (n.kind !== 'client' || isDb(n)) continue;
      const list = calls.get(n.service);
      if (list) list.push(n);
      else calls.set(n.service, [n]);
    }
    for (const [service, list] of calls) {
      const t = ctx.thresholds(service);
      if (list.length < t.medium || ctx.allowed({ service })) continue;
      const hit = state.upsert(service, () => ({ traces: 0, maxCalls: 0, severity: 'medium', targets: new Set(), traceIds: [], spans: [] }));
      if (!hit) continue;
      hit.traces++;
      addExample(hit.traceIds, tree.traceId);
      if (list.length >= t.high) hit.severity = 'high';
      for (const c of list) {
        const target = callTarget(c);
        if (target && hit.targets.size < 100) hit.targets.add(target.name);
      }
      if (list.length > hit.maxCalls) {
        hit.maxCalls = list.length;
        hit.spans = spanRefs(list);
      }
    }
  },
  finalize(state, ctx) {
    const findings: Finding[] = [];
    for (const [service, h] of state) {
      const f = ctx.finding({
        severity: h.severity,
        title: `${service} makes up to ${h.maxCalls} remote calls in one request`,
        services: [service],
        counts: { maxCalls: h.maxCalls, traces: h.traces, targets: h.targets.size },
        traceIds: h.traceIds,
        spans: h.spans,
        details: { targets: [...h.targets].sort().slice(0, 20) },
        identity: [service],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
