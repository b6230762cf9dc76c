// Long synchronous call chains: every hop adds latency and multiplies failure probability.
import { addExample, CappedMap, round, spanRefs } from '../bounded.ts';
import { chainOf, endpointOf, routeOf } from '../trace-facts.ts';
import type { Finding, Rule, SpanRef } from '../types.ts';

const defaults = {
  /** Distinct services on the chain (the root's service counts as 1). */
  medium: 5,
  high: 7,
  /** Share of an endpoint's traces that must show the chain. */
  minTraceShare: 0.1,
};

interface EndpointStats {
  service: string;
  route: string;
  traces: number;
  atMedium: number;
  atHigh: number;
  maxDepth: number;
  path: string[];
  spans: SpanRef[];
  traceIds: string[];
}

export const syncChain: Rule<CappedMap<string, EndpointStats>, typeof defaults> = {
  id: 'sync-chain',
  title: 'Long synchronous call chain',
  defaultSeverity: 'medium',
  defaults,
  allowKeys: ['service', 'route'],
  remediation:
    'Shorten the chain: replace hops with asynchronous messaging, replicate the data a caller needs into a local read model, compose in a BFF, or merge services that were split too finely.',
  createState: () => new CappedMap(50_000),
  visitTrace(tree, state, ctx) {
    const root = tree.roots[0];
    if (!root) return;
    const endpoint = endpointOf(root);
    const s = state.upsert(endpoint, () => ({
      service: root.service,
      route: routeOf(root.span) ?? root.span.name,
      traces: 0,
      atMedium: 0,
      atHigh: 0,
      maxDepth: 0,
      path: [],
      spans: [],
      traceIds: [],
    }));
    if (!s) return;
    const t = ctx.thresholds(root.service);
    const chain = chainOf(tree);
    s.traces++;
    if (chain.depth >= t.medium) {
      s.atMedium++;
      addExample(s.traceIds, tree.traceId);
    }
    if (chain.depth >= t.high) s.atHigh++;
    if (chain.depth > s.maxDepth) {
      s.maxDepth = chain.depth;
      s.path = chain.path;
      s.spans = spanRefs(chain.nodes);
    }
  },
  finalize(state, ctx) {
    const findings: Finding[] = [];
    for (const [endpoint, s] of state) {
      const t = ctx.thresholds(s.service);
      if (s.atMedium === 0 || s.atMedium / s.traces < t.minTraceShare) continue;
      if (ctx.allowed({ service: s.service, route: [s.route, endpoint] })) continue;
      const high = s.atHigh / s.traces >= t.minTraceShare;
      const f = ctx.finding({
        subject: s.service,
        severity: high ? 'high' : 'medium',
        title: `${endpoint} runs a synchronous chain ${s.maxDepth} services deep`,
        services: [...new Set(s.path)],
        resources: [{ kind: 'endpoint', name: endpoint }],
        counts: { maxDepth: s.maxDepth, traces: s.traces, deepTraces: s.atMedium, veryDeepTraces: s.atHigh },
        traceIds: s.traceIds,
        spans: s.spans,
        details: { chain: s.path, deepTraceShare: round(s.atMedium / s.traces) },
        identity: [`endpoint:${endpoint}`],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
