// Externally reachable routes without a version: every change is a breaking change for someone.
import { CappedMap, addExample, round } from '../bounded.ts';
import { DEFAULT_GATEWAY_HINTS, looksLikeGateway } from '../gateways.ts';
import { globMatch } from '../glob.ts';
import { attrString, isSyncHop, routeOf } from '../trace-facts.ts';
import type { SpanNode } from '../../trace/tree.ts';
import type { Finding, Rule } from '../types.ts';

const defaults = {
  /** Operational routes nobody versions. */
  ignoreRoutes: ['/health*', '/healthz*', '/ready*', '/readyz*', '/live*', '/livez*', '/metrics', '/favicon.ico', '/', '*/health', '*/actuator*'],
  /** Services whose callee routes are public too (a gateway forwards external requests). */
  gatewayHints: DEFAULT_GATEWAY_HINTS,
};

// MSANose: /?api/v[0-9]+.* ; we accept a /v<N>/ segment anywhere, and gRPC packages like foo.v1.Bar.
const VERSION_SEGMENT = /(^|\/)v\d+(\.\d+)*(\/|$)/i;
const GRPC_VERSION = /(^|\.)v\d+[a-z0-9]*(\.|\/|$)/i;

export function isVersioned(route: string, grpc: boolean): boolean {
  return VERSION_SEGMENT.test(route) || (grpc && GRPC_VERSION.test(route));
}

// Routes repeat: decide "ignored?" once per distinct route (per pattern list: config arrays are stable objects).
const ignoredMemo = new Map<readonly string[], Map<string, boolean>>();
function ignored(route: string, patterns: readonly string[]): boolean {
  let memo = ignoredMemo.get(patterns);
  if (!memo) {
    if (ignoredMemo.size >= 100) ignoredMemo.clear();
    ignoredMemo.set(patterns, (memo = new Map()));
  }
  let hit = memo.get(route);
  if (hit === undefined) {
    hit = patterns.some((p) => globMatch(p, route));
    if (memo.size >= 10_000) memo.clear();
    memo.set(route, hit);
  }
  return hit;
}

interface ServiceRoutes {
  routes: Map<string, boolean>;
  overflow: number;
  traceIds: string[];
}

const MAX_ROUTES_PER_SERVICE = 1_000;

export const unversionedApi: Rule<CappedMap<string, ServiceRoutes>, typeof defaults> = {
  id: 'unversioned-api',
  title: 'Unversioned API',
  defaultSeverity: 'low',
  defaults,
  allowKeys: ['service', 'route'],
  remediation:
    'Version the public API (a /v1/ path segment or a version header, a versioned gRPC package) and guard it with consumer-driven contract tests so old clients keep working while the API evolves.',
  createState: () => new CappedMap(10_000),
  visitTrace(tree, state, ctx) {
    const t = ctx.thresholds();
    const publicEntries: SpanNode[] = [];
    for (const n of tree.nodes) {
      if (n.kind !== 'server') continue;
      if (!n.parent && !n.span.parentSpanId) publicEntries.push(n);
      else if (isSyncHop(n) && looksLikeGateway(n.parent!.service, t.gatewayHints)) publicEntries.push(n);
    }
    for (const n of publicEntries) {
      const route = routeOf(n.span);
      if (!route || ignored(route, t.ignoreRoutes)) continue;
      const s = state.upsert(n.service, () => ({ routes: new Map(), overflow: 0, traceIds: [] }));
      if (!s) continue;
      const grpc = attrString(n.span, 'rpc.service') !== undefined;
      if (!s.routes.has(route)) {
        if (s.routes.size >= MAX_ROUTES_PER_SERVICE) {
          s.overflow++;
          continue;
        }
        s.routes.set(route, isVersioned(route, grpc));
      }
      if (!s.routes.get(route)) addExample(s.traceIds, tree.traceId);
    }
  },
  finalize(state, ctx) {
    if (state.size === 0) {
      return { findings: [], notEvaluated: 'no externally reachable SERVER spans with http.route, url.path or rpc.service' };
    }
    const findings: Finding[] = [];
    for (const [service, s] of state) {
      const unversioned = [...s.routes].filter(([r, v]) => !v && !ctx.allowed({ service, route: r })).map(([r]) => r).sort();
      if (unversioned.length === 0) continue;
      const f = ctx.finding({
        severity: 'low',
        title: `${service} exposes ${unversioned.length} of ${s.routes.size} public routes without a version`,
        services: [service],
        resources: unversioned.slice(0, 20).map((name) => ({ kind: 'route' as const, name })),
        counts: { routes: s.routes.size, unversionedRoutes: unversioned.length },
        traceIds: s.traceIds,
        details: { unversionedShare: round(unversioned.length / s.routes.size), routes: unversioned.slice(0, 50) },
        identity: [service],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
