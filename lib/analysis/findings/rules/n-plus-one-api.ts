// One remote call per item: the same (service, route) called again and again under one parent.
import { addExample, CappedMap, spanRefs } from '../bounded.ts';
import { attrString, callTarget, isDb, remoteChild, routeOf } from '../trace-facts.ts';
import type { SpanNode } from '../../trace/tree.ts';
import type { Finding, Rule, SpanRef } from '../types.ts';

const defaults = {
  /** Calls to one (service, route/method) under one parent. */
  medium: 5,
};

interface Hit {
  service: string;
  target: string;
  targetName: string;
  targetIsService: boolean;
  operation: string;
  parent: string;
  occurrences: number;
  traces: number;
  lastTrace: string;
  maxCount: number;
  traceIds: string[];
  spans: SpanRef[];
}

/** `GET /users/{id}` for HTTP, the RPC method, else the callee's (or the client's) span name. */
export function operationOf(call: SpanNode): string {
  const remote = remoteChild(call);
  const span = remote?.span ?? call.span;
  const route = routeOf(span) ?? (remote ? undefined : routeOf(call.span));
  const method = attrString(span, 'http.request.method') ?? attrString(call.span, 'http.request.method');
  if (route) return method ? `${method.toUpperCase()} ${route}` : route;
  return span.name;
}

export const nPlusOneApi: Rule<CappedMap<string, Hit>, typeof defaults> = {
  id: 'n-plus-one-api',
  title: 'N+1 remote calls',
  defaultSeverity: 'medium',
  defaults,
  allowKeys: ['service', 'target', 'route'],
  remediation:
    'Call once for all items: add a bulk endpoint (GET /items?ids=…), compose the data on the callee side, cache the responses, or keep a replicated read model of what the caller needs.',
  createState: () => new CappedMap(20_000),
  visitTrace(tree, state, ctx) {
    for (const parent of tree.nodes) {
      let groups: Map<string, SpanNode[]> | undefined;
      for (const c of parent.children) {
        if (c.kind !== 'client' || isDb(c) || c.service !== parent.service) continue;
        const target = callTarget(c);
        if (!target) continue;
        groups ??= new Map();
        const key = `${c.service}\u0000${target.id}\u0000${operationOf(c)}`;
        const g = groups.get(key);
        if (g) g.push(c);
        else groups.set(key, [c]);
      }
      if (!groups) continue;
      for (const [key, calls] of groups) {
        if (calls.length < ctx.thresholds(parent.service).medium) continue;
        const [service, targetId, operation] = key.split('\u0000');
        const target = callTarget(calls[0])!;
        if (ctx.allowed({ service, target: [target.id, target.name], route: operation })) continue;
        const hit = state.upsert(key, () => ({
          service,
          target: targetId,
          targetName: target.name,
          targetIsService: target.kind === 'service',
          operation,
          parent: parent.span.name,
          occurrences: 0,
          traces: 0,
          lastTrace: '',
          maxCount: 0,
          traceIds: [],
          spans: [],
        }));
        if (!hit) continue;
        hit.occurrences++;
        if (hit.lastTrace !== tree.traceId) {
          hit.traces++;
          hit.lastTrace = tree.traceId;
        }
        addExample(hit.traceIds, tree.traceId);
        if (calls.length > hit.maxCount) {
          hit.maxCount = calls.length;
          hit.spans = spanRefs(calls);
        }
      }
    }
  },
  finalize(state, ctx) {
    const findings: Finding[] = [];
    for (const h of state.values()) {
      const f = ctx.finding({
        subject: h.service,
        severity: 'medium',
        title: `${h.service} calls ${h.targetName} ${h.operation} up to ${h.maxCount} times under one ${h.parent}`,
        services: h.targetIsService ? [h.service, h.targetName] : [h.service],
        resources: [
          { kind: 'edge', name: `${h.service}->${h.target}` },
          { kind: 'route', name: h.operation },
        ],
        counts: { maxCalls: h.maxCount, occurrences: h.occurrences, traces: h.traces },
        traceIds: h.traceIds,
        spans: h.spans,
        details: { target: h.targetName, operation: h.operation, parent: h.parent },
        identity: [h.service, h.target, h.operation],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
