// The service graph every rule reads (SMELLS.md "The graph every rule reads").
// The JSON contract of ARCHITECTURE.md §3 is a subset: nodes {id, kind}, edges {source, target,
// kind, calls, errors, p50Ms, p95Ms, p99Ms}; graphToJson (graph/json.ts) emits it.

export type NodeKind = 'service' | 'database' | 'queue' | 'external' | 'client';
export type EdgeKind = 'sync' | 'async' | 'db';

export interface LatencySummary {
  p50Ms: number;
  p75Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface TableUse {
  name: string;
  /** Normalized service names, sorted. */
  readers: string[];
  writers: string[];
  /** Per service: [reads, writes] span counts, so rules can name the owner (most writes). */
  counts: Record<string, { reads: number; writes: number }>;
}

export interface GraphNode extends LatencySummary {
  /**
   * Stable id. service: the normalized name; database: `db:<system>|<address>|<namespace>`;
   * queue: `queue:<system>|<destination>`; external: `ext:<peer>` (`ext:unknown@<caller>` when
   * nothing names the peer); client: `client`.
   */
  id: string;
  kind: NodeKind;
  /** Human label (service name, `mysql orders@db:3306`, `rabbitmq backend`, peer name). */
  name: string;
  // database
  dbSystem?: string;
  /** `host[:port]` as reported; empty string when the spans did not say. */
  address?: string;
  namespace?: string;
  tables?: TableUse[];
  // queue
  messagingSystem?: string;
  destination?: string;
  /**
   * service: server-side spans handled (root and called); database/queue/external: calls
   * received. client: requests sent.
   */
  calls: number;
  errors: number;
  /** service: `service.version` values seen, sorted. */
  versions?: string[];
  /** service: outgoing sync (incl. db) and async calls, for the sync/async share. */
  syncCallsOut?: number;
  asyncCallsOut?: number;
  /**
   * database: false when the spans named neither address nor namespace; the node is then per
   * calling service (`db:<system>||@<service>`) and sharing cannot be judged (report "not evaluated").
   */
  identityKnown?: boolean;
}

export interface EdgeOperation extends LatencySummary {
  /** Server span name (sync), database operation (db), or destination operation (async). */
  name: string;
  calls: number;
  errors: number;
}

export interface GraphEdge extends LatencySummary {
  /** `<source>-><target>|<kind>` */
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  calls: number;
  /** A call is an error when either half says so. */
  errors: number;
  /** Server-side latency (the SERVER span's duration) for sync edges; absent for db and async. */
  serverP50Ms?: number;
  serverP95Ms?: number;
  serverP99Ms?: number;
  /** Most frequent operations first, at most GraphBuildOptions.maxOperationsPerEdge. */
  operations?: EdgeOperation[];
  /** Calls whose both halves were seen (client+server, producer+consumer). */
  paired: number;
  /** Calls seen from one side only (client with no server: an uninstrumented peer). */
  unpaired: number;
  /** Example trace ids (first few seen) for evidence. */
  traceIds: string[];
}

export interface ServiceGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** CLIENT spans whose server half never arrived (they point at external nodes). */
  unpairedClientSpans: number;
  /** PRODUCER spans no consumer was seen for. */
  unpairedProducerSpans: number;
  /** Present only when GraphOptions.maxNodes / maxEdges were reached: what was left out. */
  dropped?: { nodes: number; edges: number; calls: number };
}
