// Queries in a loop: one parent issuing the same-shape query again and again, one after another.
import { CappedMap, addExample, round, spanRefs } from '../bounded.ts';
import { hasShapeAttributes, queryShapeOf } from '../query-shape.ts';
import { databaseOf, isDb } from '../trace-facts.ts';
import type { SpanNode } from '../../trace/tree.ts';
import type { Finding, Rule, Severity, SpanRef } from '../types.ts';

const defaults = {
  /** Same-shape, non-overlapping queries under one parent (Digma and Sentry use 5). */
  medium: 5,
  high: 20,
  /** Their summed duration must reach this (Sentry: 50 ms), or the loop is too cheap to matter. */
  minTotalMs: 50,
  /** …or they take more than this share of the parent's duration. */
  highParentShare: 0.3,
};

interface Hit {
  service: string;
  database: string;
  databaseName: string;
  shape: string;
  parent: string;
  occurrences: number;
  traces: number;
  lastTrace: string;
  maxCount: number;
  maxTotalMs: number;
  severity: Severity;
  traceIds: string[];
  spans: SpanRef[];
}

interface State {
  hits: CappedMap<string, Hit>;
  dbSpans: number;
  shapedSpans: number;
}

export const nPlusOneDb: Rule<State, typeof defaults> = {
  id: 'n-plus-one-db',
  title: 'N+1 queries',
  defaultSeverity: 'medium',
  defaults,
  thresholdTypes: { minTotalMs: 'number' },
  allowKeys: ['service', 'database', 'table'],
  remediation:
    'Fetch the rows in one round trip: a batch or IN (…) query, eager loading / a JOIN in the ORM, a DataLoader that coalesces lookups, or a cache in front of the repeated read.',
  createState: () => ({ hits: new CappedMap(20_000), dbSpans: 0, shapedSpans: 0 }),
  visitTrace(tree, state, ctx) {
    for (const parent of tree.nodes) {
      // Count first: shapes (regex work) are computed only under a parent with enough db calls.
      let dbChildren = 0;
      for (const c of parent.children) {
        if (c.kind !== 'client' || c.service !== parent.service || !isDb(c)) continue;
        dbChildren++;
        state.dbSpans++;
        if (hasShapeAttributes(c.span)) state.shapedSpans++;
      }
      if (dbChildren < ctx.thresholds(parent.service).medium) continue;
      let groups: Map<string, SpanNode[]> | undefined;
      for (const c of parent.children) {
        if (c.kind !== 'client' || c.service !== parent.service || !isDb(c)) continue;
        const shape = queryShapeOf(c.span);
        if (!shape) continue;
        groups ??= new Map();
        const key = `${c.service}\u0000${databaseOf(c).id}\u0000${shape}`;
        const g = groups.get(key);
        if (g) g.push(c);
        else groups.set(key, [c]);
      }
      if (!groups) continue;
      const parentMs = parent.span.durationNs / 1e6;
      for (const [key, spans] of groups) {
        const t = ctx.thresholds(parent.service);
        if (spans.length < t.medium) continue;
        // Children arrive sorted by start: keep the ones that run after the previous one ended.
        const seq: SpanNode[] = [];
        let lastEnd = -1n;
        for (const s of spans) {
          if (s.span.startNs >= lastEnd) {
            seq.push(s);
            lastEnd = s.span.endNs;
          }
        }
        const totalMs = seq.reduce((n, s) => n + s.span.durationNs / 1e6, 0);
        if (seq.length < t.medium || totalMs < t.minTotalMs) continue;
        const first = seq[0].span;
        const db = databaseOf(seq[0]);
        const collection = typeof first.attributes['db.collection.name'] === 'string' ? (first.attributes['db.collection.name'] as string) : undefined;
        const dbNames = [db.id, db.name, ...(db.namespace ? [db.namespace] : [])];
        if (ctx.allowed({ service: parent.service, database: dbNames, ...(collection ? { table: collection } : {}) })) continue;
        const severity: Severity = seq.length >= t.high || (parentMs > 0 && totalMs / parentMs > t.highParentShare) ? 'high' : 'medium';
        const [service, database, shape] = key.split('\u0000');
        const hit = state.hits.upsert(key, () => ({
          service,
          database,
          databaseName: db.namespace || db.name,
          shape,
          parent: parent.span.name,
          occurrences: 0,
          traces: 0,
          lastTrace: '',
          maxCount: 0,
          maxTotalMs: 0,
          severity,
          traceIds: [],
          spans: spanRefs(seq),
        }));
        if (!hit) continue;
        hit.occurrences++;
        if (hit.lastTrace !== tree.traceId) {
          hit.traces++;
          hit.lastTrace = tree.traceId;
        }
        addExample(hit.traceIds, tree.traceId);
        if (severity === 'high') hit.severity = 'high';
        hit.maxTotalMs = Math.max(hit.maxTotalMs, totalMs);
        if (seq.length > hit.maxCount) {
          hit.maxCount = seq.length;
          hit.spans = spanRefs(seq);
        }
      }
    }
  },
  finalize(state, ctx) {
    if (state.shapedSpans === 0) {
      return {
        findings: [],
        notEvaluated:
          state.dbSpans === 0 ? 'no database spans with db.query.text or db.collection.name' : `none of ${state.dbSpans} database spans has db.query.text or db.collection.name`,
      };
    }
    const findings: Finding[] = [];
    for (const h of state.hits.values()) {
      const f = ctx.finding({
        subject: h.service,
        severity: h.severity,
        title: `${h.service} runs the same query up to ${h.maxCount} times under one ${h.parent}`,
        services: [h.service],
        resources: [{ kind: 'database', name: h.database }],
        counts: { maxQueries: h.maxCount, maxTotalMs: round(h.maxTotalMs, 1), occurrences: h.occurrences, traces: h.traces },
        traceIds: h.traceIds,
        spans: h.spans,
        details: { query: h.shape.slice(0, 500), parent: h.parent, database: h.databaseName },
        identity: [h.service, h.database, h.shape],
      });
      if (f) findings.push(f);
    }
    return { findings };
  },
};
