// --fail-on and the exit code: the one place that decides whether a report fails a build.
import { SEVERITIES, SEVERITY_RANK, type Severity } from '../analysis/findings/index.ts';
import type { Report } from './types.ts';

export const DEFAULT_FAIL_ON: Severity = 'high';

/** Exit codes of `report` and `check` (docs/ci.md). */
export const EXIT = {
  /** Nothing (new) at or above --fail-on. */
  clean: 0,
  /** Findings (new ones, with a baseline) at or above --fail-on. */
  findings: 1,
  /** Usage or input error: a bad flag, a missing or unreadable file, an invalid config or baseline. */
  usage: 2,
  /** `check` only: the command under test failed (its own exit code is printed). */
  commandFailed: 3,
} as const;

export function parseSeverity(raw: string): Severity | undefined {
  const v = raw.trim().toLowerCase();
  return (SEVERITIES as readonly string[]).includes(v) ? (v as Severity) : undefined;
}

export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

export function exitCodeOf(report: Report): number {
  return report.summary.failing > 0 ? EXIT.findings : EXIT.clean;
}
