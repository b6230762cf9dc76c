// For a pull-request comment (and the GitHub job summary): a summary table, each finding with its
// evidence and remediation, a Mermaid diagram of the services involved, and the drift since the
// baseline. Everything from telemetry is escaped: a service name cannot inject markup or HTML.
import type { Report, ReportFinding } from '../types.ts';
import { countsText, dataLine, driftLines, plain, plural, SEVERITY_ORDER, verdict } from './describe.ts';
import { mermaidDiagram } from './mermaid.ts';

const ICON = { high: '🔴', medium: '🟠', low: '🔵', info: '⚪' } as const;

export interface MarkdownOptions {
  /** Findings rendered in full before the rest are only listed (default 50). */
  maxDetailed?: number;
}

export function renderMarkdown(r: Report, opts: MarkdownOptions = {}): string {
  const out: string[] = [];
  out.push('## Faultline architecture report', '');
  out.push(`**${r.summary.passed ? '✅' : '❌'} ${md(verdict(r))}** · ${md(dataLine(r))} · distributed-monolith score ${r.score.total}`, '');
  const withNew = r.baseline !== undefined;
  out.push(withNew ? '| Severity | Findings | New | Fails the build |' : '| Severity | Findings | Fails the build |');
  out.push(withNew ? '|---|---:|---:|---:|' : '|---|---:|---:|');
  for (const s of SEVERITY_ORDER) {
    const list = r.findings.filter((f) => f.severity === s);
    const failing = list.filter((f) => f.failing).length;
    const row = [`${ICON[s]} ${s}`, String(list.length), ...(withNew ? [String(list.filter((f) => f.new).length)] : []), String(failing)];
    out.push(`| ${row.join(' | ')} |`);
  }
  out.push('');
  if (r.findings.length === 0) out.push('No architecture smells found.', '');

  const diagram = mermaidDiagram(r);
  if (diagram) out.push('### Services involved', '', '```mermaid', diagram, '```', '');

  const max = opts.maxDetailed ?? 50;
  if (r.findings.length > 0) {
    out.push('### Findings', '');
    r.findings.slice(0, max).forEach((f) => out.push(...findingBlock(f), ''));
    const rest = r.findings.slice(max);
    if (rest.length > 0) {
      out.push(`<details><summary>${plural(rest.length, 'more finding')}</summary>`, '');
      for (const f of rest) out.push(`- ${ICON[f.severity]} ${f.severity} ${code(f.rule)}: ${md(f.title)}`);
      out.push('', '</details>', '');
    }
  }
  if (r.score.clusters.length > 0) {
    out.push('### Distributed-monolith clusters', '', '| Score | Services |', '|---:|---|');
    for (const c of r.score.clusters.slice(0, 10)) out.push(`| ${c.score} | ${c.services.map(code).join(', ')} |`);
    out.push('');
  }
  if (r.drift) {
    out.push(`### Drift since the baseline (${code(r.baseline ?? '')})`, '');
    for (const l of driftLines(r.drift)) out.push(`- ${md(l)}`);
    out.push('');
  }
  if (r.notEvaluated.length > 0) {
    out.push(`<details><summary>${plural(r.notEvaluated.length, 'rule')} not evaluated</summary>`, '');
    for (const n of r.notEvaluated) out.push(`- ${code(n.rule)}: ${md(n.reason)}`);
    out.push('', '</details>', '');
  }
  return out.join('\n');
}

function findingBlock(f: ReportFinding): string[] {
  const tags = [f.failing ? '**fails the build**' : '', f.new === true ? 'new' : f.new === false ? 'in baseline' : ''].filter(Boolean);
  const out = [`#### ${ICON[f.severity]} ${f.severity} · ${code(f.rule)}: ${md(f.title)}`, ''];
  if (tags.length) out.push(tags.join(' · '), '');
  out.push(`- **Services:** ${f.services.map(code).join(', ') || '-'}`);
  if (f.resources.length > 0) out.push(`- **Resources:** ${f.resources.map((r) => `${r.kind} ${code(r.name)}`).join(', ')}`);
  const counts = countsText(f);
  if (counts) out.push(`- **Evidence:** ${md(counts)}`);
  if (f.evidence.traceIds.length > 0) out.push(`- **Example traces:** ${f.evidence.traceIds.map(code).join(', ')}`);
  out.push(`- **Remediation:** ${md(f.remediation)}`);
  out.push(`- **Fingerprint:** ${code(f.fingerprint)}`);
  return out;
}

/** Markdown text: markup characters backslash-escaped, HTML neutralized, one line. */
export function md(s: string): string {
  return plain(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]{}()#+!|~])/g, '\\$1');
}

/** An inline code span that no backtick in the value can end early. */
export function code(s: string): string {
  const v = plain(s).replace(/\|/g, '¦');
  const ticks = Math.max(0, ...[...v.matchAll(/`+/g)].map((m) => m[0].length)) + 1;
  const fence = '`'.repeat(ticks);
  const pad = v.startsWith('`') || v.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${v}${pad}${fence}`;
}
