// architecture.ownership: only the declared owner may write its tables ("only orders writes orders.*").
import { databaseEdges, databaseNodes, tableLabel, tableNames } from '../databases.ts';
import { globMatch } from '../glob.ts';
import type { Finding, Rule } from '../types.ts';

export const architectureOwnership: Rule<null, Record<string, never>> = {
  id: 'architecture/ownership',
  title: 'Write to a table owned by another service',
  defaultSeverity: 'high',
  defaults: {},
  allowKeys: ['service', 'table'],
  remediation:
    "The team declared who owns these tables (architecture.ownership). Send the change to the owner through its API or an event instead of writing its tables.",
  finalize(_state, ctx) {
    const owners = ctx.config.architecture.ownership;
    if (owners.length === 0) return { findings: [] };
    const dbs = databaseNodes(ctx.graph);
    if (!dbs.some((d) => (d.tables ?? []).length > 0)) {
      return { findings: [], notEvaluated: 'no database spans with db.collection.name or a parseable db.query.text' };
    }
    const violations = new Map<string, { writer: string; owner: string; pattern: string; tables: string[]; writes: number; traceIds: string[] }>();
    for (const db of dbs) {
      const edges = databaseEdges(ctx.graph, db);
      for (const table of db.tables ?? []) {
        const names = tableNames(db, table);
        for (const o of owners) {
          const pattern = o.writes.find((p) => names.some((n) => globMatch(p, n)));
          if (!pattern) continue;
          for (const writer of table.writers) {
            if (globMatch(o.service, writer) || ctx.allowed({ service: writer, table: names })) continue;
            const key = `${writer}\u0000${o.service}\u0000${pattern}`;
            const v = violations.get(key) ?? { writer, owner: o.service, pattern, tables: [], writes: 0, traceIds: [] };
            v.tables.push(tableLabel(db, table));
            v.writes += table.counts[writer]?.writes ?? 0;
            v.traceIds.push(...(edges.get(writer)?.traceIds ?? []));
            violations.set(key, v);
          }
        }
      }
    }
    const findings: Finding[] = [];
    for (const v of violations.values()) {
      const f = ctx.finding({
        subject: v.writer,
        severity: 'high',
        title: `${v.writer} writes ${v.tables.join(', ')}, which only ${v.owner} may write (${v.pattern})`,
        services: [v.writer, v.owner],
        resources: v.tables.map((name) => ({ kind: 'table' as const, name })),
        counts: { tables: v.tables.length, writes: v.writes },
        traceIds: v.traceIds,
        details: { owner: v.owner, pattern: v.pattern },
        identity: [`writer:${v.writer}`, `owner:${v.owner}`, `pattern:${v.pattern}`],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
