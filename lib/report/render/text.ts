// For a terminal: a summary line, then findings grouped by severity. Colour only when asked for
// (the shell decides: stdout is a TTY and NO_COLOR is not set).
import type { Severity } from '../../analysis/findings/index.ts';
import type { Report, ReportFinding } from '../types.ts';
import { countLine, countsText, dataLine, driftLines, plain, plural, SEVERITY_ORDER, verdict } from './describe.ts';

export interface TextOptions {
  color: boolean;
  /** Longest finding list per severity before "… and N more" (default: all). */
  maxPerSeverity?: number;
}

const SGR: Record<Severity | 'bold' | 'dim' | 'pass', string> = { high: '31', medium: '33', low: '36', info: '90', bold: '1', dim: '2', pass: '32' };

export function renderText(r: Report, opts: TextOptions): string {
  const paint = (code: keyof typeof SGR, s: string) => (opts.color ? `\u001b[${SGR[code]}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  lines.push(`faultline: ${countLine(r)} — ${dataLine(r)}`);
  if (r.baseline) lines.push(`baseline ${r.baseline}: ${plural(r.summary.new ?? 0, 'new finding')}, ${plural(r.drift?.resolvedFindings.length ?? 0, 'resolved finding')}`);
  lines.push(paint(r.summary.passed ? 'pass' : 'high', verdict(r)));
  for (const sev of SEVERITY_ORDER) {
    const list = r.findings.filter((f) => f.severity === sev);
    if (list.length === 0) continue;
    lines.push('', paint(sev, paint('bold', `${sev.toUpperCase()} (${list.length})`)));
    const shown = opts.maxPerSeverity === undefined ? list : list.slice(0, opts.maxPerSeverity);
    for (const f of shown) lines.push(...findingLines(f, paint));
    if (shown.length < list.length) lines.push(`  … and ${list.length - shown.length} more`);
  }
  if (r.score.total > 0) {
    lines.push('', paint('bold', `Distributed-monolith score ${r.score.total}`));
    for (const c of r.score.clusters.slice(0, 5)) lines.push(`  ${c.score}  ${plain(c.name)}`);
  }
  if (r.drift) {
    lines.push('', paint('bold', `Drift since ${r.baseline}`));
    for (const l of driftLines(r.drift)) lines.push(`  ${plain(l)}`);
  }
  if (r.notEvaluated.length > 0) {
    lines.push('', paint('dim', `Not evaluated (${r.notEvaluated.length}): ${r.notEvaluated.map((n) => n.rule).join(', ')}`));
    for (const n of r.notEvaluated) lines.push(paint('dim', `  ${n.rule}: ${plain(n.reason)}`));
  }
  return lines.join('\n') + '\n';
}

function findingLines(f: ReportFinding, paint: (code: keyof typeof SGR, s: string) => string): string[] {
  const mark = f.failing ? paint(f.severity, '✖') : paint('dim', '•');
  const tag = f.new === true ? ' [new]' : f.new === false ? ' [baseline]' : '';
  const out = [`  ${mark} ${f.rule}${tag}: ${plain(f.title)}`];
  out.push(`      services: ${plain(f.services.join(', ')) || '-'}`);
  if (f.resources.length > 0) out.push(`      resources: ${plain(f.resources.map((r) => `${r.kind} ${r.name}`).join(', '))}`);
  const counts = countsText(f);
  if (counts) out.push(`      evidence: ${plain(counts)}`);
  if (f.evidence.traceIds.length > 0) out.push(`      traces: ${plain(f.evidence.traceIds.join(' '))}`);
  out.push(`      fix: ${plain(f.remediation)}`);
  return out;
}
