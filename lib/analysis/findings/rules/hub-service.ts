// One service concentrating both incoming and outgoing dependencies: a change anywhere reaches it.
import { serviceDependencies } from '../dependencies.ts';
import type { Finding, Rule } from '../types.ts';

const defaults = {
  /** MSANose: an outlier sits above a jump larger than this many times the mean step in the sorted degrees. */
  jumpFactor: 2,
  /** Below this many services "outlier" means little. */
  minServices: 4,
  /** An outlier must have at least this many distinct neighbours in each direction. */
  minDegree: 2,
};

/** Values above the first jump of more than factor × the mean step (sorted ascending), or none. */
export function degreeOutliers(degrees: ReadonlyMap<string, number>, factor: number): Set<string> {
  const sorted = [...degrees.values()].sort((a, b) => a - b);
  if (sorted.length < 2) return new Set();
  const meanStep = (sorted[sorted.length - 1] - sorted[0]) / (sorted.length - 1);
  if (meanStep <= 0) return new Set();
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] - sorted[i - 1] > factor * meanStep) {
      const cut = sorted[i];
      return new Set([...degrees].filter(([, d]) => d >= cut).map(([s]) => s));
    }
  }
  return new Set();
}

export const hubService: Rule<null, typeof defaults> = {
  id: 'hub-service',
  title: 'Hub service',
  defaultSeverity: 'medium',
  defaults,
  thresholdTypes: { jumpFactor: 'number' },
  allowKeys: ['service'],
  remediation:
    'Split the hub by capability so each piece has few dependents and few dependencies; keep endpoints smart and pipes dumb instead of routing everything through one service.',
  finalize(_state, ctx) {
    const t = ctx.thresholds();
    const services = ctx.graph.nodes.filter((n) => n.kind === 'service').map((n) => n.id);
    const ins = new Map<string, Set<string>>(services.map((s) => [s, new Set()]));
    const outs = new Map<string, Set<string>>(services.map((s) => [s, new Set()]));
    const traceIds = new Map<string, string[]>();
    for (const d of serviceDependencies(ctx.graph)) {
      outs.get(d.source)?.add(d.target);
      ins.get(d.target)?.add(d.source);
      for (const s of [d.source, d.target]) traceIds.set(s, [...(traceIds.get(s) ?? []), ...d.traceIds].slice(0, 5));
    }
    if (services.length < t.minServices) return { findings: [] };
    const inDeg = new Map([...ins].map(([s, v]) => [s, v.size]));
    const outDeg = new Map([...outs].map(([s, v]) => [s, v.size]));
    const inOut = degreeOutliers(inDeg, t.jumpFactor);
    const outOut = degreeOutliers(outDeg, t.jumpFactor);
    const findings: Finding[] = [];
    for (const s of services) {
      if (!inOut.has(s) || !outOut.has(s)) continue;
      const st = ctx.thresholds(s);
      if (inDeg.get(s)! < st.minDegree || outDeg.get(s)! < st.minDegree || ctx.allowed({ service: s })) continue;
      const f = ctx.finding({
        severity: 'medium',
        title: `${s} is a hub: ${inDeg.get(s)} services depend on it and it depends on ${outDeg.get(s)}`,
        services: [s],
        counts: { inDegree: inDeg.get(s)!, outDegree: outDeg.get(s)!, services: services.length },
        traceIds: traceIds.get(s) ?? [],
        details: { callers: [...ins.get(s)!].sort(), callees: [...outs.get(s)!].sort() },
        identity: [s],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
