// Too small to be a service: it adds a network hop and a deployment but does almost nothing on
// its own, or it never runs without one particular partner.
import { CappedMap, Reservoir, addExample, median, round } from '../bounded.ts';
import { isEntry, isSyncHop } from '../trace-facts.ts';
import type { SpanNode } from '../../trace/tree.ts';
import type { Finding, Rule } from '../types.ts';

const defaults = {
  /** At most this many distinct operations (server span names). */
  maxOperations: 2,
  /** Median work per request (time in its own spans, database calls included) below this… */
  maxMedianSelfMs: 2,
  /** …or below this share of its server span. */
  maxSelfShare: 0.2,
  /** Share of its calls that come from its single main caller. */
  minCallerShare: 0.95,
  /** Requests (or traces, for the pair test) seen before judging; little data proves nothing. */
  minCalls: 20,
  /** Two services in this share of each other's traces (Jaccard) are one service in two processes. */
  minJaccard: 0.9,
};

const CLIENT = '(outside)';

interface ServiceStats {
  operations: Set<string>;
  selfMs: Reservoir;
  selfShare: Reservoir;
  callers: Map<string, number>;
  calls: number;
  traces: number;
  traceIds: string[];
}

interface State {
  services: CappedMap<string, ServiceStats>;
  /** `a\0b` (sorted) → traces where a calls b or b calls a. */
  pairs: CappedMap<string, number>;
}

export const nanoService: Rule<State, typeof defaults> = {
  id: 'nano-service',
  title: 'Nano-service',
  defaultSeverity: 'low',
  defaults,
  thresholdTypes: { maxMedianSelfMs: 'number' },
  allowKeys: ['service'],
  remediation: 'Merge it into its caller (or its partner), or redraw the boundary so the service owns a capability worth a network hop and a deployment.',
  createState: () => ({ services: new CappedMap(10_000), pairs: new CappedMap(200_000) }),
  visitTrace(tree, state) {
    const inTrace = new Set<string>();
    const pairsInTrace = new Set<string>();
    for (const entry of tree.nodes) {
      if (!isEntry(entry)) continue;
      const s = state.services.upsert(entry.service, () => ({
        operations: new Set(),
        selfMs: new Reservoir(255),
        selfShare: new Reservoir(255),
        callers: new Map(),
        calls: 0,
        traces: 0,
        traceIds: [],
      }));
      if (!s) continue;
      if (!inTrace.has(entry.service)) {
        inTrace.add(entry.service);
        s.traces++;
        addExample(s.traceIds, tree.traceId);
      }
      if (entry.kind !== 'server' && entry.kind !== 'consumer') continue;
      s.calls++;
      if (s.operations.size < 100) s.operations.add(entry.span.name);
      const caller = entry.parent ? entry.parent.service : CLIENT;
      s.callers.set(caller, (s.callers.get(caller) ?? 0) + 1);
      const workNs = ownWork(entry);
      s.selfMs.add(workNs / 1e6);
      if (entry.span.durationNs > 0) s.selfShare.add(workNs / entry.span.durationNs);
      if (isSyncHop(entry)) pairsInTrace.add([entry.parent!.service, entry.service].sort().join('\u0000'));
    }
    for (const p of pairsInTrace) {
      const n = state.pairs.get(p);
      if (n !== undefined) state.pairs.set(p, n + 1);
      else state.pairs.upsert(p, () => 1);
    }
  },
  finalize(state, ctx) {
    const findings: Finding[] = [];
    const flagged = new Set<string>();
    const entryServices = new Set([...state.services].filter(([, s]) => s.callers.has(CLIENT)).map(([n]) => n));
    for (const [service, s] of state.services) {
      const t = ctx.thresholds(service);
      if (s.calls < t.minCalls || s.operations.size > t.maxOperations || ctx.allowed({ service })) continue;
      const [topCaller, topCalls] = [...s.callers].sort((a, b) => b[1] - a[1])[0] ?? [CLIENT, 0];
      if (topCaller === CLIENT || topCalls / s.calls < t.minCallerShare) continue;
      const medSelf = median(s.selfMs.values);
      const medShare = median(s.selfShare.values);
      if (!(medSelf < t.maxMedianSelfMs || medShare < t.maxSelfShare)) continue;
      flagged.add(service);
      const f = ctx.finding({
        severity: 'low',
        title: `${service} is a nano-service: ${s.operations.size} operation${s.operations.size > 1 ? 's' : ''}, ${round(medSelf, 2)} ms of own work per call, called almost only by ${topCaller}`,
        services: [service, topCaller],
        subject: service,
        counts: { operations: s.operations.size, calls: s.calls, medianSelfMs: round(medSelf, 3), medianSelfShare: round(medShare), callerShare: round(topCalls / s.calls) },
        traceIds: s.traceIds,
        details: { operations: [...s.operations].sort(), caller: topCaller },
        identity: [`nano:${service}`],
      });
      if (f) findings.push(f);
    }
    for (const [pair, both] of state.pairs) {
      const [a, b] = pair.split('\u0000');
      const sa = state.services.get(a);
      const sb = state.services.get(b);
      if (!sa || !sb) continue;
      const t = ctx.thresholds(b);
      if (sa.traces < t.minCalls || sb.traces < t.minCalls) continue;
      const jaccard = both / (sa.traces + sb.traces - both);
      if (jaccard < t.minJaccard) continue;
      // Only a small partner that nobody calls from outside; a gateway and its one backend always co-occur.
      const small = [a, b].filter((x) => !entryServices.has(x) && state.services.get(x)!.operations.size <= t.maxOperations && !flagged.has(x));
      if (small.length === 0 || ctx.allowed({ service: [a, b] })) continue;
      const f = ctx.finding({
        severity: 'low',
        title: `${a} and ${b} appear together in ${Math.round(jaccard * 100)}% of their traces`,
        services: [a, b],
        subject: small[0],
        counts: { tracesTogether: both, tracesA: sa.traces, tracesB: sb.traces, jaccard: round(jaccard) },
        traceIds: sa.traceIds.filter((id) => sb.traceIds.includes(id)),
        details: { partner: small[0] },
        identity: [`pair:${a}`, `pair:${b}`],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};

/** Time spent in the service's own spans for one request (its database calls included). */
function ownWork(entry: SpanNode): number {
  let ns = 0;
  const stack: SpanNode[] = [entry];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.service !== entry.service) continue;
    ns += n.selfTimeNs;
    for (const c of n.children) stack.push(c);
  }
  return ns;
}
