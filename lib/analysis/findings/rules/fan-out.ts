// One operation touching very many services: an orchestrator that every change runs through.
import { addExample, CappedMap, spanRefs } from '../bounded.ts';
import { callTarget, isEntry } from '../trace-facts.ts';
import type { SpanNode } from '../../trace/tree.ts';
import type { Finding, Rule, SpanRef } from '../types.ts';

const defaults = {
  /** Distinct downstream nodes (services, databases, queues, external peers) one server span calls. */
  services: 8,
  /** …or direct children of the server span (perf-sentinel). */
  children: 20,
};

interface Hit {
  service: string;
  operation: string;
  occurrences: number;
  maxTargets: number;
  maxChildren: number;
  targets: string[];
  traceIds: string[];
  spans: SpanRef[];
}

/** Calls made while handling `entry`: its descendants in the same service that leave the service. */
function outboundCalls(entry: SpanNode): SpanNode[] {
  const out: SpanNode[] = [];
  const stack = [...entry.children];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.service !== entry.service) continue;
    if (n.kind === 'client' || n.kind === 'producer') out.push(n);
    else for (const c of n.children) stack.push(c);
  }
  return out;
}

export const fanOut: Rule<CappedMap<string, Hit>, typeof defaults> = {
  id: 'fan-out',
  title: 'Excessive fan-out',
  defaultSeverity: 'medium',
  defaults,
  allowKeys: ['service', 'route'],
  remediation:
    'Split the orchestrator by use case, let downstream services react to an event instead of being called one by one, or aggregate asynchronously.',
  createState: () => new CappedMap(20_000),
  visitTrace(tree, state, ctx) {
    for (const entry of tree.nodes) {
      if (!isEntry(entry) || (entry.kind !== 'server' && entry.kind !== 'consumer')) continue;
      const t = ctx.thresholds(entry.service);
      const calls = outboundCalls(entry);
      const targets = new Map<string, string>();
      for (const c of calls) {
        const target = callTarget(c);
        if (target) targets.set(target.id, target.name);
      }
      const children = entry.children.length;
      if (targets.size < t.services && children < t.children) continue;
      if (ctx.allowed({ service: entry.service, route: entry.span.name })) continue;
      const key = `${entry.service}\u0000${entry.span.name}`;
      const hit = state.upsert(key, () => ({ service: entry.service, operation: entry.span.name, occurrences: 0, maxTargets: 0, maxChildren: 0, targets: [], traceIds: [], spans: [] }));
      if (!hit) continue;
      hit.occurrences++;
      addExample(hit.traceIds, tree.traceId);
      hit.maxChildren = Math.max(hit.maxChildren, children);
      if (targets.size > hit.maxTargets || hit.spans.length === 0) {
        hit.maxTargets = Math.max(hit.maxTargets, targets.size);
        hit.targets = [...new Set(targets.values())].sort();
        hit.spans = spanRefs([entry, ...calls]);
      }
    }
  },
  finalize(state, ctx) {
    const findings: Finding[] = [];
    for (const h of state.values()) {
      const f = ctx.finding({
        severity: 'medium',
        title:
          h.maxTargets >= ctx.thresholds(h.service).services
            ? `${h.service} ${h.operation} calls ${h.maxTargets} different services`
            : `${h.service} ${h.operation} has ${h.maxChildren} child spans`,
        services: [h.service],
        resources: [{ kind: 'endpoint', name: `${h.service} ${h.operation}` }],
        counts: { maxTargets: h.maxTargets, maxChildren: h.maxChildren, occurrences: h.occurrences },
        traceIds: h.traceIds,
        spans: h.spans,
        details: { targets: h.targets.slice(0, 50) },
        identity: [h.service, h.operation],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
