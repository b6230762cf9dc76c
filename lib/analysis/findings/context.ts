// Turns a rule's config (enabled, severity, thresholds, per-service overrides, allow-list) into
// the small context a rule reads, and finishes the rule's drafts into public Findings.
import type { ServiceGraph } from '../graph/types.ts';
import type { FaultlineConfig, RuleConfig, ServiceOverride } from './config.ts';
import { fingerprint } from './fingerprint.ts';
import { globMatch, globMatchAny } from './glob.ts';
import {
  MAX_SPANS,
  MAX_TRACE_IDS,
  type AllowSubject,
  type AnyRule,
  type EdgeKey,
  type FinalizeContext,
  type Finding,
  type FindingDraft,
  type ServiceVersion,
  type Thresholds,
  type VisitContext,
} from './types.ts';

export interface RuleSettings {
  enabled: boolean;
  visit: VisitContext;
}

function overrideFor(rc: RuleConfig | undefined, service: string | undefined): ServiceOverride | undefined {
  if (!rc?.services || service === undefined) return undefined;
  for (const [pattern, o] of Object.entries(rc.services)) if (globMatch(pattern, service)) return o;
  return undefined;
}

export function ruleSettings(rule: AnyRule, config: FaultlineConfig, now: number): RuleSettings {
  const rc = config.rules[rule.id];
  const base: Thresholds = { ...rule.defaults, ...(rc?.thresholds ?? {}) };
  const perService = new Map<string, Thresholds>();
  const visit: VisitContext = {
    config,
    now,
    thresholds(service?: string): Thresholds {
      if (service === undefined || !rc?.services) return base;
      let t = perService.get(service);
      if (!t) {
        const o = overrideFor(rc, service);
        t = o?.thresholds ? { ...base, ...o.thresholds } : base;
        if (perService.size < 10_000) perService.set(service, t);
      }
      return t;
    },
    allowed(subject: AllowSubject): boolean {
      const allow = rc?.allow;
      if (!allow || allow.length === 0) return false;
      return allow.some((entry) =>
        Object.entries(entry).every(([key, pattern]) => {
          const v = subject[key as keyof AllowSubject];
          return v !== undefined && pattern !== undefined && globMatchAny(pattern, v);
        }),
      );
    },
  };
  return { enabled: rc?.enabled !== false, visit };
}

export function finalizeContext(
  rule: AnyRule,
  config: FaultlineConfig,
  visit: VisitContext,
  graph: ServiceGraph,
  breakerEdges: ReadonlySet<EdgeKey>,
  serviceVersions: readonly ServiceVersion[],
): FinalizeContext {
  const rc = config.rules[rule.id];
  return {
    ...visit,
    graph,
    breakerEdges,
    serviceVersions,
    finding(draft: FindingDraft): Finding | null {
      const services = [...new Set(draft.services)].sort();
      const subject = draft.subject ?? services[0];
      const o = overrideFor(rc, subject);
      if (o?.enabled === false) return null;
      return {
        rule: rule.id,
        severity: o?.severity ?? rc?.severity ?? draft.severity,
        title: draft.title,
        services,
        resources: draft.resources ?? [],
        evidence: {
          counts: draft.counts,
          traceIds: [...new Set(draft.traceIds ?? [])].slice(0, MAX_TRACE_IDS),
          ...(draft.spans && draft.spans.length > 0 ? { spans: draft.spans.slice(0, MAX_SPANS) } : {}),
          ...(draft.details ? { details: draft.details } : {}),
        },
        remediation: rule.remediation,
        fingerprint: fingerprint(rule.id, draft.identity),
      };
    },
  };
}
