// The dependency-graph diff between a baseline and this run: edges and services that appeared or
// went away, and the findings that bind services tighter (shared databases, deeper chains, cycles).
import type { Baseline } from './baseline.ts';
import { chainDepthOf } from './baseline.ts';
import type { Drift, EdgeRef, ReportFinding, ReportGraph } from './types.ts';

const edgeId = (e: EdgeRef) => `${e.source}\u0000${e.target}\u0000${e.kind}`;

export function computeDrift(baseline: Baseline, findings: readonly ReportFinding[], graph: ReportGraph): Drift {
  const before = new Map(baseline.findings.map((f) => [f.fingerprint, f]));
  const now = new Set(findings.map((f) => f.fingerprint));
  const beforeEdges = new Map(baseline.graph.edges.map((e) => [edgeId(e), e]));
  const nowEdges = new Map(graph.edges.map((e) => [edgeId(e), { source: e.source, target: e.target, kind: e.kind }]));
  const servicesOf = (nodes: readonly { id: string; kind: string }[]) => new Set(nodes.filter((n) => n.kind === 'service').map((n) => n.id));
  const beforeServices = servicesOf(baseline.graph.nodes);
  const nowServices = servicesOf(graph.nodes);
  const fresh = findings.filter((f) => !before.has(f.fingerprint));

  const deeperChains: Drift['deeperChains'] = [];
  for (const f of findings) {
    const depth = chainDepthOf(f);
    if (depth === undefined) continue;
    const old = before.get(f.fingerprint);
    const fromDepth = old?.depth ?? 0;
    if (!old || depth > fromDepth) deeperChains.push({ title: f.title, services: f.services, fromDepth, toDepth: depth, fingerprint: f.fingerprint });
  }

  return {
    baselineFindings: baseline.findings.length,
    resolvedFindings: baseline.findings.filter((f) => !now.has(f.fingerprint)).map((f) => ({ fingerprint: f.fingerprint, rule: f.rule, title: f.title })),
    newEdges: sortEdges([...nowEdges].filter(([k]) => !beforeEdges.has(k)).map(([, e]) => e)),
    removedEdges: sortEdges([...beforeEdges].filter(([k]) => !nowEdges.has(k)).map(([, e]) => e)),
    newServices: [...nowServices].filter((s) => !beforeServices.has(s)).sort(),
    removedServices: [...beforeServices].filter((s) => !nowServices.has(s)).sort(),
    newSharedDatabases: fresh
      .filter((f) => f.rule === 'shared-database')
      .map((f) => ({ database: f.resources.find((r) => r.kind === 'database')?.name ?? f.title, services: f.services, fingerprint: f.fingerprint })),
    deeperChains,
    newCycles: fresh.filter((f) => f.rule === 'cyclic-dependency').map((f) => ({ services: f.services, title: f.title, fingerprint: f.fingerprint })),
  };
}

export function driftIsEmpty(d: Drift): boolean {
  return (
    d.resolvedFindings.length === 0 &&
    d.newEdges.length === 0 &&
    d.removedEdges.length === 0 &&
    d.newServices.length === 0 &&
    d.removedServices.length === 0 &&
    d.newSharedDatabases.length === 0 &&
    d.deeperChains.length === 0 &&
    d.newCycles.length === 0
  );
}

function sortEdges(edges: EdgeRef[]): EdgeRef[] {
  return edges.sort((a, b) => cmp(a.source, b.source) || cmp(a.target, b.target) || cmp(a.kind, b.kind));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
