// A baseline: the fingerprints of the findings a team accepted and the graph they were found in.
// `--write-baseline` saves one; `--baseline` compares against it, so only new findings fail a
// build and the report shows how the dependency graph drifted since.
import type { RuleId, Severity } from '../analysis/findings/index.ts';
import { ALL_RULE_IDS, SEVERITIES } from '../analysis/findings/index.ts';
import type { EdgeRef, Report } from './types.ts';

export const BASELINE_VERSION = 1;

export interface BaselineFinding {
  fingerprint: string;
  rule: RuleId;
  severity: Severity;
  title: string;
  services: string[];
  /** sync-chain: the deepest chain seen, so a later run can tell a deeper chain. */
  depth?: number;
}

export interface Baseline {
  faultlineBaseline: typeof BASELINE_VERSION;
  findings: BaselineFinding[];
  graph: { nodes: { id: string; kind: string }[]; edges: EdgeRef[] };
}

export function createBaseline(report: Report): Baseline {
  return {
    faultlineBaseline: BASELINE_VERSION,
    findings: report.findings.map((f) => {
      const b: BaselineFinding = { fingerprint: f.fingerprint, rule: f.rule, severity: f.severity, title: f.title, services: f.services };
      const depth = chainDepthOf(f);
      if (depth !== undefined) b.depth = depth;
      return b;
    }),
    graph: {
      nodes: report.graph.nodes.map((n) => ({ id: n.id, kind: n.kind })),
      edges: report.graph.edges.map((e) => ({ source: e.source, target: e.target, kind: e.kind })),
    },
  };
}

export function chainDepthOf(f: { rule: string; evidence: { counts: Record<string, number> } }): number | undefined {
  if (f.rule !== 'sync-chain' && f.rule !== 'architecture/max-chain-depth') return undefined;
  const d = f.evidence.counts.maxDepth ?? f.evidence.counts.depth;
  return typeof d === 'number' ? d : undefined;
}

export type ParseBaselineResult = { ok: true; baseline: Baseline } | { ok: false, error: string };

/** Validates a baseline file's text; every problem names the file and the path inside it. */
export function parseBaseline(text: string, source: string): ParseBaselineResult {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `${source}: not a baseline: invalid JSON (${(e as Error).message})` };
  }
  const fail = (path: string, reason: string): ParseBaselineResult => ({ ok: false, error: `${source}: ${path}: ${reason}` });
  if (!isObject(v)) return { ok: false, error: `${source}: not a baseline: expected an object written by faultline --write-baseline` };
  if (v.faultlineBaseline !== BASELINE_VERSION) {
    if (v.version === 1 && Array.isArray(v.findings)) {
      return { ok: false, error: `${source}: this is a JSON report, not a baseline; write one with --write-baseline FILE` };
    }
    return fail('faultlineBaseline', `expected ${BASELINE_VERSION} (a file written by faultline --write-baseline), got ${JSON.stringify(v.faultlineBaseline) ?? 'nothing'}`);
  }
  if (!Array.isArray(v.findings)) return fail('findings', 'expected an array');
  const findings: BaselineFinding[] = [];
  for (let i = 0; i < v.findings.length; i++) {
    const f: unknown = v.findings[i];
    const p = `findings[${i}]`;
    if (!isObject(f)) return fail(p, 'expected an object');
    if (typeof f.fingerprint !== 'string' || f.fingerprint === '') return fail(`${p}.fingerprint`, 'expected a non-empty string');
    if (typeof f.rule !== 'string' || !(ALL_RULE_IDS as readonly string[]).includes(f.rule)) return fail(`${p}.rule`, `unknown rule id ${JSON.stringify(f.rule)}`);
    if (typeof f.severity !== 'string' || !(SEVERITIES as readonly string[]).includes(f.severity)) return fail(`${p}.severity`, 'expected high, medium, low or info');
    const services = Array.isArray(f.services) && f.services.every((s) => typeof s === 'string') ? (f.services as string[]) : undefined;
    if (!services) return fail(`${p}.services`, 'expected an array of strings');
    const b: BaselineFinding = { fingerprint: f.fingerprint, rule: f.rule as RuleId, severity: f.severity as Severity, title: typeof f.title === 'string' ? f.title : '', services };
    if (f.depth !== undefined) {
      if (typeof f.depth !== 'number' || !Number.isInteger(f.depth) || f.depth < 0) return fail(`${p}.depth`, 'expected a non-negative integer');
      b.depth = f.depth;
    }
    findings.push(b);
  }
  const g = v.graph;
  if (!isObject(g) || !Array.isArray(g.nodes) || !Array.isArray(g.edges)) return fail('graph', 'expected {nodes: [], edges: []}');
  const nodes: Baseline['graph']['nodes'] = [];
  for (let i = 0; i < g.nodes.length; i++) {
    const n: unknown = g.nodes[i];
    if (!isObject(n) || typeof n.id !== 'string' || typeof n.kind !== 'string') return fail(`graph.nodes[${i}]`, 'expected {id, kind} strings');
    nodes.push({ id: n.id, kind: n.kind });
  }
  const edges: EdgeRef[] = [];
  for (let i = 0; i < g.edges.length; i++) {
    const e: unknown = g.edges[i];
    if (!isObject(e) || typeof e.source !== 'string' || typeof e.target !== 'string' || !['sync', 'async', 'db'].includes(e.kind as string)) {
      return fail(`graph.edges[${i}]`, 'expected {source, target, kind: sync|async|db}');
    }
    edges.push({ source: e.source, target: e.target, kind: e.kind as EdgeRef['kind'] });
  }
  return { ok: true, baseline: { faultlineBaseline: BASELINE_VERSION, findings, graph: { nodes, edges } } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
