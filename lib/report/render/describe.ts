// Small wording helpers every renderer shares, so text, markdown, JUnit and SARIF say the same thing.
import type { Severity } from '../../analysis/findings/index.ts';
import { driftIsEmpty } from '../drift.ts';
import type { Drift, EdgeRef, Report, ReportFinding } from '../types.ts';

export const SEVERITY_ORDER: readonly Severity[] = ['high', 'medium', 'low', 'info'];

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** `3 findings (1 high, 2 medium)` */
export function countLine(r: Report): string {
  const parts = SEVERITY_ORDER.filter((s) => r.summary.bySeverity[s] > 0).map((s) => `${r.summary.bySeverity[s]} ${s}`);
  return `${plural(r.summary.total, 'finding')}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** `FAIL: 2 findings at or above high` / `PASS: nothing at or above high` */
export function verdict(r: Report): string {
  const scope = r.baseline ? 'new ' : '';
  if (r.summary.passed) return `PASS: no ${scope}findings at or above ${r.failOn}`;
  return `FAIL: ${plural(r.summary.failing, `${scope}finding`)} at or above ${r.failOn}`;
}

export function dataLine(r: Report): string {
  const services = r.graph.nodes.filter((n) => n.kind === 'service').length;
  return `${plural(r.spans, 'span')}, ${plural(r.traces, 'trace')}, ${plural(services, 'service')}`;
}

/** Evidence counts as `key 3, other 5`, in the rule's own order. */
export function countsText(f: ReportFinding): string {
  return Object.entries(f.evidence.counts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

export function edgeText(e: EdgeRef): string {
  return `${e.source} → ${e.target} (${e.kind})`;
}

/** The drift as lines of plain text (no markup), empty when nothing changed. */
export function driftLines(d: Drift): string[] {
  if (driftIsEmpty(d)) return ['no change in the dependency graph or findings'];
  const out: string[] = [];
  for (const e of d.newEdges) out.push(`+ edge ${edgeText(e)}`);
  for (const e of d.removedEdges) out.push(`- edge ${edgeText(e)}`);
  for (const s of d.newServices) out.push(`+ service ${s}`);
  for (const s of d.removedServices) out.push(`- service ${s}`);
  for (const s of d.newSharedDatabases) out.push(`+ shared database ${s.database}: ${s.services.join(', ')}`);
  for (const c of d.deeperChains) out.push(`+ deeper chain ${c.fromDepth ? `${c.fromDepth} → ` : ''}${c.toDepth} services: ${c.title}`);
  for (const c of d.newCycles) out.push(`+ cycle ${c.services.join(', ')}`);
  for (const f of d.resolvedFindings) out.push(`- resolved ${f.rule}: ${f.title}`);
  return out;
}

/**
 * Service names and titles come from telemetry anyone can send: control characters (terminal
 * escapes, newlines that would forge lines or workflow commands) become `?`.
 */
export function plain(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}
