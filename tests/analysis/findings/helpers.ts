// Builders for findings tests, on top of the shared span helpers (tests/analysis/helpers.ts).
import type { Attributes, Span } from '../../../lib/model/index.ts';
import { GraphAccumulator } from '../../../lib/analysis/graph/accumulator.ts';
import { buildTraceTree, groupByTrace } from '../../../lib/analysis/trace/tree.ts';
import { analyzeFindings, type FindingsResult, type FinishExtras } from '../../../lib/analysis/findings/index.ts';
import { EMPTY_CONFIG, validateConfig, type FaultlineConfig } from '../../../lib/analysis/findings/config.ts';
import type { Finding, RuleId } from '../../../lib/analysis/findings/types.ts';
import { call, span } from '../helpers.ts';

export { call, span, trace, MS, T0, tid, sid } from '../helpers.ts';

/** The whole findings pipeline over spans: trees, graph, every rule. */
export function analyze(spans: Span[], config: FaultlineConfig = EMPTY_CONFIG, extras: FinishExtras = {}): FindingsResult {
  const trees = [...groupByTrace(spans).values()].map(buildTraceTree);
  const acc = new GraphAccumulator();
  for (const t of trees) acc.addTrace(t);
  return analyzeFindings(trees, acc.build(), config, { now: 0, ...extras });
}

export function findingsOf(spans: Span[], rule: RuleId, config?: FaultlineConfig, extras?: FinishExtras): Finding[] {
  return analyze(spans, config, extras).findings.filter((f) => f.rule === rule);
}

export function notEvaluatedReason(spans: Span[], rule: RuleId, config?: FaultlineConfig): string | undefined {
  return analyze(spans, config).notEvaluated.find((n) => n.rule === rule)?.reason;
}

/** A config from a plain object, failing the test loudly when it is invalid. */
export function config(value: unknown): FaultlineConfig {
  const r = validateConfig(value, 'test-config');
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
}

/**
 * One trace where each service synchronously calls the next: a root SERVER span in services[0],
 * then CLIENT → SERVER per hop. Ids are `<prefix><hop>` (client) and `<prefix><hop>s` (server).
 */
export function chain(traceName: string, services: string[], opts: { error?: boolean[]; rootAttrs?: Attributes; start?: number; name?: string } = {}): Span[] {
  const start = opts.start ?? 0;
  const out: Span[] = [
    span({ trace: traceName, id: 'r0', service: services[0], kind: 'server', name: opts.name ?? 'GET /start', start, dur: 100, error: opts.error?.[0], attrs: opts.rootAttrs }),
  ];
  let parent = 'r0';
  for (let i = 1; i < services.length; i++) {
    const [c, s] = call({ trace: traceName, id: `h${i}`, parent, from: services[i - 1], to: services[i], name: `GET /${services[i]}`, start: start + i, dur: 100 - 2 * i, error: opts.error?.[i] });
    out.push(c, s);
    parent = `h${i}s`;
  }
  return out;
}

/** A database CLIENT span with the new attribute names. */
export function dbSpan(p: {
  trace?: string;
  id: string;
  parent?: string;
  service: string;
  query?: string;
  system?: string;
  address?: string;
  namespace?: string;
  collection?: string;
  operation?: string;
  start?: number;
  dur?: number;
}): Span {
  const attrs: Attributes = { 'db.system.name': p.system ?? 'postgresql', 'server.address': p.address ?? 'db.internal' };
  if (p.namespace !== undefined) attrs['db.namespace'] = p.namespace;
  if (p.query) attrs['db.query.text'] = p.query;
  if (p.collection) attrs['db.collection.name'] = p.collection;
  if (p.operation) attrs['db.operation.name'] = p.operation;
  return span({ trace: p.trace, id: p.id, parent: p.parent, service: p.service, kind: 'client', name: p.operation ?? 'query', start: p.start, dur: p.dur, attrs });
}
