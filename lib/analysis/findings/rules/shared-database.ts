// ≥2 services use one database (identity: system, address, namespace — never the type alone).
import type { GraphNode } from '../../graph/types.ts';
import {
  DEFAULT_CACHE_SYSTEMS,
  databaseDisplay,
  databaseEdges,
  databaseNames,
  databaseNodes,
  isCache,
  observedOwner,
  tableLabel,
} from '../databases.ts';
import type { Finding, Rule } from '../types.ts';

const defaults = {
  /** Services on one database before it counts as shared. */
  minServices: 2,
  /** Caches are a class of their own: sharing a cache is common and cheaper to undo. */
  includeCaches: false,
  cacheSystems: DEFAULT_CACHE_SYSTEMS,
};

export const sharedDatabase: Rule<null, typeof defaults> = {
  id: 'shared-database',
  title: 'Shared database',
  defaultSeverity: 'medium',
  defaults,
  allowKeys: ['service', 'database', 'table'],
  remediation:
    'Give each service its own database. Put the owning service behind an API for the others, publish its changes as events (or CDC) to build read models where others need the data, and move consumers over one at a time (strangler fig).',
  finalize(_state, ctx) {
    const t = ctx.thresholds();
    const dbs = databaseNodes(ctx.graph);
    if (dbs.length === 0) return { findings: [], notEvaluated: 'no database spans (db.system.name, db.namespace, db.query.text) in the data' };
    // A database named by neither address nor namespace gets one node per calling service (graph/
    // identity.ts): it cannot look shared, so "not shared" would be a claim the data cannot back.
    // Such a node is still conclusive when no other service uses that database system at all.
    const considered = dbs.filter((d) => t.includeCaches || !isCache(d, t.cacheSystems));
    const known = considered.filter((d) => d.identityKnown !== false);
    const unknownUsers = new Map<string, Set<string>>();
    for (const d of considered) {
      if (d.identityKnown !== false) continue;
      const users = unknownUsers.get(d.dbSystem ?? '') ?? new Set<string>();
      for (const s of databaseEdges(ctx.graph, d).keys()) users.add(s);
      unknownUsers.set(d.dbSystem ?? '', users);
    }
    const ambiguous = [...unknownUsers].filter(([, users]) => users.size >= 2);
    if (known.length === 0 && ambiguous.length > 0) {
      const [system, users] = ambiguous[0];
      return {
        findings: [],
        notEvaluated: `${users.size} services use ${system || 'a database'}, but their spans name neither server.address nor db.namespace, so it cannot be told whether they share one`,
      };
    }
    const findings: Finding[] = [];
    const usersByDb = new Map<GraphNode, string[]>();

    for (const db of known) {
      if (!t.includeCaches && isCache(db, t.cacheSystems)) continue;
      const names = databaseNames(db);
      const edges = databaseEdges(ctx.graph, db);
      const users = [...edges.keys()].filter((s) => !ctx.allowed({ service: s, database: names })).sort();
      usersByDb.set(db, users);
      if (users.length < t.minServices) continue;

      const shared: { label: string; services: string[]; writers: string[]; owner?: string }[] = [];
      for (const table of db.tables ?? []) {
        const ok = (s: string) => users.includes(s) && !ctx.allowed({ service: s, database: names, table: [table.name, tableLabel(db, table)] });
        const touching = [...new Set([...table.readers, ...table.writers])].filter(ok);
        const writers = table.writers.filter(ok);
        if (touching.length >= 2 && writers.length >= 1) {
          shared.push({ label: tableLabel(db, table), services: touching.sort(), writers: writers.sort(), owner: observedOwner(table) });
        }
      }
      const calls = users.reduce((n, s) => n + (edges.get(s)?.calls ?? 0), 0);
      const traceIds = users.flatMap((s) => edges.get(s)?.traceIds ?? []);
      const label = databaseDisplay(db);
      const f = ctx.finding({
        severity: shared.length > 0 ? 'high' : 'medium',
        title:
          shared.length > 0
            ? `${users.length} services share database ${label}, ${shared.length} table${shared.length > 1 ? 's' : ''} written by one and used by another`
            : `${users.length} services use database ${label}`,
        services: users,
        resources: [{ kind: 'database', name: db.id }, ...shared.map((s) => ({ kind: 'table' as const, name: s.label }))],
        counts: { services: users.length, calls, sharedTables: shared.length },
        traceIds,
        details: {
          database: label,
          ...(db.dbSystem ? { dbSystem: db.dbSystem } : {}),
          ...Object.fromEntries(
            shared.slice(0, 20).map((s) => [`table ${s.label}`, `used by ${s.services.join(', ')}; written by ${s.writers.join(', ')}${s.owner ? `; owner ${s.owner}` : ''}`]),
          ),
        },
        identity: [db.id, ...users],
      });
      if (f) findings.push(f);
    }

    // Same instance, different namespaces: not shared data, but a shared failure and scaling domain.
    const instances = new Map<string, GraphNode[]>();
    for (const [db] of usersByDb) {
      if (!db.address) continue;
      const key = `${db.dbSystem ?? ''}|${db.address}`;
      const list = instances.get(key) ?? [];
      list.push(db);
      instances.set(key, list);
    }
    for (const [key, list] of instances) {
      const namespaces = new Set(list.map((d) => d.namespace ?? ''));
      if (namespaces.size < 2) continue;
      const services = [...new Set(list.flatMap((d) => usersByDb.get(d) ?? []))].sort();
      // Only when different services sit on different namespaces: one service with two schemas is its own business.
      const perNs = list.map((d) => new Set(usersByDb.get(d) ?? []));
      const distinctUse = perNs.some((a, i) => perNs.some((b, j) => j !== i && [...a].some((s) => !b.has(s)) && [...b].some((s) => !a.has(s))));
      if (services.length < t.minServices || !distinctUse) continue;
      const [system, address] = key.split('|');
      const f = ctx.finding({
        severity: 'info',
        title: `${services.length} services use separate databases on one ${system || 'database'} instance at ${address}`,
        services,
        resources: list.map((d) => ({ kind: 'database' as const, name: d.id })),
        counts: { services: services.length, namespaces: namespaces.size },
        details: { instance: address, namespaces: [...namespaces].sort() },
        identity: [`instance:${key}`, ...services],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
