// Independent calls run one after another when they could run side by side.
import { CappedMap, addExample, round, spanRefs } from '../bounded.ts';
import { callTarget } from '../trace-facts.ts';
import type { SpanNode } from '../../trace/tree.ts';
import type { Finding, Rule, SpanRef } from '../types.ts';

const defaults = {
  /** Sibling calls to different targets, each starting after the previous one ended. */
  minCalls: 3,
  /** Time saved by running them concurrently: sum of durations minus the longest (Sentry uses 100 ms). */
  minSavingsMs: 100,
};

interface Hit {
  service: string;
  operation: string;
  occurrences: number;
  maxCalls: number;
  maxSavingsMs: number;
  targets: string[];
  traceIds: string[];
  spans: SpanRef[];
}

export const serializedCalls: Rule<CappedMap<string, Hit>, typeof defaults> = {
  id: 'serialized-calls',
  title: 'Serialized independent calls',
  defaultSeverity: 'low',
  defaults,
  thresholdTypes: { minSavingsMs: 'number' },
  allowKeys: ['service', 'route'],
  remediation: 'Issue the independent calls concurrently (Promise.all, CompletableFuture.allOf, Task.WhenAll) and join the results.',
  createState: () => new CappedMap(20_000),
  visitTrace(tree, state, ctx) {
    for (const parent of tree.nodes) {
      if (parent.children.length < 2) continue;
      const t = ctx.thresholds(parent.service);
      // Children are sorted by start. Walk the chain of calls where each begins after the previous
      // ended; a new target extends the run, a repeated target (likely dependent: a retry, a page) is skipped.
      const run: SpanNode[] = [];
      const targets = new Set<string>();
      let lastEnd = -1n;
      let best: { nodes: SpanNode[]; savingsMs: number } | undefined;
      const close = () => {
        if (run.length >= t.minCalls) {
          const durs = run.map((n) => n.span.durationNs / 1e6);
          const savingsMs = durs.reduce((a, b) => a + b, 0) - Math.max(...durs);
          if (savingsMs >= t.minSavingsMs && (!best || savingsMs > best.savingsMs)) best = { nodes: [...run], savingsMs };
        }
        run.length = 0;
        targets.clear();
      };
      for (const c of parent.children) {
        if (c.kind !== 'client' || c.service !== parent.service) continue;
        const target = callTarget(c);
        if (!target) continue;
        if (c.span.startNs < lastEnd) {
          // Overlaps the previous call: the caller already runs these concurrently.
          close();
        }
        if (!targets.has(target.id)) {
          run.push(c);
          targets.add(target.id);
        }
        if (c.span.endNs > lastEnd) lastEnd = c.span.endNs;
      }
      close();
      if (!best) continue;
      const found = best as { nodes: SpanNode[]; savingsMs: number };
      if (ctx.allowed({ service: parent.service, route: parent.span.name })) continue;
      const key = `${parent.service}\u0000${parent.span.name}`;
      const hit = state.upsert(key, () => ({ service: parent.service, operation: parent.span.name, occurrences: 0, maxCalls: 0, maxSavingsMs: 0, targets: [], traceIds: [], spans: [] }));
      if (!hit) continue;
      hit.occurrences++;
      addExample(hit.traceIds, tree.traceId);
      if (found.savingsMs > hit.maxSavingsMs) {
        hit.maxSavingsMs = found.savingsMs;
        hit.maxCalls = found.nodes.length;
        hit.targets = found.nodes.map((n) => callTarget(n)!.name);
        hit.spans = spanRefs(found.nodes);
      }
    }
  },
  finalize(state, ctx) {
    const findings: Finding[] = [];
    for (const h of state.values()) {
      const f = ctx.finding({
        severity: 'low',
        title: `${h.service} ${h.operation} calls ${h.maxCalls} services one after another (${Math.round(h.maxSavingsMs)} ms to gain)`,
        services: [h.service],
        resources: [{ kind: 'endpoint', name: `${h.service} ${h.operation}` }],
        counts: { maxCalls: h.maxCalls, maxSavingsMs: round(h.maxSavingsMs, 1), occurrences: h.occurrences },
        traceIds: h.traceIds,
        spans: h.spans,
        details: { targets: h.targets },
        identity: [h.service, h.operation],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
