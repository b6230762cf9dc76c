// Under GitHub Actions: workflow commands that annotate the run (::error for findings that fail
// the build, ::warning / ::notice for the rest), and the markdown report for the job summary.
// Values are escaped per the workflow-command rules so telemetry cannot forge a command.
import type { Report } from '../types.ts';
import { countsText, plain } from './describe.ts';

/** GitHub shows at most 10 errors and 10 warnings per step; more only fill the log. */
export const MAX_ANNOTATIONS = 50;

export function githubAnnotations(r: Report): string {
  const lines: string[] = [];
  for (const f of r.findings.slice(0, MAX_ANNOTATIONS)) {
    const cmd = f.failing ? 'error' : f.severity === 'info' || f.severity === 'low' ? 'notice' : 'warning';
    const title = `faultline ${f.rule} (${f.severity}${f.new === true ? ', new' : ''})`;
    const counts = countsText(f);
    const message = `${f.title}${counts ? ` — ${counts}` : ''}. Fix: ${f.remediation}`;
    lines.push(`::${cmd} title=${property(title)}::${data(message)}`);
  }
  if (r.findings.length > MAX_ANNOTATIONS) lines.push(`::notice title=faultline::${data(`${r.findings.length - MAX_ANNOTATIONS} more findings are in the report`)}`);
  return lines.length ? lines.join('\n') + '\n' : '';
}

function data(s: string): string {
  return plain(s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}

function property(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
