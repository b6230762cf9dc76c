// A graph node as the API and report show it, from what an accumulator (whole-file analysis)
// or a rollup merge (the live graph) knows about it: one definition, so both answer alike.
import type { Summary } from '../stats/sketch.ts';
import type { GraphNode, NodeKind, TableUse } from './types.ts';

/** What both sides know of a node. */
export interface NodeFacts {
  id: string;
  kind: NodeKind;
  name: string;
  calls: number;
  errors: number;
  dbSystem?: string;
  address?: string;
  namespace?: string;
  identityKnown?: boolean;
  /** table → service → reads and writes */
  tables?: Map<string, Map<string, { reads: number; writes: number }>>;
  messagingSystem?: string;
  destination?: string;
}

export function graphNodeOut(
  n: NodeFacts,
  lat: Summary,
  versions: string[],
  outSync: ReadonlyMap<string, number>,
  outAsync: ReadonlyMap<string, number>,
): GraphNode {
  const g: GraphNode = { id: n.id, kind: n.kind, name: n.name, calls: n.calls, errors: n.errors, p50Ms: lat.p50Ms, p75Ms: lat.p75Ms, p95Ms: lat.p95Ms, p99Ms: lat.p99Ms };
  if (n.kind === 'service') {
    g.versions = versions;
    g.syncCallsOut = outSync.get(n.id) ?? 0;
    g.asyncCallsOut = outAsync.get(n.id) ?? 0;
  }
  if (n.kind === 'database') {
    g.dbSystem = n.dbSystem;
    g.address = n.address;
    g.namespace = n.namespace;
    g.identityKnown = n.identityKnown;
    g.tables = n.tables ? tablesOut(n.tables) : [];
  }
  if (n.kind === 'queue') {
    g.messagingSystem = n.messagingSystem;
    g.destination = n.destination;
  }
  return g;
}

function tablesOut(tables: Map<string, Map<string, { reads: number; writes: number }>>): TableUse[] {
  const out: TableUse[] = [];
  for (const [name, bySvc] of tables) {
    const readers: string[] = [];
    const writers: string[] = [];
    const counts: Record<string, { reads: number; writes: number }> = {};
    for (const [svc, c] of bySvc) {
      if (c.reads > 0) readers.push(svc);
      if (c.writes > 0) writers.push(svc);
      counts[svc] = { reads: c.reads, writes: c.writes };
    }
    out.push({ name, readers: readers.sort(), writers: writers.sort(), counts });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}
