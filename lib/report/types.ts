// The versioned JSON report (`faultline report --format json`, ARCHITECTURE.md §3): what every
// renderer reads and what docs/report.schema.json describes. Field names are public: change
// them additively, and bump REPORT_VERSION only for a change that breaks a reader.
import type { Evidence, MonolithScore, NotEvaluated, ResourceRef, RuleId, Severity } from '../analysis/findings/index.ts';

export const REPORT_VERSION = 1;

export type ReportFormat = 'text' | 'markdown' | 'json' | 'sarif' | 'junit';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'markdown', 'json', 'sarif', 'junit'];

export interface ReportFinding {
  rule: RuleId;
  severity: Severity;
  title: string;
  services: string[];
  resources: ResourceRef[];
  evidence: Evidence;
  remediation: string;
  /** Stable across runs: what baselines and SARIF partialFingerprints match on. */
  fingerprint: string;
  /** At or above --fail-on and (with a baseline) new: this finding fails the build. */
  failing: boolean;
  /** Only with a baseline: not in it. */
  new?: boolean;
}

export interface ReportNode {
  id: string;
  kind: 'service' | 'database' | 'queue' | 'external' | 'client';
  name: string;
  calls: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface ReportEdge {
  source: string;
  target: string;
  kind: 'sync' | 'async' | 'db';
  calls: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface ReportGraph {
  nodes: ReportNode[];
  edges: ReportEdge[];
}

export interface EdgeRef {
  source: string;
  target: string;
  kind: 'sync' | 'async' | 'db';
}

/** What changed since the baseline: a dependency-graph diff between builds. */
export interface Drift {
  /** Findings of the baseline: how many there were, and those no longer reported. */
  baselineFindings: number;
  resolvedFindings: { fingerprint: string; rule: RuleId; title: string }[];
  newEdges: EdgeRef[];
  removedEdges: EdgeRef[];
  newServices: string[];
  removedServices: string[];
  /** shared-database findings that are new: the database and the services sharing it. */
  newSharedDatabases: { database: string; services: string[]; fingerprint: string }[];
  /** sync-chain findings deeper than in the baseline (`fromDepth` 0: no chain finding there before). */
  deeperChains: { title: string; services: string[]; fromDepth: number; toDepth: number; fingerprint: string }[];
  /** cyclic-dependency findings that are new. */
  newCycles: { services: string[]; title: string; fingerprint: string }[];
}

export interface ReportInput {
  /** A file as named on the command line, or the server URL. */
  source: string;
  /** otlp-json, otlp-json-lines, zipkin, jaeger, server, collector. */
  format: string;
  spans: number;
  /** Spans found but unusable (bad ids, no timestamp…). */
  rejected: number;
}

export interface ReportSummary {
  total: number;
  bySeverity: Record<Severity, number>;
  /** Findings that fail the build (see ReportFinding.failing). */
  failing: number;
  /** Only with a baseline: findings not in it. */
  new?: number;
  passed: boolean;
}

export interface Report {
  version: typeof REPORT_VERSION;
  tool: { name: 'faultline'; version: string };
  inputs: ReportInput[];
  /** Spans and traces analyzed; the window is the data's own (first to last request), epoch ms. */
  spans: number;
  traces: number;
  window: { fromMs: number; toMs: number };
  failOn: Severity;
  /** Set when a baseline was given (its file as named on the command line). */
  baseline?: string;
  summary: ReportSummary;
  /** Sorted: severity, then rule order, then title. */
  findings: ReportFinding[];
  notEvaluated: NotEvaluated[];
  score: MonolithScore;
  graph: ReportGraph;
  drift?: Drift;
}
