// Everything the waterfall and the trace API show about one trace, from its tree.
import type { SpanNode, TraceTree } from './tree.ts';
import { criticalPath, type CriticalSection } from './critical-path.ts';
import { syncChain, type SyncChain } from './chain.ts';

export interface TraceAnalysis {
  traceId: string;
  startNs: bigint;
  endNs: bigint;
  durationNs: number;
  spanCount: number;
  errorCount: number;
  /** Distinct services, sorted. */
  services: string[];
  /** The entry point: the longest root's service and span name. */
  rootService: string;
  rootName: string;
  /** Waterfall rows in tree order (DFS pre-order, children by start). */
  order: { spanId: string; parentIndex: number; depth: number; service: string; kind: SpanNode['kind']; selfTimeNs: number; onCriticalPath: boolean }[];
  criticalPath: CriticalSection[];
  /** Sum of critical-path time per service, largest first: where the user's wait went. */
  criticalPathByService: { service: string; durationNs: number }[];
  chain: SyncChain;
  orphans: number;
  duplicates: number;
  cyclesBroken: number;
}

export function analyzeTrace(tree: TraceTree): TraceAnalysis {
  const cp = criticalPath(tree);
  const onPath = new Set(cp.map((s) => s.node));
  const byService = new Map<string, number>();
  for (const s of cp) byService.set(s.service, (byService.get(s.service) ?? 0) + s.durationNs);
  let root: SpanNode | undefined = tree.roots[0];
  for (const r of tree.roots) if (root && r.span.durationNs > root.span.durationNs) root = r;
  const services = new Set<string>();
  let errorCount = 0;
  for (const n of tree.nodes) {
    services.add(n.service);
    if (n.span.status.code === 'error') errorCount++;
  }
  return {
    traceId: tree.traceId,
    startNs: tree.startNs,
    endNs: tree.endNs,
    durationNs: Number(tree.endNs - tree.startNs),
    spanCount: tree.nodes.length,
    errorCount,
    services: [...services].sort(),
    rootService: root?.service ?? '',
    rootName: root?.span.name ?? '',
    order: tree.nodes.map((n) => ({
      spanId: n.span.spanId,
      parentIndex: n.parent ? n.parent.index : -1,
      depth: n.depth,
      service: n.service,
      kind: n.kind,
      selfTimeNs: n.selfTimeNs,
      onCriticalPath: onPath.has(n.index),
    })),
    criticalPath: cp,
    criticalPathByService: [...byService.entries()].map(([service, durationNs]) => ({ service, durationNs })).sort((a, b) => b.durationNs - a.durationNs || (a.service < b.service ? -1 : 1)),
    chain: syncChain(tree),
    orphans: tree.orphans,
    duplicates: tree.duplicates,
    cyclesBroken: tree.cyclesBroken,
  };
}
