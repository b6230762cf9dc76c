// The distributed-monolith score: findings that bind services together (SMELLS.md weights), summed
// per cluster of services they bind, so a reader sees which services are one system in disguise.
import type { Finding, RuleId } from './types.ts';

export const MONOLITH_WEIGHTS: Readonly<Partial<Record<RuleId, number>>> = {
  'shared-database': 3,
  'cyclic-dependency': 3,
  'lockstep-deploy': 3,
  'sync-chain': 2,
  'cascading-failure': 2,
  'chatty-service': 1,
  'nano-service': 1,
};

export interface ClusterFinding {
  rule: RuleId;
  fingerprint: string;
  weight: number;
}

export interface MonolithCluster {
  /** The services, sorted and joined: `orders + payments + stock`. */
  name: string;
  services: string[];
  score: number;
  findings: ClusterFinding[];
}

export interface MonolithScore {
  /** Sum over all clusters. 0 means no finding binds services together. */
  total: number;
  /** Highest score first. */
  clusters: MonolithCluster[];
}

/** Weight of one finding: a shared database counts only when a table is shared (SMELLS.md "shared table"). */
export function monolithWeight(f: Finding): number {
  const w = MONOLITH_WEIGHTS[f.rule] ?? 0;
  if (f.rule === 'shared-database' && !f.resources.some((r) => r.kind === 'table')) return 0;
  return w;
}

export function monolithScore(findings: readonly Finding[]): MonolithScore {
  const parent = new Map<string, string>();
  const find = (s: string): string => {
    let r = s;
    while (parent.get(r) !== r) r = parent.get(r)!;
    // Path compression keeps later finds short.
    let c = s;
    while (parent.get(c) !== r) {
      const next = parent.get(c)!;
      parent.set(c, r);
      c = next;
    }
    return r;
  };
  const weighted = findings.map((f) => ({ f, w: monolithWeight(f) })).filter((x) => x.w > 0 && x.f.services.length > 0);
  for (const { f } of weighted) {
    for (const s of f.services) if (!parent.has(s)) parent.set(s, s);
    const root = find(f.services[0]);
    for (const s of f.services.slice(1)) {
      const r = find(s);
      if (r !== root) parent.set(r, root);
    }
  }
  const clusters = new Map<string, MonolithCluster>();
  for (const { f, w } of weighted) {
    const root = find(f.services[0]);
    let c = clusters.get(root);
    if (!c) clusters.set(root, (c = { name: '', services: [], score: 0, findings: [] }));
    c.score += w;
    c.findings.push({ rule: f.rule, fingerprint: f.fingerprint, weight: w });
  }
  for (const s of parent.keys()) clusters.get(find(s))?.services.push(s);
  const out = [...clusters.values()];
  for (const c of out) {
    c.services.sort();
    c.name = clusterName(c.services);
    c.findings.sort((a, b) => b.weight - a.weight || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : a.fingerprint < b.fingerprint ? -1 : 1));
  }
  out.sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : 1));
  return { total: out.reduce((n, c) => n + c.score, 0), clusters: out };
}

function clusterName(services: readonly string[]): string {
  if (services.length <= 5) return services.join(' + ');
  return `${services.slice(0, 4).join(' + ')} + ${services.length - 4} more`;
}
