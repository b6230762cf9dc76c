// architecture.forbid: dependencies the team has ruled out ("web must not call payments synchronously").
import { databaseNames, databaseNodes } from '../databases.ts';
import { serviceDependencies } from '../dependencies.ts';
import { globMatch, globMatchAny } from '../glob.ts';
import type { Finding, Rule } from '../types.ts';

export const architectureForbiddenDependency: Rule<null, Record<string, never>> = {
  id: 'architecture/forbidden-dependency',
  title: 'Forbidden dependency',
  defaultSeverity: 'high',
  defaults: {},
  allowKeys: ['service', 'target'],
  remediation:
    'The team declared this dependency forbidden (architecture.forbid). Remove the call: go through the allowed path (an event, the owning service, the gateway), or change the rule deliberately in the config.',
  finalize(_state, ctx) {
    const rules = ctx.config.architecture.forbid;
    if (rules.length === 0) return { findings: [] };
    const candidates: { source: string; target: string; targetNames: string[]; kind: 'sync' | 'async' | 'db'; calls: number; traceIds: string[]; via?: string }[] = [];
    for (const d of serviceDependencies(ctx.graph)) candidates.push({ ...d, targetNames: [d.target] });
    const dbs = new Map(databaseNodes(ctx.graph).map((n) => [n.id, n]));
    const externals = new Map(ctx.graph.nodes.filter((n) => n.kind === 'external').map((n) => [n.id, n]));
    for (const e of ctx.graph.edges) {
      const db = dbs.get(e.target);
      if (e.kind === 'db' && db) candidates.push({ source: e.source, target: e.target, targetNames: databaseNames(db), kind: 'db', calls: e.calls, traceIds: e.traceIds });
      const ext = externals.get(e.target);
      if (e.kind === 'sync' && ext) candidates.push({ source: e.source, target: ext.name, targetNames: [ext.name, ext.id], kind: 'sync', calls: e.calls, traceIds: e.traceIds });
    }
    const findings: Finding[] = [];
    for (const rule of rules) {
      for (const c of candidates) {
        if (rule.kind !== 'any' && rule.kind !== c.kind) continue;
        if (!globMatch(rule.from, c.source) || !globMatchAny(rule.to, c.targetNames)) continue;
        if (ctx.allowed({ service: c.source, target: c.targetNames })) continue;
        const f = ctx.finding({
          subject: c.source,
          severity: 'high',
          title: `${c.source} depends on ${c.target} (${c.kind}), which the architecture forbids${rule.reason ? `: ${rule.reason}` : ''}`,
          services: c.kind === 'db' ? [c.source] : [c.source, c.target],
          resources: [
            { kind: c.kind === 'db' ? 'database' : 'edge', name: c.kind === 'db' ? c.target : `${c.source}->${c.target}` },
            ...(c.via ? [{ kind: 'topic' as const, name: c.via }] : []),
          ],
          counts: { calls: c.calls },
          traceIds: c.traceIds,
          details: { rule: `${rule.from} -/-> ${rule.to} (${rule.kind})`, ...(c.via ? { via: c.via } : {}) },
          identity: [`from:${c.source}`, `to:${c.target}`, `kind:${c.kind}`],
        });
        if (f) findings.push(f);
      }
    }
    return { findings };
  },
};
