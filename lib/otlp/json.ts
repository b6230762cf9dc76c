// OTLP/JSON → lib/model. Takes an already parsed object so the same code serves the collector
// (application/json bodies) and file import (OTLP JSON files, JSON-lines). Rules (WIRE.md):
// hex ids, integer enums, lowerCamelCase or snake_case keys, int64 as strings or numbers,
// unknown fields ignored.
import type {
  Attributes,
  InstrumentationScope,
  LogRecord,
  MetricPoint,
  MetricType,
  Resource,
  Span,
  SpanEvent,
  SpanLink,
  Temporality,
} from '../model/index.ts';
import { normalizeSpan } from '../semconv/index.ts';
import {
  JsonShapeError,
  type Obj,
  anyValue,
  arrayField,
  attributes,
  count,
  double,
  enumValue,
  field,
  hexId,
  isObj,
  nanos,
  stringField,
} from './anyvalue.ts';
import {
  type OtlpDecodeResult,
  Rejections,
  badId,
  durationOf,
  fatal,
  finish,
  isZeroSpanId,
  resourceFrom,
  spanKindOf,
  statusCodeOf,
} from './common.ts';

const SPAN_KIND_NAMES = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
const TEMPORALITY_NAMES = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'];

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function readResource(v: unknown): Resource {
  if (v === undefined || v === null) return resourceFrom({}, 0);
  if (!isObj(v)) throw new JsonShapeError('resource must be an object');
  return resourceFrom(attributes(field(v, 'attributes')), count(field(v, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount'));
}

function readScope(v: unknown): InstrumentationScope {
  if (v === undefined || v === null) return { name: '' };
  if (!isObj(v)) throw new JsonShapeError('scope must be an object');
  const scope: InstrumentationScope = { name: stringField(v, 'name') ?? '' };
  const version = stringField(v, 'version');
  if (version) scope.version = version;
  const attrs = field(v, 'attributes');
  if (Array.isArray(attrs) && attrs.length > 0) scope.attributes = attributes(attrs);
  const dropped = count(field(v, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
  if (dropped > 0) scope.droppedAttributesCount = dropped;
  return scope;
}

/**
 * Walks `resource<Signal>s[] → scope<Signal>s[] → items[]`. Envelope shape errors are fatal
 * (400); `item` handles per-item errors itself.
 */
function walk(
  body: unknown,
  keys: { resource: [string, string]; scope: [string, string]; legacyScope: string; items: [string, string] },
  item: (v: unknown, resource: Resource, scope: InstrumentationScope) => void,
): void {
  if (!isObj(body)) throw new JsonShapeError('request body must be a JSON object');
  for (const rs of arrayField(body, ...keys.resource)) {
    if (!isObj(rs)) throw new JsonShapeError(`${keys.resource[0]}[] entries must be objects`);
    const resource = readResource(rs.resource);
    // instrumentationLibrary* is the pre-1.0 name still found in old OTLP JSON files.
    const scopes = arrayField(rs, ...keys.scope);
    const all = scopes.length > 0 ? scopes : arrayField(rs, keys.legacyScope);
    for (const ss of all) {
      if (!isObj(ss)) throw new JsonShapeError(`${keys.scope[0]}[] entries must be objects`);
      const scope = readScope(field(ss, 'scope') ?? field(ss, 'instrumentationLibrary', 'instrumentation_library'));
      for (const it of arrayField(ss, ...keys.items)) item(it, resource, scope);
    }
  }
}

function guarded<T>(what: string, run: () => OtlpDecodeResult<T>): OtlpDecodeResult<T> {
  try {
    return run();
  } catch (err) {
    if (err instanceof JsonShapeError || err instanceof RangeError) return fatal(`malformed ${what} JSON: ${message(err)}`);
    throw err;
  }
}

// ---------- traces ----------

function readEvent(v: unknown): SpanEvent {
  if (!isObj(v)) throw new JsonShapeError('event must be an object');
  const ev: SpanEvent = {
    timeNs: nanos(field(v, 'timeUnixNano', 'time_unix_nano'), 'event timeUnixNano'),
    name: stringField(v, 'name') ?? '',
    attributes: attributes(field(v, 'attributes')),
  };
  const d = count(field(v, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
  if (d > 0) ev.droppedAttributesCount = d;
  return ev;
}

function readLink(v: unknown): SpanLink | string {
  if (!isObj(v)) throw new JsonShapeError('link must be an object');
  const [traceId, tHex] = hexId(field(v, 'traceId', 'trace_id'), 'link traceId');
  const [spanId, sHex] = hexId(field(v, 'spanId', 'span_id'), 'link spanId');
  const problem = badId('trace', traceId, tHex) ?? badId('span', spanId, sHex);
  if (problem !== undefined) return problem;
  const link: SpanLink = { traceId, spanId, attributes: attributes(field(v, 'attributes')) };
  const ts = stringField(v, 'traceState', 'trace_state');
  if (ts) link.traceState = ts;
  const flags = count(field(v, 'flags'), 'link flags');
  if (flags) link.flags = flags;
  const d = count(field(v, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
  if (d > 0) link.droppedAttributesCount = d;
  return link;
}

function readSpan(v: unknown, resource: Resource, scope: InstrumentationScope, rej: Rejections): Span | undefined {
  if (!isObj(v)) {
    rej.add('span must be an object');
    return undefined;
  }
  try {
    const [traceId, tHex] = hexId(field(v, 'traceId', 'trace_id'), 'traceId');
    const [spanId, sHex] = hexId(field(v, 'spanId', 'span_id'), 'spanId');
    const [parent, pHex] = hexId(field(v, 'parentSpanId', 'parent_span_id'), 'parentSpanId');
    const hasParent = parent !== '' && !(pHex && isZeroSpanId(parent));
    const problem = badId('trace', traceId, tHex) ?? badId('span', spanId, sHex) ?? (hasParent ? badId('parent span', parent, pHex) : undefined);
    if (problem !== undefined) {
      rej.add(problem);
      return undefined;
    }
    const startNs = nanos(field(v, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano');
    let endNs = nanos(field(v, 'endTimeUnixNano', 'end_time_unix_nano'), 'endTimeUnixNano');
    if (endNs < startNs) endNs = startNs;
    const st = field(v, 'status');
    let status: Span['status'] = { code: 'unset' };
    if (isObj(st)) {
      const code = statusCodeOf(enumValue(st.code, STATUS_NAMES, 'status.code'));
      const msg = stringField(st, 'message');
      status = msg ? { code, message: msg } : { code };
    }
    const links: SpanLink[] = [];
    let droppedLinks = count(field(v, 'droppedLinksCount', 'dropped_links_count'), 'droppedLinksCount');
    for (const l of arrayField(v, 'links')) {
      const link = readLink(l);
      if (typeof link === 'string') {
        rej.note(`link dropped: ${link}`);
        droppedLinks++;
      } else links.push(link);
    }
    const span: Span = {
      traceId,
      spanId,
      name: stringField(v, 'name') ?? '',
      kind: spanKindOf(enumValue(field(v, 'kind'), SPAN_KIND_NAMES, 'kind')),
      startNs,
      endNs,
      durationNs: durationOf(startNs, endNs),
      status,
      attributes: attributes(field(v, 'attributes')),
      events: arrayField(v, 'events').map(readEvent),
      links,
      resource,
      scope,
    };
    if (hasParent) span.parentSpanId = parent;
    const ts = stringField(v, 'traceState', 'trace_state');
    if (ts) span.traceState = ts;
    const flags = count(field(v, 'flags'), 'flags');
    if (flags) span.flags = flags;
    const da = count(field(v, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
    if (da > 0) span.droppedAttributesCount = da;
    const de = count(field(v, 'droppedEventsCount', 'dropped_events_count'), 'droppedEventsCount');
    if (de > 0) span.droppedEventsCount = de;
    if (droppedLinks > 0) span.droppedLinksCount = droppedLinks;
    return normalizeSpan(span);
  } catch (err) {
    if (!(err instanceof JsonShapeError)) throw err;
    rej.add(`span rejected: ${err.message}`);
    return undefined;
  }
}

/** ExportTraceServiceRequest as parsed JSON → spans. */
export function decodeOtlpJsonTraces(body: unknown): OtlpDecodeResult<Span> {
  return guarded('ExportTraceServiceRequest', () => {
    const spans: Span[] = [];
    const rej = new Rejections();
    walk(
      body,
      { resource: ['resourceSpans', 'resource_spans'], scope: ['scopeSpans', 'scope_spans'], legacyScope: 'instrumentationLibrarySpans', items: ['spans', 'spans'] },
      (v, resource, scope) => {
        const s = readSpan(v, resource, scope, rej);
        if (s !== undefined) spans.push(s);
      },
    );
    return finish(spans, rej);
  });
}

// ---------- metrics ----------

const METRIC_KEYS: [MetricType, string, string][] = [
  ['gauge', 'gauge', 'gauge'],
  ['sum', 'sum', 'sum'],
  ['histogram', 'histogram', 'histogram'],
  ['exponential_histogram', 'exponentialHistogram', 'exponential_histogram'],
  ['summary', 'summary', 'summary'],
];

function numbers(v: unknown, what: string, read: (x: unknown, what: string) => number): number[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new JsonShapeError(`${what} must be an array`);
  return v.map((x) => read(x, what));
}

function readPoint(v: unknown, type: MetricType, base: MetricPoint): MetricPoint {
  if (!isObj(v)) throw new JsonShapeError('data point must be an object');
  const p: MetricPoint = { ...base, attributes: attributes(field(v, 'attributes')), timeNs: nanos(field(v, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano') };
  const start = nanos(field(v, 'startTimeUnixNano', 'start_time_unix_nano'), 'startTimeUnixNano');
  if (start !== 0n) p.startNs = start;
  const flags = count(field(v, 'flags'), 'flags');
  if (flags) p.flags = flags;
  const opt = (camel: string, snake?: string): number | undefined => {
    const x = field(v, camel, snake);
    return x === undefined || x === null ? undefined : double(x, camel);
  };
  if (type === 'gauge' || type === 'sum') {
    const d = field(v, 'asDouble', 'as_double');
    const i = field(v, 'asInt', 'as_int');
    if (d !== undefined && d !== null) p.value = double(d, 'asDouble');
    else if (i !== undefined && i !== null) p.value = count(i, 'asInt');
    return p;
  }
  p.count = count(field(v, 'count'), 'count');
  const sum = opt('sum');
  if (sum !== undefined) p.sum = sum;
  if (type === 'summary') {
    p.quantiles = arrayField(v, 'quantileValues', 'quantile_values').map((q) => {
      if (!isObj(q)) throw new JsonShapeError('quantile value must be an object');
      return { quantile: double(q.quantile ?? 0, 'quantile'), value: double(q.value ?? 0, 'value') };
    });
    return p;
  }
  const min = opt('min');
  if (min !== undefined) p.min = min;
  const max = opt('max');
  if (max !== undefined) p.max = max;
  if (type === 'histogram') {
    p.bucketCounts = numbers(field(v, 'bucketCounts', 'bucket_counts'), 'bucketCounts', count);
    p.explicitBounds = numbers(field(v, 'explicitBounds', 'explicit_bounds'), 'explicitBounds', double);
    return p;
  }
  p.scale = count(field(v, 'scale'), 'scale');
  p.zeroCount = count(field(v, 'zeroCount', 'zero_count'), 'zeroCount');
  const zt = opt('zeroThreshold', 'zero_threshold');
  if (zt !== undefined) p.zeroThreshold = zt;
  for (const side of ['positive', 'negative'] as const) {
    const b = field(v, side);
    if (isObj(b)) p[side] = { offset: count(b.offset, 'offset'), bucketCounts: numbers(field(b, 'bucketCounts', 'bucket_counts'), 'bucketCounts', count) };
  }
  return p;
}

function readMetric(v: unknown, resource: Resource, scope: InstrumentationScope, out: MetricPoint[], rej: Rejections): void {
  if (!isObj(v)) {
    rej.add('metric must be an object');
    return;
  }
  const name = typeof v.name === 'string' ? v.name : '';
  try {
    for (const [type, camel, snake] of METRIC_KEYS) {
      const data = field(v, camel, snake);
      if (!isObj(data)) continue;
      const base: MetricPoint = { resource, scope, name, type, attributes: {}, timeNs: 0n };
      const description = stringField(v, 'description');
      if (description) base.description = description;
      const unit = stringField(v, 'unit');
      if (unit) base.unit = unit;
      if (type === 'sum' || type === 'histogram' || type === 'exponential_histogram') {
        base.temporality = (['unspecified', 'delta', 'cumulative'] as Temporality[])[enumValue(field(data, 'aggregationTemporality', 'aggregation_temporality'), TEMPORALITY_NAMES, 'aggregationTemporality')] ?? 'unspecified';
      }
      if (type === 'sum') base.monotonic = field(data, 'isMonotonic', 'is_monotonic') === true;
      const points = arrayField(data, 'dataPoints', 'data_points').map((p) => readPoint(p, type, base));
      for (const p of points) out.push(p);
      return;
    }
    rej.add(`metric ${JSON.stringify(name)} has no data`);
  } catch (err) {
    if (!(err instanceof JsonShapeError)) throw err;
    rej.add(`metric ${JSON.stringify(name)} rejected: ${err.message}`);
  }
}

export function decodeOtlpJsonMetrics(body: unknown): OtlpDecodeResult<MetricPoint> {
  return guarded('ExportMetricsServiceRequest', () => {
    const points: MetricPoint[] = [];
    const rej = new Rejections();
    walk(
      body,
      { resource: ['resourceMetrics', 'resource_metrics'], scope: ['scopeMetrics', 'scope_metrics'], legacyScope: 'instrumentationLibraryMetrics', items: ['metrics', 'metrics'] },
      (v, resource, scope) => readMetric(v, resource, scope, points, rej),
    );
    return finish(points, rej);
  });
}

// ---------- logs ----------

function readLog(v: unknown, resource: Resource, scope: InstrumentationScope, rej: Rejections): LogRecord | undefined {
  if (!isObj(v)) {
    rej.add('log record must be an object');
    return undefined;
  }
  try {
    const [traceId, tHex] = hexId(field(v, 'traceId', 'trace_id'), 'traceId');
    const [spanId, sHex] = hexId(field(v, 'spanId', 'span_id'), 'spanId');
    const problem = (traceId !== '' ? badId('trace', traceId, tHex) : undefined) ?? (spanId !== '' ? badId('span', spanId, sHex) : undefined);
    if (problem !== undefined) {
      rej.add(problem);
      return undefined;
    }
    const attrs: Attributes = attributes(field(v, 'attributes'));
    const log: LogRecord = { resource, scope, timeNs: nanos(field(v, 'timeUnixNano', 'time_unix_nano'), 'timeUnixNano'), attributes: attrs };
    const observed = nanos(field(v, 'observedTimeUnixNano', 'observed_time_unix_nano'), 'observedTimeUnixNano');
    if (observed !== 0n) log.observedTimeNs = observed;
    if (log.timeNs === 0n && observed !== 0n) log.timeNs = observed;
    const sev = count(field(v, 'severityNumber', 'severity_number'), 'severityNumber');
    if (sev) log.severityNumber = sev;
    const sevText = stringField(v, 'severityText', 'severity_text');
    if (sevText) log.severityText = sevText;
    const body = field(v, 'body');
    if (body !== undefined && body !== null) log.body = anyValue(body);
    if (traceId !== '') log.traceId = traceId;
    if (spanId !== '') log.spanId = spanId;
    const flags = count(field(v, 'flags'), 'flags');
    if (flags) log.flags = flags;
    const eventName = stringField(v, 'eventName', 'event_name');
    if (eventName) log.eventName = eventName;
    const d = count(field(v, 'droppedAttributesCount', 'dropped_attributes_count'), 'droppedAttributesCount');
    if (d > 0) log.droppedAttributesCount = d;
    return log;
  } catch (err) {
    if (!(err instanceof JsonShapeError)) throw err;
    rej.add(`log record rejected: ${err.message}`);
    return undefined;
  }
}

export function decodeOtlpJsonLogs(body: unknown): OtlpDecodeResult<LogRecord> {
  return guarded('ExportLogsServiceRequest', () => {
    const logs: LogRecord[] = [];
    const rej = new Rejections();
    walk(
      body,
      { resource: ['resourceLogs', 'resource_logs'], scope: ['scopeLogs', 'scope_logs'], legacyScope: 'instrumentationLibraryLogs', items: ['logRecords', 'log_records'] },
      (v, resource, scope) => {
        const l = readLog(v, resource, scope, rej);
        if (l !== undefined) logs.push(l);
      },
    );
    return finish(logs, rej);
  });
}

/** Export{Trace,Metrics,Logs}ServiceResponse as JSON; partial_success omitted on full success. */
export function encodeExportResponseJson(signal: 'traces' | 'metrics' | 'logs', rejected: number, errorMessage?: string): string {
  if (rejected === 0 && !errorMessage) return '{}';
  const key = signal === 'traces' ? 'rejectedSpans' : signal === 'metrics' ? 'rejectedDataPoints' : 'rejectedLogRecords';
  // int64 fields are strings in proto3 JSON.
  return JSON.stringify({ partialSuccess: { [key]: String(rejected), errorMessage: errorMessage ?? '' } });
}

/** google.rpc.Status as JSON. */
export function encodeRpcStatusJson(code: number, message: string): string {
  return JSON.stringify({ code, message, details: [] });
}

/** The decode results carry a fatal flag; re-export the type for callers. */
export type { OtlpDecodeResult } from './common.ts';

/** Shape of an object as parsed from JSON, for callers that pre-check. */
export type { Obj };
