// Analysis result → the versioned report every renderer reads. Pure: the shell passes in what it
// read (inputs, baseline) and the tool version; nothing here reads a file or a clock.
import type { FullAnalysis } from '../analysis/analyze.ts';
import type { Finding, MonolithScore, NotEvaluated, Severity } from '../analysis/findings/index.ts';
import type { Baseline } from './baseline.ts';
import { computeDrift } from './drift.ts';
import { atOrAbove } from './severity.ts';
import { REPORT_VERSION, type Report, type ReportEdge, type ReportFinding, type ReportGraph, type ReportInput, type ReportNode } from './types.ts';

/** What a report is made from: a local analysis (files, check) or a server's API answers. */
export interface ReportSource {
  inputs: ReportInput[];
  spans: number;
  traces: number;
  window: { fromMs: number; toMs: number };
  findings: readonly Finding[];
  notEvaluated: readonly NotEvaluated[];
  score: MonolithScore;
  graph: { nodes: readonly ReportNode[]; edges: readonly ReportEdge[] };
}

export interface BuildReportOptions {
  failOn: Severity;
  toolVersion: string;
  baseline?: { name: string; baseline: Baseline };
}

export function sourceFromAnalysis(a: FullAnalysis, inputs: ReportInput[]): ReportSource {
  return {
    inputs,
    spans: a.spans,
    traces: a.traces,
    window: a.window,
    findings: a.findings.findings,
    notEvaluated: a.findings.notEvaluated,
    score: a.findings.score,
    graph: a.graph,
  };
}

export function buildReport(src: ReportSource, opts: BuildReportOptions): Report {
  const known = opts.baseline ? new Set(opts.baseline.baseline.findings.map((f) => f.fingerprint)) : undefined;
  const findings: ReportFinding[] = src.findings.map((f) => {
    const isNew = known ? !known.has(f.fingerprint) : undefined;
    const out: ReportFinding = {
      rule: f.rule,
      severity: f.severity,
      title: f.title,
      services: f.services,
      resources: f.resources,
      evidence: f.evidence,
      remediation: f.remediation,
      fingerprint: f.fingerprint,
      failing: atOrAbove(f.severity, opts.failOn) && isNew !== false,
    };
    if (isNew !== undefined) out.new = isNew;
    return out;
  });
  const graph = contractGraph(src.graph);
  const bySeverity: Record<Severity, number> = { high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  const failing = findings.filter((f) => f.failing).length;
  const report: Report = {
    version: REPORT_VERSION,
    tool: { name: 'faultline', version: opts.toolVersion },
    inputs: src.inputs,
    spans: src.spans,
    traces: src.traces,
    window: { fromMs: src.window.fromMs, toMs: src.window.toMs },
    failOn: opts.failOn,
    summary: { total: findings.length, bySeverity, failing, passed: failing === 0 },
    findings,
    notEvaluated: [...src.notEvaluated],
    score: src.score,
    graph,
  };
  if (opts.baseline) {
    report.baseline = opts.baseline.name;
    report.summary.new = findings.filter((f) => f.new).length;
    report.drift = computeDrift(opts.baseline.baseline, findings, graph);
  }
  return report;
}

/** Only the ARCHITECTURE.md §3 graph fields, sorted, so reports diff cleanly between builds. */
function contractGraph(g: ReportSource['graph']): ReportGraph {
  const nodes = g.nodes
    .map((n): ReportNode => ({ id: n.id, kind: n.kind, name: n.name, calls: n.calls, errors: n.errors, p50Ms: n.p50Ms, p95Ms: n.p95Ms, p99Ms: n.p99Ms }))
    .sort((a, b) => cmp(a.id, b.id));
  const edges = g.edges
    .map((e): ReportEdge => ({ source: e.source, target: e.target, kind: e.kind, calls: e.calls, errors: e.errors, p50Ms: e.p50Ms, p95Ms: e.p95Ms, p99Ms: e.p99Ms }))
    .sort((a, b) => cmp(a.source, b.source) || cmp(a.target, b.target) || cmp(a.kind, b.kind));
  return { nodes, edges };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
