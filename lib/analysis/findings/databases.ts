// What shared-database, service-intimacy and architecture/ownership all need to know about a
// database node: who uses it, what it is called, whether it is a cache, who owns a table.
import type { GraphEdge, GraphNode, ServiceGraph, TableUse } from '../graph/types.ts';
import type { FaultlineConfig } from './config.ts';
import { globMatch } from './glob.ts';

export const DEFAULT_CACHE_SYSTEMS = ['redis', 'memcached', 'memcache', 'valkey', 'hazelcast', 'aerospike'];

export function databaseNodes(graph: ServiceGraph): GraphNode[] {
  return graph.nodes.filter((n) => n.kind === 'database');
}

/** Names a config may use for a database: the namespace, the label, the node id, the address. */
export function databaseNames(db: GraphNode): string[] {
  const names = [db.id, db.name];
  if (db.namespace) names.push(db.namespace);
  if (db.address) names.push(db.address);
  if (db.dbSystem) names.push(db.dbSystem);
  return [...new Set(names)];
}

export function databaseDisplay(db: GraphNode): string {
  return db.name || db.namespace || db.id;
}

export function isCache(db: GraphNode, cacheSystems: readonly string[]): boolean {
  const sys = (db.dbSystem ?? '').toLowerCase();
  return cacheSystems.some((c) => c.toLowerCase() === sys);
}

/** Service → db edges into this database, by source service. */
export function databaseEdges(graph: ServiceGraph, db: GraphNode): Map<string, GraphEdge> {
  const out = new Map<string, GraphEdge>();
  for (const e of graph.edges) if (e.kind === 'db' && e.target === db.id) out.set(e.source, e);
  return out;
}

/** `<namespace>.<table>` and the bare table: the names ownership patterns are matched against. */
export function tableNames(db: GraphNode, table: TableUse): string[] {
  const names = [table.name];
  if (db.namespace && !table.name.startsWith(`${db.namespace}.`)) names.push(`${db.namespace}.${table.name}`);
  return names;
}

export function tableLabel(db: GraphNode, table: TableUse): string {
  return db.namespace && !table.name.startsWith(`${db.namespace}.`) ? `${db.namespace}.${table.name}` : table.name;
}

/** The service declared (architecture.ownership) to write this table, if any. */
export function declaredOwner(config: FaultlineConfig, db: GraphNode, table: TableUse): string | undefined {
  const names = tableNames(db, table);
  for (const o of config.architecture.ownership) {
    if (o.writes.some((p) => names.some((n) => globMatch(p, n)))) return o.service;
  }
  return undefined;
}

/** SMELLS.md: the owner of a table is the service with the most writes (ties: alphabetical). */
export function observedOwner(table: TableUse): string | undefined {
  let best: string | undefined;
  let bestWrites = 0;
  for (const svc of Object.keys(table.counts).sort()) {
    const w = table.counts[svc].writes;
    if (w > bestWrites) {
      best = svc;
      bestWrites = w;
    }
  }
  return best;
}
