// Clients call many services directly: every service is a public surface with its own auth,
// versioning and rate limits.
import { addExample, CappedMap } from '../bounded.ts';
import { DEFAULT_GATEWAY_HINTS, looksLikeGateway } from '../gateways.ts';
import type { Rule } from '../types.ts';

const defaults = {
  /** Services that receive requests from outside before it is a smell. */
  minEntryServices: 2,
  /** Words in a service name, `component` attribute or instrumentation scope that mark a gateway. */
  gatewayHints: DEFAULT_GATEWAY_HINTS,
};

interface Entry {
  requests: number;
  gateway: boolean;
  traceIds: string[];
  routes: Set<string>;
}

export const noApiGateway: Rule<CappedMap<string, Entry>, typeof defaults> = {
  id: 'no-api-gateway',
  title: 'No API gateway',
  defaultSeverity: 'medium',
  defaults,
  allowKeys: ['service'],
  remediation:
    'Put an API gateway or a backend-for-frontend in front of the services, so clients see one surface and authentication, rate limiting, versioning and composition live in one place.',
  createState: () => new CappedMap(10_000),
  visitTrace(tree, state, ctx) {
    const t = ctx.thresholds();
    for (const root of tree.roots) {
      // An orphan (parent never arrived) is not a request from outside.
      if (root.span.parentSpanId || root.kind !== 'server') continue;
      const e = state.upsert(root.service, () => ({ requests: 0, gateway: false, traceIds: [], routes: new Set() }));
      if (!e) continue;
      e.requests++;
      if (!e.gateway && looksLikeGateway(root.service, t.gatewayHints, root.span)) e.gateway = true;
      addExample(e.traceIds, tree.traceId);
      if (e.routes.size < 20) e.routes.add(root.span.name);
    }
  },
  finalize(state, ctx) {
    const t = ctx.thresholds();
    if (state.size === 0) return { findings: [], notEvaluated: 'no root SERVER spans (requests from outside) in the data' };
    if ([...state.values()].some((e) => e.gateway)) return { findings: [] };
    const entries = [...state.keys()].filter((s) => !ctx.allowed({ service: s })).sort();
    if (entries.length < t.minEntryServices) return { findings: [] };
    const f = ctx.finding({
      severity: 'medium',
      title: `${entries.length} services receive requests from outside directly, with no gateway in front`,
      services: entries,
      counts: { entryServices: entries.length, requests: entries.reduce((n, s) => n + state.get(s)!.requests, 0) },
      traceIds: entries.flatMap((s) => state.get(s)!.traceIds.slice(0, 1)),
      details: Object.fromEntries(entries.slice(0, 20).map((s) => [`entry ${s}`, [...state.get(s)!.routes].sort()])),
      identity: entries,
    });
    return { findings: f ? [f] : [] };
  },
};
