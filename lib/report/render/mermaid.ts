// A Mermaid flowchart of the services the findings involve, and the edges between them, for the
// markdown report (GitHub and GitLab render it in pull-request comments). Labels come from
// telemetry, so they are escaped to Mermaid entity codes and node ids are generated.
import type { Report } from '../types.ts';

export const MAX_DIAGRAM_NODES = 40;

export function mermaidDiagram(r: Report): string | undefined {
  const involved = new Set<string>();
  for (const f of r.findings) {
    for (const s of f.services) involved.add(s);
    for (const res of f.resources) if (res.kind === 'database') involved.add(res.name);
  }
  if (involved.size === 0) return undefined;
  const byId = new Map(r.graph.nodes.map((n) => [n.id, n]));
  const ids = [...involved].filter((id) => byId.has(id) || !id.includes(':')).sort().slice(0, MAX_DIAGRAM_NODES);
  const keep = new Set(ids);
  const short = new Map(ids.map((id, i) => [id, `n${i}`]));
  const lines = ['flowchart LR'];
  const failingServices = new Set(r.findings.filter((f) => f.failing).flatMap((f) => f.services));
  for (const id of ids) {
    const n = byId.get(id);
    const label = mermaidLabel(n?.name ?? id);
    const shape = n?.kind === 'database' ? `[(${label})]` : n?.kind === 'queue' ? `[/${label}/]` : `[${label}]`;
    lines.push(`  ${short.get(id)}${shape}`);
  }
  for (const e of r.graph.edges) {
    if (!keep.has(e.source) || !keep.has(e.target) || e.source === e.target) continue;
    const arrow = e.kind === 'async' ? '-.->' : '-->';
    lines.push(`  ${short.get(e.source)} ${arrow}|${e.kind} ${e.calls}| ${short.get(e.target)}`);
  }
  const hot = ids.filter((id) => failingServices.has(id)).map((id) => short.get(id));
  if (hot.length > 0) {
    lines.push('  classDef failing stroke:#d1242f,stroke-width:2px');
    lines.push(`  class ${hot.join(',')} failing`);
  }
  if (involved.size > ids.length) lines.push(`  %% ${involved.size - ids.length} more nodes not drawn`);
  return lines.join('\n');
}

/** A quoted Mermaid label: every character that could end the label or start markup is an entity. */
export function mermaidLabel(s: string): string {
  const escaped = [...s.slice(0, 80)]
    .map((c) => {
      const code = c.codePointAt(0)!;
      if (/[A-Za-z0-9 _.\-/@:]/.test(c)) return c;
      return `#${code};`;
    })
    .join('');
  return `"${escaped}"`;
}
