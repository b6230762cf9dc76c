// JUnit XML for CI test dashboards: one test case per rule; a <failure> per finding at or above
// the threshold (new ones, with a baseline); findings below it go to the case's <system-out>;
// a rule that could not be evaluated is <skipped> with the reason.
import { RULES } from '../../analysis/findings/index.ts';
import type { Report, ReportFinding } from '../types.ts';
import { countsText, plain } from './describe.ts';

export function renderJunit(r: Report): string {
  const ruleIds = RULES.map((x) => x.id as string).filter((id) => !id.startsWith('architecture/') || r.findings.some((f) => f.rule === id));
  for (const f of r.findings) if (!ruleIds.includes(f.rule)) ruleIds.push(f.rule);
  const skipped = new Map(r.notEvaluated.map((n) => [n.rule as string, n.reason]));
  let failures = 0;
  let skips = 0;
  const cases: string[] = [];
  for (const id of ruleIds) {
    const mine = r.findings.filter((f) => f.rule === id);
    const failing = mine.filter((f) => f.failing);
    const other = mine.filter((f) => !f.failing);
    const attrs = `classname="faultline.${xml(id)}" name="${xml(id)}" time="0"`;
    const body: string[] = [];
    const reason = skipped.get(id);
    if (reason !== undefined && mine.length === 0) {
      skips++;
      body.push(`      <skipped message="${xml(`not evaluated: ${reason}`)}"/>`);
    }
    for (const f of failing) {
      failures++;
      body.push(`      <failure message="${xml(`${f.severity}: ${f.title}`)}" type="${f.severity}">${xmlText(details(f))}</failure>`);
    }
    if (other.length > 0) {
      const text = other.map((f) => `${f.severity}${f.new === false ? ' (baseline)' : ''}: ${f.title} [${f.fingerprint}]`).join('\n');
      body.push(`      <system-out>${xmlText(text)}</system-out>`);
    }
    cases.push(body.length ? `    <testcase ${attrs}>\n${body.join('\n')}\n    </testcase>` : `    <testcase ${attrs}/>`);
  }
  const counts = `tests="${ruleIds.length}" failures="${failures}" errors="0" skipped="${skips}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="faultline" ${counts} time="0">`,
    `  <testsuite name="faultline architecture (fail on ${r.failOn})" ${counts} time="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function details(f: ReportFinding): string {
  const lines = [f.title, `severity: ${f.severity}`, `services: ${f.services.join(', ')}`];
  if (f.resources.length) lines.push(`resources: ${f.resources.map((r) => `${r.kind} ${r.name}`).join(', ')}`);
  const counts = countsText(f);
  if (counts) lines.push(`evidence: ${counts}`);
  if (f.evidence.traceIds.length) lines.push(`traces: ${f.evidence.traceIds.join(' ')}`);
  lines.push(`remediation: ${f.remediation}`, `fingerprint: ${f.fingerprint}`);
  return lines.join('\n');
}

/** Text content that keeps its line breaks. */
export function xmlText(s: string): string {
  return s.split('\n').map(xml).join('\n');
}

/** Attribute- and text-safe: the five entities, and no character XML 1.0 forbids. */
export function xml(s: string): string {
  return plain(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/[\ud800-\udfff\ufffe\uffff]/g, (c, i: number, all: string) => (isPaired(all, i) ? c : '\ufffd'));
}

function isPaired(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) return i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
  if (c >= 0xdc00 && c <= 0xdfff) return i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff;
  return false; // U+FFFE / U+FFFF are never allowed
}
