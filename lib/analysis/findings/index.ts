// Runs every rule over traces as they stream past, then over the final graph.
//
//   const run = createFindingsRun(config, { now });
//   for (const tree of trees) run.visitTrace(tree);   // same trees the GraphAccumulator sees
//   const { findings, notEvaluated, score } = run.finish(graph, { serviceVersions, breakerEdges });
//
// Memory: rules keep only bounded per-key state (bounded.ts); a trace is never held after its visit.
import type { ServiceGraph } from '../graph/types.ts';
import type { TraceTree } from '../trace/tree.ts';
import { CappedMap } from './bounded.ts';
import { breakerEvidenceOf, type BreakerEvidence } from './breakers.ts';
import { EMPTY_CONFIG, type FaultlineConfig } from './config.ts';
import { finalizeContext, ruleSettings } from './context.ts';
import { RULE_ORDER, RULES } from './registry.ts';
import { beginTrace } from './trace-facts.ts';
import { monolithScore, type MonolithScore } from './score.ts';
import {
  edgeKey,
  SEVERITY_RANK,
  type AnyRule,
  type EdgeKey,
  type Finding,
  type NotEvaluated,
  type RuleId,
  type ServiceVersion,
  type VisitContext,
} from './types.ts';

export interface FindingsRunOptions {
  /** Epoch ms the analysis is "as of" (as AnalyzeOptions.now); rules never read a clock. */
  now: number;
  /** Rules to run; default: all of the registry. */
  rules?: readonly AnyRule[];
}

export interface FinishExtras {
  /** From the store when it keeps a longer history than the traces at hand. */
  serviceVersions?: readonly ServiceVersion[];
  /** `caller->callee` edges with a breaker reported by metrics (issue 6). */
  breakerEdges?: Iterable<EdgeKey>;
}

export interface FindingsResult {
  /** Sorted: severity, then rule order, then title. */
  findings: Finding[];
  notEvaluated: NotEvaluated[];
  score: MonolithScore;
  /** Breaker evidence seen in spans (≤100 examples) and the edges it covers. */
  breakerEvidence: BreakerEvidence[];
  breakerEdges: EdgeKey[];
  /** Rule id → keys that did not fit the rule's bounded state (0 entries omitted). */
  dropped: Partial<Record<RuleId, number>>;
  traces: number;
}

export interface FindingsRun {
  visitTrace(tree: TraceTree): void;
  finish(graph: ServiceGraph, extras?: FinishExtras): FindingsResult;
}

interface Active {
  rule: AnyRule;
  state: unknown;
  visit: VisitContext;
  failure?: string;
}

const MAX_BREAKER_EXAMPLES = 100;
const EMPTY_TREE: TraceTree = { traceId: '', roots: [], nodes: [], startNs: 0n, endNs: 0n, duplicates: 0, orphans: 0, cyclesBroken: 0 };

export function createFindingsRun(config: FaultlineConfig = EMPTY_CONFIG, opts: FindingsRunOptions): FindingsRun {
  const active: Active[] = [];
  const disabled: NotEvaluated[] = [];
  for (const rule of opts.rules ?? RULES) {
    const s = ruleSettings(rule, config, opts.now);
    if (!s.enabled) {
      disabled.push({ rule: rule.id, reason: 'disabled in the configuration' });
      continue;
    }
    active.push({ rule, state: rule.createState ? rule.createState() : null, visit: s.visit });
  }
  const breakerEdges = new CappedMap<EdgeKey, true>(20_000);
  const breakerExamples: BreakerEvidence[] = [];
  let traces = 0;
  let finished = false;

  return {
    visitTrace(tree) {
      if (finished) throw new Error('createFindingsRun: visitTrace after finish');
      traces++;
      beginTrace(tree);
      for (const ev of breakerEvidenceOf(tree)) {
        if (ev.target) breakerEdges.upsert(edgeKey(ev.service, ev.target), () => true);
        if (breakerExamples.length < MAX_BREAKER_EXAMPLES) breakerExamples.push(ev);
      }
      for (const a of active) {
        if (!a.rule.visitTrace || a.failure) continue;
        try {
          a.rule.visitTrace(tree, a.state, a.visit);
        } catch (e) {
          // A bug in one rule must not take the whole report down; it is reported, not hidden.
          a.failure = `rule failed on trace ${tree.traceId}: ${(e as Error).message}`;
        }
      }
      // Let the last tree go with its nodes.
      beginTrace(EMPTY_TREE);
    },
    finish(graph, extras = {}) {
      finished = true;
      const edges = new Set<EdgeKey>(breakerEdges.keys());
      for (const e of extras.breakerEdges ?? []) edges.add(e);
      const findings: Finding[] = [];
      const notEvaluated: NotEvaluated[] = [...disabled];
      const dropped: Partial<Record<RuleId, number>> = {};
      for (const a of active) {
        const n = droppedOf(a.state);
        if (n > 0) dropped[a.rule.id] = n;
        if (a.failure) {
          notEvaluated.push({ rule: a.rule.id, reason: a.failure });
          continue;
        }
        const ctx = finalizeContext(a.rule, config, a.visit, graph, edges, extras.serviceVersions ?? []);
        try {
          const r = a.rule.finalize(a.state, ctx);
          if (r.notEvaluated) notEvaluated.push({ rule: a.rule.id, reason: r.notEvaluated });
          else findings.push(...r.findings);
        } catch (e) {
          notEvaluated.push({ rule: a.rule.id, reason: `rule failed: ${(e as Error).message}` });
        }
      }
      const sorted = sortFindings(findings);
      return {
        findings: sorted,
        notEvaluated,
        score: monolithScore(sorted),
        breakerEvidence: breakerExamples,
        breakerEdges: [...edges].sort(),
        dropped,
        traces,
      };
    },
  };
}

/** Every dropped counter a rule's state exposes (CappedMaps, top level or one level down). */
function droppedOf(state: unknown): number {
  if (!state || typeof state !== 'object') return 0;
  if (state instanceof CappedMap) return state.dropped;
  let n = 0;
  for (const v of Object.values(state)) {
    if (v instanceof CappedMap) n += v.dropped;
  }
  const own = (state as { droppedMinutes?: unknown }).droppedMinutes;
  if (typeof own === 'number') n += own;
  return n;
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      (RULE_ORDER.get(a.rule) ?? 99) - (RULE_ORDER.get(b.rule) ?? 99) ||
      (a.title < b.title ? -1 : a.title > b.title ? 1 : 0) ||
      (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0),
  );
}

/** All traces at once: for tests, small files and callers that already hold the trees. */
export function analyzeFindings(
  trees: Iterable<TraceTree>,
  graph: ServiceGraph,
  config: FaultlineConfig = EMPTY_CONFIG,
  opts: FindingsRunOptions & FinishExtras = { now: 0 },
): FindingsResult {
  const run = createFindingsRun(config, opts);
  for (const t of trees) run.visitTrace(t);
  return run.finish(graph, opts);
}

export { EMPTY_CONFIG, parseConfig, validateConfig, type FaultlineConfig, type ParseConfigResult } from './config.ts';
export { RULES, SMELL_RULES, ARCHITECTURE_RULES, getRule, ALL_RULE_IDS } from './registry.ts';
export { monolithScore, monolithWeight, MONOLITH_WEIGHTS, type MonolithScore, type MonolithCluster } from './score.ts';
export { fingerprint } from './fingerprint.ts';
export type { BreakerEvidence } from './breakers.ts';
export * from './types.ts';
