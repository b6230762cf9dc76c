// The shapes every rule, the runner, the report renderers and the baselines speak.
// A Finding is public (ARCHITECTURE.md §3 JSON report): keep field names stable.
import type { ServiceGraph } from '../graph/types.ts';
import type { FaultlineConfig } from './config.ts';
import type { TraceTree } from '../trace/tree.ts';

export const SMELL_RULE_IDS = [
  'shared-database',
  'service-intimacy',
  'sync-chain',
  'cyclic-dependency',
  'n-plus-one-db',
  'n-plus-one-api',
  'chatty-service',
  'serialized-calls',
  'fan-out',
  'cascading-failure',
  'missing-circuit-breaker',
  'hub-service',
  'no-api-gateway',
  'unversioned-api',
  'hard-coded-endpoint',
  'nano-service',
  'lockstep-deploy',
] as const;

/** Rules that exist only when a config declares them (architecture rules as code). */
export const ARCHITECTURE_RULE_IDS = [
  'architecture/forbidden-dependency',
  'architecture/max-chain-depth',
  'architecture/ownership',
] as const;

export type SmellRuleId = (typeof SMELL_RULE_IDS)[number];
export type ArchitectureRuleId = (typeof ARCHITECTURE_RULE_IDS)[number];
export type RuleId = SmellRuleId | ArchitectureRuleId;

export type Severity = 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['high', 'medium', 'low', 'info'];
/** Higher is worse; used for sorting and for `--fail-on`. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, low: 1, medium: 2, high: 3 };

export type ResourceKind = 'database' | 'table' | 'topic' | 'route' | 'edge' | 'endpoint';

export interface ResourceRef {
  kind: ResourceKind;
  name: string;
}

export interface SpanRef {
  traceId: string;
  spanId: string;
}

export type DetailValue = string | number | boolean | string[] | number[];

export interface Evidence {
  counts: Record<string, number>;
  /** Example traces, at most MAX_TRACE_IDS. */
  traceIds: string[];
  /** The spans that show the problem in one example, at most MAX_SPANS. */
  spans?: SpanRef[];
  details?: Record<string, DetailValue>;
}

export const MAX_TRACE_IDS = 5;
export const MAX_SPANS = 20;

export interface Finding {
  rule: RuleId;
  severity: Severity;
  title: string;
  /** Sorted, distinct. */
  services: string[];
  resources: ResourceRef[];
  evidence: Evidence;
  remediation: string;
  /**
   * Stable across runs: a hash of the rule id and the identity of what the finding is about
   * (services, database, route…), never of counts, trace ids or times, so baselines match.
   */
  fingerprint: string;
}

export interface NotEvaluated {
  rule: RuleId;
  reason: string;
}

/** `caller->callee`: the key breaker evidence and per-edge state use. */
export type EdgeKey = string;
export const edgeKey = (caller: string, callee: string): EdgeKey => `${caller}->${callee}`;

export interface ServiceVersion {
  service: string;
  version: string;
  firstSeenNs: bigint;
}

export type ThresholdValue = number | boolean | string[];
export type Thresholds = Record<string, ThresholdValue>;
export type ThresholdType = 'integer' | 'number' | 'share' | 'boolean' | 'strings';

/** Keys an allow-list entry may use; each rule says which it understands (Rule.allowKeys). */
export type AllowKey = 'service' | 'target' | 'database' | 'table' | 'topic' | 'route';
export type AllowSubject = Partial<Record<AllowKey, string | string[]>>;

/** What a rule hands to ctx.finding(): the runner adds remediation and fingerprint, applies overrides. */
export interface FindingDraft {
  /** The service per-service overrides (enabled, severity) apply to; defaults to services[0]. */
  subject?: string;
  severity: Severity;
  title: string;
  services: string[];
  resources?: ResourceRef[];
  counts: Record<string, number>;
  traceIds?: string[];
  spans?: SpanRef[];
  details?: Record<string, DetailValue>;
  /** What the finding is about; hashed (sorted) with the rule id into the fingerprint. */
  identity: string[];
}

/** Available while traces stream past (no graph yet). */
export interface VisitContext<T extends Thresholds = Thresholds> {
  /** The rule's thresholds, with the per-service override for `service` applied when given. */
  thresholds(service?: string): T;
  /** True when a config allow-list entry of this rule matches every key it names in `subject`. */
  allowed(subject: AllowSubject): boolean;
  config: FaultlineConfig;
  /** Epoch ms the analysis is "as of" (analysis never reads a clock). */
  now: number;
}

export interface FinalizeContext<T extends Thresholds = Thresholds> extends VisitContext<T> {
  graph: ServiceGraph;
  /** Edges (`caller->callee`) with breaker evidence: seen in traces, or reported by metrics (issue 6). */
  breakerEdges: ReadonlySet<EdgeKey>;
  /** First time each (service, version) was seen; from the traces and, when given, the store. */
  serviceVersions: readonly ServiceVersion[];
  /** Builds a finding, or null when the config disables it for the subject service. */
  finding(draft: FindingDraft): Finding | null;
}

export interface RuleResult {
  findings: Finding[];
  /** Set when the data lacks what the rule needs: the rule then reports no findings. */
  notEvaluated?: string;
}

export interface Rule<S = unknown, T extends Thresholds = Thresholds> {
  id: RuleId;
  title: string;
  defaultSeverity: Severity;
  /** Default thresholds; a config may override each key (same type) per rule and per service. */
  defaults: T;
  /** Types the config validator enforces; keys not named are inferred from the default value. */
  thresholdTypes?: Partial<Record<keyof T & string, ThresholdType>>;
  /** Allow-list keys this rule honours (config entries using others are refused). */
  allowKeys: readonly AllowKey[];
  remediation: string;
  createState?(): S;
  visitTrace?(tree: TraceTree, state: S, ctx: VisitContext<T>): void;
  finalize(state: S, ctx: FinalizeContext<T>): RuleResult;
}

// Rules of different state and threshold types live in one registry.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<any, any>;
