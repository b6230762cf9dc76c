// The JSON bodies of the HTTP API (ARCHITECTURE.md §3, /api/v1/*). The dashboard, the CLI's
// `report --server` and the API tests read these: field names are public, change them additively.
//
// Conventions: times are epoch milliseconds (numbers) unless named `…Ns` (epoch nanoseconds as
// decimal strings, because they do not fit a double); durations and latencies are milliseconds
// named `…Ms`; rates are per second. Every error body is `ApiError` with a message
// `"<param>: <reason>"` for a 400, `"trace not found: <id>"` / `"service not found: <name>"` for a 404.
import type { Finding, MonolithScore, NotEvaluated } from '../analysis/findings/index.ts';

export interface ApiError {
  error: string;
}

/** The window a response covers: `from` inclusive, `to` exclusive, epoch ms. */
export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

export type NodeKind = 'service' | 'database' | 'queue' | 'external' | 'client';
export type EdgeKind = 'sync' | 'async' | 'db';

export interface Percentiles {
  p50Ms: number;
  p75Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** How current the rollups are: the live analyzer's position behind the collector's writes. */
export interface Freshness {
  /** Epoch ms the live analyzer last finished a pass (0 when it never ran on this database). */
  analyzedAtMs: number;
  /** Stored spans not yet folded into the rollups at response time. */
  spansBehind: number;
  /** CLIENT spans still waiting for their server half (younger than the pairing grace period). */
  pendingClientSpans: number;
}

/** Pairing honesty, over the window (SMELLS.md: "count what stays unpaired"). */
export interface PairingQuality {
  /** CLIENT spans no SERVER half arrived for within the grace period: edges to external nodes. */
  unpairedClientSpans: number;
  /** SERVER halves that arrived after their client was already counted as external. */
  latePairs: number;
  /** PRODUCER spans no consumer was seen for. */
  unpairedProducerSpans: number;
}

// ---- GET /api/v1/graph?from&to ---------------------------------------------------------------

export interface TableUseJson {
  name: string;
  /** Normalized service names, sorted. */
  readers: string[];
  writers: string[];
  /** Per service: read and write span counts. */
  counts: Record<string, { reads: number; writes: number }>;
}

export interface GraphNodeJson extends Percentiles {
  /**
   * Stable id. service: the normalized name; database: `db:<system>|<address>|<namespace>`;
   * queue: `queue:<system>|<destination>`; external: `ext:<peer>`; client: `client`.
   */
  id: string;
  kind: NodeKind;
  /** Human label. */
  name: string;
  /** service: requests handled (SERVER + CONSUMER spans); others: calls received; client: requests sent. */
  calls: number;
  errors: number;
  errorRate: number;
  ratePerSec: number;
  /** service */
  operations?: number;
  /** database */
  dbSystem?: string;
  address?: string;
  namespace?: string;
  identityKnown?: boolean;
  tables?: TableUseJson[];
  /** queue */
  messagingSystem?: string;
  destination?: string;
}

export interface GraphEdgeJson extends Percentiles {
  /** `<source>-><target>|<kind>` */
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  calls: number;
  /** A call is an error when either half says so. */
  errors: number;
  errorRate: number;
  ratePerSec: number;
  /** Server-side latency (the SERVER span) for paired sync edges; the p…Ms fields are client-side. */
  serverP50Ms?: number;
  serverP95Ms?: number;
  serverP99Ms?: number;
  /** Calls whose two halves were both seen / seen from one side only. */
  paired: number;
  unpaired: number;
  /** A few example trace ids (for "open traces of this edge"). */
  traceIds: string[];
}

export interface GraphResponse {
  window: TimeWindow;
  nodes: GraphNodeJson[];
  edges: GraphEdgeJson[];
  quality: PairingQuality;
  freshness: Freshness;
}

// ---- GET /api/v1/services?from&to&step -------------------------------------------------------

export interface RedPointJson {
  /** Bucket start, epoch ms, aligned to the step. */
  timeMs: number;
  calls: number;
  errors: number;
  ratePerSec: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface RedStatsJson extends Percentiles {
  calls: number;
  errors: number;
  errorRate: number;
  ratePerSec: number;
  meanMs: number;
  /** Own work excluding downstream waits: total over the window and per request. */
  selfTimeMs: number;
  meanSelfTimeMs: number;
  /** selfTimeMs / total request time: near 0 = a pass-through, near 1 = does its own work. */
  selfTimeShare: number;
  /** latency × rate over the window = total request time (ms); the ranking key. */
  impactMs: number;
  /** 1 = largest impact among its peers. */
  impactRank: number;
}

export interface ServiceSummaryJson extends RedStatsJson {
  name: string;
  /** Distinct operations seen in the window. */
  operations: number;
  /** Points at the response's `stepMs`, oldest first, empty buckets included as zeros. */
  sparkline: RedPointJson[];
}

export interface ServicesResponse {
  window: TimeWindow;
  stepMs: number;
  /** Largest impact first. */
  services: ServiceSummaryJson[];
  freshness: Freshness;
}

// ---- GET /api/v1/services/{name}/red?from&to&step --------------------------------------------

export interface OperationRedJson extends RedStatsJson {
  operation: string;
}

/** A neighbour of the service on the graph, with the edge's figures. */
export interface DependencyJson extends Percentiles {
  /** Node id of the neighbour (see GraphNodeJson.id). */
  id: string;
  kind: NodeKind;
  name: string;
  edgeKind: EdgeKind;
  calls: number;
  errors: number;
  errorRate: number;
  ratePerSec: number;
}

export interface ServiceRedResponse {
  service: string;
  window: TimeWindow;
  stepMs: number;
  totals: RedStatsJson;
  /** Oldest first, empty buckets included as zeros. */
  series: RedPointJson[];
  /** Largest impact first. */
  operations: OperationRedJson[];
  /** Who calls this service / what it calls (services, databases, queues, externals). */
  upstream: DependencyJson[];
  downstream: DependencyJson[];
  freshness: Freshness;
}

// ---- GET /api/v1/traces?service&operation&minDuration&maxDuration&status&attr&from&to&limit --

export interface TraceSummaryJson {
  traceId: string;
  rootService: string;
  rootName: string;
  /** Epoch ms (fractional) and the exact epoch ns as a string. */
  startMs: number;
  startNs: string;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export interface TracesResponse {
  window: TimeWindow;
  limit: number;
  /** True when `limit` traces matched (there may be more). */
  truncated: boolean;
  /** Newest first. */
  traces: TraceSummaryJson[];
}

// ---- GET /api/v1/traces/{traceId} -------------------------------------------------------------

/** An attribute value as JSON: integers beyond 2^53 and bytes become strings (bytes as hex). */
export type JsonAttributeValue = string | number | boolean | null | JsonAttributeValue[] | { [key: string]: JsonAttributeValue };

export interface TraceSpanJson {
  spanId: string;
  parentSpanId?: string;
  /** Index into `spans` of the parent row; -1 for a root (also for orphans whose parent never arrived). */
  parentIndex: number;
  depth: number;
  /** Normalized service name (pod hash stripped); `resource.serviceName` keeps the raw one. */
  service: string;
  name: string;
  /** The effective kind (inferred from structure when the span carried none). */
  kind: 'server' | 'client' | 'producer' | 'consumer' | 'internal';
  /** The kind as sent. */
  spanKind: 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
  startNs: string;
  endNs: string;
  /** From the trace start. */
  offsetMs: number;
  durationMs: number;
  selfTimeMs: number;
  status: { code: 'unset' | 'ok' | 'error'; message?: string };
  onCriticalPath: boolean;
  attributes: Record<string, JsonAttributeValue>;
  events: { timeNs: string; offsetMs: number; name: string; attributes: Record<string, JsonAttributeValue> }[];
  links: { traceId: string; spanId: string; attributes: Record<string, JsonAttributeValue> }[];
  resource: {
    serviceName: string;
    serviceNamespace?: string;
    serviceVersion?: string;
    serviceInstanceId?: string;
    attributes: Record<string, JsonAttributeValue>;
  };
  scope: { name: string; version?: string };
  /** Zipkin server half sharing its client's span id. */
  shared?: boolean;
}

export interface TraceResponse {
  traceId: string;
  startNs: string;
  endNs: string;
  startMs: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  /** Distinct normalized services, sorted. */
  services: string[];
  rootService: string;
  rootName: string;
  /** Tree order (DFS pre-order, children by start): the waterfall rows. */
  spans: TraceSpanJson[];
  /** Span ids on the critical path, from the root's end backwards as the algorithm finds them. */
  criticalPath: string[];
  criticalPathByService: { service: string; durationMs: number }[];
  /** Synchronous chain depth in distinct services, and the services along it. */
  chainDepth: number;
  chainServices: string[];
  /** Spans whose parent never arrived / exact duplicates dropped. */
  orphans: number;
  duplicates: number;
}

// ---- GET /api/v1/findings?from&to -------------------------------------------------------------

export interface FindingsResponse {
  window: TimeWindow;
  /** Epoch ms the analysis ran (responses are cached for a few seconds). */
  generatedAtMs: number;
  /** True when the window held more spans than `spanLimit`: only the newest were analyzed. */
  sampled: boolean;
  spanLimit: number;
  spansAnalyzed: number;
  traces: number;
  /** Sorted: severity, then rule, then title (ARCHITECTURE.md §3 JSON report). */
  findings: Finding[];
  notEvaluated: NotEvaluated[];
  score: MonolithScore;
}

export type { Finding, MonolithScore, NotEvaluated };

// ---- GET /api/v1/circuits?from&to (issue 6) -----------------------------------------------------

export type CircuitState = 'closed' | 'open' | 'half_open' | 'forced_open' | 'disabled';

export interface CircuitTransitionJson {
  atMs: number;
  /** null when the state before is unknown (the first change seen in the window). */
  from: CircuitState | null;
  to: CircuitState;
}

export interface CircuitJson {
  /** `reported:<caller>|<breaker>` or `inferred:<caller>-><callee>`. */
  id: string;
  caller: string;
  /** null: a reported breaker Faultline could not tie to an edge. */
  callee: string | null;
  breaker: string | null;
  /** `inferred`: what a standard breaker would be doing on this edge; never a reported state. */
  source: 'reported' | 'inferred';
  reporters: ('span-event' | 'gauge' | 'resilience4j' | 'polly')[];
  mappedBy: 'peer' | 'wrapped-calls' | 'name' | null;
  state: CircuitState;
  initialState: CircuitState;
  transitions: CircuitTransitionJson[];
  transitionsDropped: number;
  lastTransitionMs: number | null;
  calls: number;
  failures: number;
  failureRate: number;
  rejected: number;
  wouldReject?: number;
}

export interface CircuitsResponse {
  window: TimeWindow;
  generatedAtMs: number;
  /** The standard breaker inference replays (configurable per request). */
  settings: { failureRateThreshold: number; minimumCalls: number; windowMs: number; openMs: number };
  /** True when the window held more spans than `spanLimit`: only part was read (the newest minutes, as the API reads). */
  sampled: boolean;
  spanLimit: number;
  spansRead: number;
  metricPointsRead: number;
  /** Sorted: open first, reported before inferred, then failure rate. */
  circuits: CircuitJson[];
  dropped: { calls: number; observations: number; metricPoints: number };
}
