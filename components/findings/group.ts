// Findings as the page lists them: by severity (worst first), then by rule, and the links that
// make evidence followable (example traces with their spans highlighted, involved nodes on the map).
import type { Finding } from '../../lib/query/types.ts';
import { appPath } from '../ui/safe-url.ts';

type Severity = Finding['severity'];
export const SEVERITY_ORDER: readonly Severity[] = ['high', 'medium', 'low', 'info'];

export interface RuleGroup {
  rule: string;
  findings: Finding[];
}
export interface SeverityGroup {
  severity: Severity;
  count: number;
  rules: RuleGroup[];
}

export function groupFindings(findings: readonly Finding[]): SeverityGroup[] {
  const out: SeverityGroup[] = [];
  for (const severity of SEVERITY_ORDER) {
    const mine = findings.filter((f) => f.severity === severity);
    if (mine.length === 0) continue;
    const byRule = new Map<string, Finding[]>();
    for (const f of mine) {
      let l = byRule.get(f.rule);
      if (!l) byRule.set(f.rule, (l = []));
      l.push(f);
    }
    const rules = [...byRule].map(([rule, fs]) => ({ rule, findings: fs })).sort((a, b) => b.findings.length - a.findings.length || a.rule.localeCompare(b.rule));
    out.push({ severity, count: mine.length, rules });
  }
  return out;
}

/** The trace page with the finding's spans of that trace highlighted (`highlight=spanA,spanB`). */
export function traceEvidenceHref(f: Finding, traceId: string): string {
  const spans = (f.evidence.spans ?? []).filter((s) => s.traceId === traceId).map((s) => s.spanId);
  return appPath(['traces', traceId], spans.length > 0 ? { highlight: spans.join(',') } : undefined);
}

/** Node ids to highlight on the map: the services, plus the databases/topics it names (their resource names are node ids). */
export function mapHighlightIds(f: Finding): string[] {
  const ids = new Set(f.services);
  for (const r of f.resources) if (r.kind === 'database' || r.kind === 'topic') ids.add(r.name);
  for (const r of f.resources) {
    if (r.kind !== 'edge') continue;
    const i = r.name.indexOf('->');
    if (i > 0) {
      ids.add(r.name.slice(0, i));
      ids.add(r.name.slice(i + 2));
    }
  }
  return [...ids];
}

export function mapHref(f: Finding, carry: string): string {
  const q = new URLSearchParams(carry.startsWith('?') ? carry.slice(1) : carry);
  q.set('highlight', mapHighlightIds(f).join(','));
  return `/?${q.toString()}`;
}

/** Evidence counts as label/value pairs, largest first, with camelCase keys made readable. */
export function evidenceCounts(f: Finding): { label: string; value: number }[] {
  return Object.entries(f.evidence.counts)
    .map(([k, v]) => ({ label: humanizeKey(k), value: v }))
    .sort((a, b) => b.value - a.value);
}

export function humanizeKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.-]+/g, ' ')
    .toLowerCase();
}

export function formatDetail(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}
