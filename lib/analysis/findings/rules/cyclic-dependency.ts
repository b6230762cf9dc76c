// Services that call each other in a loop cannot be deployed, scaled or reasoned about apart.
import { addExample, CappedMap, spanRefs } from '../bounded.ts';
import { stronglyConnected } from '../scc.ts';
import { entryOf, isSyncHop } from '../trace-facts.ts';
import type { SpanNode } from '../../trace/tree.ts';
import type { Finding, Rule, SpanRef } from '../types.ts';

const defaults = {
  /** A sync edge counts for the component only when seen this many times (one-off calls are noise). */
  minEdgeCalls: 3,
};

interface Loop {
  services: string[];
  path: string[];
  traces: number;
  traceIds: string[];
  spans: SpanRef[];
}

export const cyclicDependency: Rule<CappedMap<string, Loop>, typeof defaults> = {
  id: 'cyclic-dependency',
  title: 'Cyclic dependency',
  defaultSeverity: 'high',
  defaults,
  allowKeys: ['service', 'target'],
  remediation:
    'Break the loop: extract the capability both sides need into its own service, turn one direction into events, or merge the services if they are really one.',
  createState: () => new CappedMap(10_000),
  visitTrace(tree, state, ctx) {
    const seen = new Set<string>();
    for (const node of tree.nodes) {
      if (!isSyncHop(node)) continue;
      // Walk up the entries of the calling services; meeting this service again closes a loop.
      const hops: SpanNode[] = [node];
      let closed = false;
      let p: SpanNode | undefined = node.parent;
      while (p) {
        const e = entryOf(p);
        hops.push(e);
        if (e.service === node.service) {
          closed = true;
          break;
        }
        if (!isSyncHop(e)) break;
        p = e.parent;
      }
      if (!closed) continue;
      // hops: [node (service X), …, the earlier X]; the call path runs the other way.
      const path = hops.map((h) => h.service).reverse();
      const edges = path.slice(1).map((s, i) => [path[i], s] as const);
      if (edges.some(([a, b]) => ctx.allowed({ service: a, target: b }))) continue;
      const services = [...new Set(path)].sort();
      const key = services.join('\u0000');
      const loop = state.upsert(key, () => ({ services, path, traces: 0, traceIds: [], spans: spanRefs(hops.slice().reverse()) }));
      if (!loop) continue;
      if (!seen.has(key)) {
        seen.add(key);
        loop.traces++;
        addExample(loop.traceIds, tree.traceId);
      }
    }
  },
  finalize(state, ctx) {
    const t = ctx.thresholds();
    const services = new Set(ctx.graph.nodes.filter((n) => n.kind === 'service').map((n) => n.id));
    const out = new Map<string, string[]>();
    const edgeInfo = new Map<string, { calls: number; traceIds: string[] }>();
    for (const e of ctx.graph.edges) {
      if (e.kind !== 'sync' || e.calls < t.minEdgeCalls || e.source === e.target) continue;
      if (!services.has(e.source) || !services.has(e.target)) continue;
      if (ctx.allowed({ service: e.source, target: e.target })) continue;
      out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
      edgeInfo.set(`${e.source}->${e.target}`, { calls: e.calls, traceIds: e.traceIds });
    }
    const comps = stronglyConnected([...out.keys()].sort(), out).filter((c) => c.length >= 2);
    const findings: Finding[] = [];
    const covered = new Set<Loop>();
    for (const comp of comps) {
      const inside = new Set(comp);
      const edges = [...edgeInfo].filter(([k]) => {
        const [a, b] = k.split('->');
        return inside.has(a) && inside.has(b);
      });
      const loops = [...state.values()].filter((l) => l.services.every((s) => inside.has(s)));
      loops.forEach((l) => covered.add(l));
      const f = ctx.finding({
        severity: 'high',
        title: `${comp.length} services call each other in a cycle: ${comp.join(', ')}`,
        services: comp,
        resources: edges.map(([k]) => ({ kind: 'edge' as const, name: k })),
        counts: { services: comp.length, edges: edges.length, calls: edges.reduce((n, [, e]) => n + e.calls, 0), tracesWithLoop: loops.reduce((n, l) => n + l.traces, 0) },
        traceIds: [...loops.flatMap((l) => l.traceIds), ...edges.flatMap(([, e]) => e.traceIds)],
        spans: loops[0]?.spans,
        details: { edges: edges.map(([k]) => k) },
        identity: comp,
      });
      if (f) findings.push(f);
    }
    for (const loop of state.values()) {
      if (covered.has(loop)) continue;
      const f = ctx.finding({
        severity: 'high',
        title: `One request loops back through ${loop.path.join(' → ')}`,
        services: loop.services,
        resources: loop.path.slice(1).map((s, i) => ({ kind: 'edge' as const, name: `${loop.path[i]}->${s}` })),
        counts: { services: loop.services.length, tracesWithLoop: loop.traces },
        traceIds: loop.traceIds,
        spans: loop.spans,
        details: { path: loop.path },
        identity: loop.services,
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
