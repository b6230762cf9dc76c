// architecture.maxChainDepth: a hard ceiling on synchronous chain depth, declared by the team.
import { addExample, CappedMap, spanRefs } from '../bounded.ts';
import { chainOf, endpointOf } from '../trace-facts.ts';
import type { Finding, Rule, SpanRef } from '../types.ts';

interface Over {
  service: string;
  traces: number;
  maxDepth: number;
  path: string[];
  spans: SpanRef[];
  traceIds: string[];
}

export const architectureMaxChainDepth: Rule<CappedMap<string, Over>, Record<string, never>> = {
  id: 'architecture/max-chain-depth',
  title: 'Chain deeper than the declared maximum',
  defaultSeverity: 'high',
  defaults: {},
  allowKeys: ['service', 'route'],
  remediation:
    'The team declared a maximum synchronous chain depth (architecture.maxChainDepth). Break the chain with asynchronous messaging or a local read model, or raise the limit deliberately in the config.',
  createState: () => new CappedMap(50_000),
  visitTrace(tree, state, ctx) {
    const max = ctx.config.architecture.maxChainDepth;
    const root = tree.roots[0];
    if (max === undefined || !root) return;
    const chain = chainOf(tree);
    if (chain.depth <= max) return;
    const endpoint = endpointOf(root);
    const o = state.upsert(endpoint, () => ({ service: root.service, traces: 0, maxDepth: 0, path: [], spans: [], traceIds: [] }));
    if (!o) return;
    o.traces++;
    addExample(o.traceIds, tree.traceId);
    if (chain.depth > o.maxDepth) {
      o.maxDepth = chain.depth;
      o.path = chain.path;
      o.spans = spanRefs(chain.nodes);
    }
  },
  finalize(state, ctx) {
    const max = ctx.config.architecture.maxChainDepth;
    const findings: Finding[] = [];
    for (const [endpoint, o] of state) {
      if (ctx.allowed({ service: o.service, route: endpoint })) continue;
      const f = ctx.finding({
        subject: o.service,
        severity: 'high',
        title: `${endpoint} reaches ${o.maxDepth} services deep; the architecture allows ${max}`,
        services: [...new Set(o.path)],
        resources: [{ kind: 'endpoint', name: endpoint }],
        counts: { maxDepth: o.maxDepth, limit: max ?? 0, traces: o.traces },
        traceIds: o.traceIds,
        spans: o.spans,
        details: { chain: o.path },
        identity: [`endpoint:${endpoint}`],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
