// A reads or writes tables owned by B (owner: declared in architecture.ownership, else most writes).
import { databaseDisplay, databaseEdges, databaseNames, databaseNodes, declaredOwner, DEFAULT_CACHE_SYSTEMS, isCache, observedOwner, tableLabel } from '../databases.ts';
import type { Finding, Rule } from '../types.ts';

const defaults = { cacheSystems: DEFAULT_CACHE_SYSTEMS };

export const serviceIntimacy: Rule<null, typeof defaults> = {
  id: 'service-intimacy',
  title: 'Service intimacy',
  defaultSeverity: 'high',
  defaults,
  allowKeys: ['service', 'target', 'database', 'table'],
  remediation:
    "Go through the owning service's API instead of its tables, or have the owner publish its data as events for a local read model; if the two services cannot work apart, the boundary is wrong and merging them is honest.",
  finalize(_state, ctx) {
    const t = ctx.thresholds();
    const dbs = databaseNodes(ctx.graph).filter((d) => !isCache(d, t.cacheSystems));
    if (!dbs.some((d) => (d.tables ?? []).length > 0)) {
      return { findings: [], notEvaluated: 'no database spans with db.collection.name or a parseable db.query.text' };
    }
    const findings: Finding[] = [];
    for (const db of dbs) {
      const names = databaseNames(db);
      const edges = databaseEdges(ctx.graph, db);
      // (accessor, owner) → tables and counts
      const pairs = new Map<string, { accessor: string; owner: string; tables: string[]; reads: number; writes: number }>();
      for (const table of db.tables ?? []) {
        const owner = declaredOwner(ctx.config, db, table) ?? observedOwner(table);
        if (!owner) continue;
        const label = tableLabel(db, table);
        for (const accessor of Object.keys(table.counts).sort()) {
          if (accessor === owner) continue;
          if (ctx.allowed({ service: accessor, target: owner, database: names, table: [table.name, label] })) continue;
          const key = `${accessor}\u0000${owner}`;
          const p = pairs.get(key) ?? { accessor, owner, tables: [], reads: 0, writes: 0 };
          p.tables.push(label);
          p.reads += table.counts[accessor].reads;
          p.writes += table.counts[accessor].writes;
          pairs.set(key, p);
        }
      }
      for (const p of pairs.values()) {
        const verb = p.writes > 0 ? (p.reads > 0 ? 'reads and writes' : 'writes') : 'reads';
        const f = ctx.finding({
          subject: p.accessor,
          severity: 'high',
          title: `${p.accessor} ${verb} ${p.tables.length === 1 ? `table ${p.tables[0]}` : `${p.tables.length} tables`} owned by ${p.owner}`,
          services: [p.accessor, p.owner],
          resources: [{ kind: 'database', name: db.id }, ...p.tables.map((name) => ({ kind: 'table' as const, name }))],
          counts: { tables: p.tables.length, reads: p.reads, writes: p.writes },
          traceIds: edges.get(p.accessor)?.traceIds ?? [],
          details: { accessor: p.accessor, owner: p.owner, database: databaseDisplay(db), tables: p.tables },
          identity: [`accessor:${p.accessor}`, `owner:${p.owner}`, db.id],
        });
        if (f) findings.push(f);
      }
    }
    return { findings };
  },
};
