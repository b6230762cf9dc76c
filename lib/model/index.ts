// The plain data model every part of Faultline speaks. Imports nothing (ARCHITECTURE.md §2).
//
// Conventions (ARCHITECTURE.md §4):
// - trace and span ids are lowercase hex strings (32 and 16 chars);
// - timestamps are integer nanoseconds since the Unix epoch, as bigint, because epoch
//   nanoseconds (~1.7e18) do not fit a double exactly; durations fit, so they are numbers;
// - attribute names are the *new* semantic-convention names: lib/semconv folds the old ones
//   once, at the boundary, so no analysis code reads both `db.name` and `db.namespace`.

/** An OTLP AnyValue. Integers outside the safe range are bigint; bytes are Uint8Array. */
export type AttributeValue =
  | string
  | number
  | boolean
  | bigint
  | Uint8Array
  | null
  | AttributeValue[]
  | { [key: string]: AttributeValue };

export type Attributes = Record<string, AttributeValue>;

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';

/** OTLP's numeric encoding of SpanKind (SPAN_KIND_UNSPECIFIED = 0 … SPAN_KIND_CONSUMER = 5). */
export const SPAN_KINDS: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export type StatusCode = 'unset' | 'ok' | 'error';

/** OTLP's numeric encoding of Status.code (UNSET = 0, OK = 1, ERROR = 2). */
export const STATUS_CODES: readonly StatusCode[] = ['unset', 'ok', 'error'];

export interface Resource {
  /** `service.name`, pod-hash suffix NOT stripped here (analysis does that); `unknown_service` when missing. */
  serviceName: string;
  serviceNamespace?: string;
  serviceVersion?: string;
  serviceInstanceId?: string;
  sdk?: { name?: string; language?: string; version?: string };
  /** All resource attributes, including the ones lifted into the fields above. */
  attributes: Attributes;
  droppedAttributesCount?: number;
}

export interface InstrumentationScope {
  name: string;
  version?: string;
  attributes?: Attributes;
  droppedAttributesCount?: number;
}

export interface SpanEvent {
  timeNs: bigint;
  name: string;
  attributes: Attributes;
  droppedAttributesCount?: number;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState?: string;
  flags?: number;
  attributes: Attributes;
  droppedAttributesCount?: number;
}

export interface Span {
  traceId: string;
  spanId: string;
  /** Absent for a root span. */
  parentSpanId?: string;
  traceState?: string;
  flags?: number;
  name: string;
  kind: SpanKind;
  startNs: bigint;
  endNs: bigint;
  /** endNs - startNs, as a number (exact up to ~104 days). Never negative. */
  durationNs: number;
  status: { code: StatusCode; message?: string };
  attributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
  resource: Resource;
  scope: InstrumentationScope;
  /**
   * Zipkin's client and server halves of one RPC share a span id (`shared: true`). Storage is
   * idempotent on (traceId, spanId, kind) so both halves survive; set on the server half.
   */
  shared?: boolean;
}

export type MetricType = 'gauge' | 'sum' | 'histogram' | 'exponential_histogram' | 'summary';
export type Temporality = 'unspecified' | 'delta' | 'cumulative';

export interface ExponentialBuckets {
  offset: number;
  bucketCounts: number[];
}

export interface MetricPoint {
  resource: Resource;
  scope: InstrumentationScope;
  name: string;
  description?: string;
  unit?: string;
  type: MetricType;
  /** For sum, histogram and exponential histogram. */
  temporality?: Temporality;
  /** For sum. */
  monotonic?: boolean;
  attributes: Attributes;
  startNs?: bigint;
  timeNs: bigint;
  flags?: number;
  /** gauge and sum. */
  value?: number;
  /** histogram, exponential histogram and summary. */
  count?: number;
  sum?: number;
  min?: number;
  max?: number;
  /** histogram: explicitBounds.length + 1 counts. */
  bucketCounts?: number[];
  explicitBounds?: number[];
  /** exponential histogram. */
  scale?: number;
  zeroCount?: number;
  zeroThreshold?: number;
  positive?: ExponentialBuckets;
  negative?: ExponentialBuckets;
  /** summary. */
  quantiles?: { quantile: number; value: number }[];
}

export interface LogRecord {
  resource: Resource;
  scope: InstrumentationScope;
  timeNs: bigint;
  observedTimeNs?: bigint;
  severityNumber?: number;
  severityText?: string;
  body?: AttributeValue;
  attributes: Attributes;
  traceId?: string;
  spanId?: string;
  flags?: number;
  eventName?: string;
  droppedAttributesCount?: number;
}

/**
 * What a decoder produced from one request or file. Expected failures are values
 * (ARCHITECTURE.md §4.4): a decode that rejects 3 of 512 spans returns them here.
 */
export interface DecodeResult<T> {
  items: T[];
  /** How many items were unusable (e.g. a malformed id) and not kept. */
  rejected: number;
  /** Human-readable reasons, at most a handful (first few distinct). */
  errors: string[];
}

/** One unit of work for the store's writer: committed together or not at all. */
export interface IngestBatch {
  spans: Span[];
  metrics: MetricPoint[];
  logs: LogRecord[];
}

export const UNKNOWN_SERVICE = 'unknown_service';
