// Exclusive time per request, as RedAccumulator.addTrace counts it: the self time of the spans a
// request ran inside its own service (not crossing into another service, without the client and
// producer spans it waited on). Exposed on its own so an incremental feed can compare a trace
// before and after late children arrived and add only the difference.
import type { SpanNode, TraceTree } from '../trace/tree.ts';

export interface ExclusiveTimes {
  /** Entry span (SERVER or CONSUMER) → exclusive ns of that request. */
  byEntry: Map<SpanNode, number>;
  /** Service → self ns of spans outside any request of the service (jobs, roots without a server span). */
  looseByService: Map<string, number>;
}

export function exclusiveTimes(tree: TraceTree): ExclusiveTimes {
  const entry: (SpanNode | undefined)[] = new Array(tree.nodes.length);
  const byEntry = new Map<SpanNode, number>();
  const looseByService = new Map<string, number>();
  for (const n of tree.nodes) {
    const isEntry = n.kind === 'server' || n.kind === 'consumer';
    const p = n.parent;
    const e = isEntry ? n : p && p.service === n.service ? entry[p.index] : undefined;
    entry[n.index] = e;
    if (isEntry && !byEntry.has(n)) byEntry.set(n, 0);
    if (n.kind === 'client' || n.kind === 'producer') continue;
    if (e) byEntry.set(e, (byEntry.get(e) ?? 0) + n.selfTimeNs);
    else looseByService.set(n.service, (looseByService.get(n.service) ?? 0) + n.selfTimeNs);
  }
  return { byEntry, looseByService };
}
