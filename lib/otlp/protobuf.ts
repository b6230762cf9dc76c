// OTLP protobuf (application/x-protobuf) → lib/model, plus the small response encoders.
// Field numbers follow opentelemetry-proto (collector/*/v1/*_service.proto, trace/v1/trace.proto,
// metrics/v1/metrics.proto, logs/v1/logs.proto, common/v1/common.proto).
import type {
  AttributeValue,
  Attributes,
  ExponentialBuckets,
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
import { ProtoReader, ProtoWriter, WireError } from './proto/wire.ts';

// ---------- common.proto ----------

function readAnyValue(r: ProtoReader, end: number): AttributeValue {
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | 2: value = r.string(); break;
      case (2 << 3) | 0: value = r.bool(); break;
      case (3 << 3) | 0: value = r.int64(); break;
      case (4 << 3) | 1: value = r.double(); break;
      case (5 << 3) | 2: { // ArrayValue { repeated AnyValue values = 1; }
        const aEnd = r.delimitedEnd();
        const arr: AttributeValue[] = [];
        while (r.pos < aEnd) {
          const t = r.uint32();
          if (t === ((1 << 3) | 2)) arr.push(readAnyValue(r, r.delimitedEnd()));
          else r.skip(t & 7);
        }
        value = arr;
        break;
      }
      case (6 << 3) | 2: { // KeyValueList { repeated KeyValue values = 1; }
        const kEnd = r.delimitedEnd();
        const obj: Attributes = {};
        while (r.pos < kEnd) {
          const t = r.uint32();
          if (t === ((1 << 3) | 2)) readKeyValue(r, r.delimitedEnd(), obj);
          else r.skip(t & 7);
        }
        value = obj;
        break;
      }
      case (7 << 3) | 2: value = r.bytes(); break;
      default: r.skip(tag & 7);
    }
  }
  if (r.pos !== end) throw new WireError('AnyValue overruns its length');
  return value;
}

function readKeyValue(r: ProtoReader, end: number, into: Attributes): void {
  let key = '';
  let value: AttributeValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) key = r.key();
    else if (tag === ((2 << 3) | 2)) value = readAnyValue(r, r.delimitedEnd());
    else r.skip(tag & 7);
  }
  if (r.pos !== end) throw new WireError('KeyValue overruns its length');
  into[key] = value;
}

function readResource(r: ProtoReader, end: number): Resource {
  const attributes: Attributes = {};
  let dropped = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) readKeyValue(r, r.delimitedEnd(), attributes);
    else if (tag === ((2 << 3) | 0)) dropped = r.uint32();
    else r.skip(tag & 7);
  }
  return resourceFrom(attributes, dropped);
}

function readScope(r: ProtoReader, end: number): InstrumentationScope {
  const scope: InstrumentationScope = { name: '' };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | 2: scope.name = r.key(); break;
      case (2 << 3) | 2: { const v = r.string(); if (v !== '') scope.version = v; break; }
      case (3 << 3) | 2: readKeyValue(r, r.delimitedEnd(), (scope.attributes ??= {})); break;
      case (4 << 3) | 0: { const d = r.uint32(); if (d > 0) scope.droppedAttributesCount = d; break; }
      default: r.skip(tag & 7);
    }
  }
  return scope;
}

const EMPTY_SCOPE: InstrumentationScope = Object.freeze({ name: '' }) as InstrumentationScope;

/**
 * Walks a "repeated Resource*" envelope (ResourceSpans / ResourceMetrics / ResourceLogs share the
 * layout: 1 resource, 2 scope_*, 3 schema_url; each scope_* has 1 scope, 2 items) and calls
 * `item` for every item message with its resource and scope.
 */
function walkEnvelope(
  buf: Uint8Array,
  item: (r: ProtoReader, end: number, resource: Resource, scope: InstrumentationScope) => void,
): void {
  const r = new ProtoReader(buf);
  const len = r.buf.length;
  while (r.pos < len) {
    const tag = r.uint32();
    if (tag !== ((1 << 3) | 2)) { r.skip(tag & 7); continue; }
    const rEnd = r.delimitedEnd();
    // The resource may follow the scopes on the wire; collect scope ranges first.
    let resource: Resource | undefined;
    const scopes: number[] = [];
    while (r.pos < rEnd) {
      const t = r.uint32();
      if (t === ((1 << 3) | 2)) { const e = r.delimitedEnd(); resource = readResource(r, e); }
      else if (t === ((2 << 3) | 2)) { const e = r.delimitedEnd(); scopes.push(r.pos, e); r.pos = e; }
      else r.skip(t & 7);
    }
    if (r.pos !== rEnd) throw new WireError('resource envelope overruns its length');
    const res = resource ?? resourceFrom({}, 0);
    for (let i = 0; i < scopes.length; i += 2) {
      const sEnd = scopes[i + 1];
      r.pos = scopes[i];
      let scope: InstrumentationScope = EMPTY_SCOPE;
      const items: number[] = [];
      while (r.pos < sEnd) {
        const t = r.uint32();
        if (t === ((1 << 3) | 2)) { const e = r.delimitedEnd(); scope = readScope(r, e); }
        else if (t === ((2 << 3) | 2)) { const e = r.delimitedEnd(); items.push(r.pos, e); r.pos = e; }
        else r.skip(t & 7);
      }
      for (let j = 0; j < items.length; j += 2) {
        r.pos = items[j];
        item(r, items[j + 1], res, scope);
        r.pos = items[j + 1];
      }
    }
    r.pos = rEnd;
  }
}

function guarded<T>(what: string, run: () => OtlpDecodeResult<T>): OtlpDecodeResult<T> {
  try {
    return run();
  } catch (err) {
    if (err instanceof WireError || err instanceof RangeError) {
      return fatal(`malformed ${what} protobuf: ${err.message}`);
    }
    throw err;
  }
}

// ---------- traces ----------

function readEvent(r: ProtoReader, end: number): SpanEvent {
  const ev: SpanEvent = { timeNs: 0n, name: '', attributes: {} };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | 1: ev.timeNs = r.fixed64(); break;
      case (2 << 3) | 2: ev.name = r.string(); break;
      case (3 << 3) | 2: readKeyValue(r, r.delimitedEnd(), ev.attributes); break;
      case (4 << 3) | 0: { const d = r.uint32(); if (d > 0) ev.droppedAttributesCount = d; break; }
      default: r.skip(tag & 7);
    }
  }
  return ev;
}

/** Returns the link, or a reason when its ids are unusable (the link is dropped, the span kept). */
function readLink(r: ProtoReader, end: number): SpanLink | string {
  const link: SpanLink = { traceId: '', spanId: '', attributes: {} };
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | 2: link.traceId = r.hex(); break;
      case (2 << 3) | 2: link.spanId = r.hex(); break;
      case (3 << 3) | 2: { const v = r.string(); if (v !== '') link.traceState = v; break; }
      case (4 << 3) | 2: readKeyValue(r, r.delimitedEnd(), link.attributes); break;
      case (5 << 3) | 0: { const d = r.uint32(); if (d > 0) link.droppedAttributesCount = d; break; }
      case (6 << 3) | 5: { const f = r.fixed32(); if (f !== 0) link.flags = f; break; }
      default: r.skip(tag & 7);
    }
  }
  return badId('trace', link.traceId, true) ?? badId('span', link.spanId, true) ?? link;
}

function readSpan(r: ProtoReader, end: number, resource: Resource, scope: InstrumentationScope, out: Span[], rej: Rejections): void {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let traceState = '';
  let flags = 0;
  let name = '';
  let kind = 0;
  let startNs = 0n;
  let endNs = 0n;
  const attributes: Attributes = {};
  let droppedAttributesCount = 0;
  let droppedEventsCount = 0;
  let droppedLinksCount = 0;
  const events: SpanEvent[] = [];
  const links: SpanLink[] = [];
  let statusCode = 0;
  let statusMessage = '';
  let linkProblem: string | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | 2: traceId = r.hex(); break;
      case (2 << 3) | 2: spanId = r.hex(); break;
      case (3 << 3) | 2: traceState = r.string(); break;
      case (4 << 3) | 2: parentSpanId = r.hex(); break;
      case (5 << 3) | 2: name = r.string(); break;
      case (6 << 3) | 0: kind = r.uint32(); break;
      case (7 << 3) | 1: startNs = r.fixed64(); break;
      case (8 << 3) | 1: endNs = r.fixed64(); break;
      case (9 << 3) | 2: readKeyValue(r, r.delimitedEnd(), attributes); break;
      case (10 << 3) | 0: droppedAttributesCount = r.uint32(); break;
      case (11 << 3) | 2: events.push(readEvent(r, r.delimitedEnd())); break;
      case (12 << 3) | 0: droppedEventsCount = r.uint32(); break;
      case (13 << 3) | 2: {
        const link = readLink(r, r.delimitedEnd());
        if (typeof link === 'string') { linkProblem = link; droppedLinksCount++; } else links.push(link);
        break;
      }
      case (14 << 3) | 0: droppedLinksCount += r.uint32(); break;
      case (15 << 3) | 2: {
        const sEnd = r.delimitedEnd();
        while (r.pos < sEnd) {
          const t = r.uint32();
          if (t === ((2 << 3) | 2)) statusMessage = r.string();
          else if (t === ((3 << 3) | 0)) statusCode = r.uint32();
          else r.skip(t & 7);
        }
        break;
      }
      case (16 << 3) | 5: flags = r.fixed32(); break;
      default: r.skip(tag & 7);
    }
  }
  if (r.pos !== end) throw new WireError('span overruns its length');
  const problem =
    badId('trace', traceId, true) ??
    badId('span', spanId, true) ??
    (parentSpanId !== '' && !isZeroSpanId(parentSpanId) ? badId('parent span', parentSpanId, true) : undefined);
  if (problem !== undefined) {
    rej.add(problem);
    return;
  }
  if (linkProblem !== undefined) rej.note(`link dropped: ${linkProblem}`);
  if (endNs < startNs) endNs = startNs;
  const span: Span = {
    traceId,
    spanId,
    name,
    kind: spanKindOf(kind),
    startNs,
    endNs,
    durationNs: durationOf(startNs, endNs),
    status: statusMessage !== '' ? { code: statusCodeOf(statusCode), message: statusMessage } : { code: statusCodeOf(statusCode) },
    attributes,
    events,
    links,
    resource,
    scope,
  };
  if (parentSpanId !== '' && !isZeroSpanId(parentSpanId)) span.parentSpanId = parentSpanId;
  if (traceState !== '') span.traceState = traceState;
  if (flags !== 0) span.flags = flags;
  if (droppedAttributesCount > 0) span.droppedAttributesCount = droppedAttributesCount;
  if (droppedEventsCount > 0) span.droppedEventsCount = droppedEventsCount;
  if (droppedLinksCount > 0) span.droppedLinksCount = droppedLinksCount;
  out.push(normalizeSpan(span));
}

/** ExportTraceServiceRequest → spans. Malformed ids reject single spans; broken framing rejects the request. */
export function decodeOtlpProtoTraces(buf: Uint8Array): OtlpDecodeResult<Span> {
  return guarded('ExportTraceServiceRequest', () => {
    const spans: Span[] = [];
    const rej = new Rejections();
    walkEnvelope(buf, (r, end, resource, scope) => readSpan(r, end, resource, scope, spans, rej));
    return finish(spans, rej);
  });
}

// ---------- metrics ----------

interface MetricHead {
  name: string;
  description?: string;
  unit?: string;
}

function temporalityOf(n: number): Temporality {
  return n === 1 ? 'delta' : n === 2 ? 'cumulative' : 'unspecified';
}

function readBuckets(r: ProtoReader, end: number): ExponentialBuckets {
  const b: ExponentialBuckets = { offset: 0, bucketCounts: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 0)) b.offset = r.sint32();
    else if (tag === ((2 << 3) | 2)) { const e = r.delimitedEnd(); while (r.pos < e) b.bucketCounts.push(r.uint64Number()); }
    else if (tag === ((2 << 3) | 0)) b.bucketCounts.push(r.uint64Number());
    else r.skip(tag & 7);
  }
  return b;
}

function readPackedDoubles(r: ProtoReader, into: number[]): void {
  const e = r.delimitedEnd();
  while (r.pos < e) into.push(r.double());
}

function readPackedFixed64(r: ProtoReader, into: number[]): void {
  const e = r.delimitedEnd();
  while (r.pos < e) into.push(r.fixed64Number());
}

/** One data point of any metric type. Field numbers differ per point message, so `type` selects. */
function readPoint(r: ProtoReader, end: number, type: MetricType, base: MetricPoint): MetricPoint {
  const p: MetricPoint = { ...base, attributes: {} };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 2 && wt === 1) { const s = r.fixed64(); if (s !== 0n) p.startNs = s; continue; }
    if (field === 3 && wt === 1) { p.timeNs = r.fixed64(); continue; }
    if (type === 'gauge' || type === 'sum') {
      if (field === 7 && wt === 2) readKeyValue(r, r.delimitedEnd(), p.attributes);
      else if (field === 4 && wt === 1) p.value = r.double();
      else if (field === 6 && wt === 1) p.value = Number(r.sfixed64());
      else if (field === 8 && wt === 0) { const f = r.uint32(); if (f) p.flags = f; }
      else r.skip(wt);
    } else if (type === 'histogram') {
      if (field === 9 && wt === 2) readKeyValue(r, r.delimitedEnd(), p.attributes);
      else if (field === 4 && wt === 1) p.count = r.fixed64Number();
      else if (field === 5 && wt === 1) p.sum = r.double();
      else if (field === 6 && wt === 2) readPackedFixed64(r, (p.bucketCounts ??= []));
      else if (field === 6 && wt === 1) (p.bucketCounts ??= []).push(r.fixed64Number());
      else if (field === 7 && wt === 2) readPackedDoubles(r, (p.explicitBounds ??= []));
      else if (field === 7 && wt === 1) (p.explicitBounds ??= []).push(r.double());
      else if (field === 10 && wt === 0) { const f = r.uint32(); if (f) p.flags = f; }
      else if (field === 11 && wt === 1) p.min = r.double();
      else if (field === 12 && wt === 1) p.max = r.double();
      else r.skip(wt);
    } else if (type === 'exponential_histogram') {
      if (field === 1 && wt === 2) readKeyValue(r, r.delimitedEnd(), p.attributes);
      else if (field === 4 && wt === 1) p.count = r.fixed64Number();
      else if (field === 5 && wt === 1) p.sum = r.double();
      else if (field === 6 && wt === 0) p.scale = r.sint32();
      else if (field === 7 && wt === 1) p.zeroCount = r.fixed64Number();
      else if (field === 8 && wt === 2) p.positive = readBuckets(r, r.delimitedEnd());
      else if (field === 9 && wt === 2) p.negative = readBuckets(r, r.delimitedEnd());
      else if (field === 10 && wt === 0) { const f = r.uint32(); if (f) p.flags = f; }
      else if (field === 12 && wt === 1) p.min = r.double();
      else if (field === 13 && wt === 1) p.max = r.double();
      else if (field === 14 && wt === 1) p.zeroThreshold = r.double();
      else r.skip(wt);
    } else {
      if (field === 7 && wt === 2) readKeyValue(r, r.delimitedEnd(), p.attributes);
      else if (field === 4 && wt === 1) p.count = r.fixed64Number();
      else if (field === 5 && wt === 1) p.sum = r.double();
      else if (field === 6 && wt === 2) {
        const e = r.delimitedEnd();
        const q = { quantile: 0, value: 0 };
        while (r.pos < e) {
          const t = r.uint32();
          if (t === ((1 << 3) | 1)) q.quantile = r.double();
          else if (t === ((2 << 3) | 1)) q.value = r.double();
          else r.skip(t & 7);
        }
        (p.quantiles ??= []).push(q);
      } else if (field === 8 && wt === 0) { const f = r.uint32(); if (f) p.flags = f; }
      else r.skip(wt);
    }
  }
  if (r.pos !== end) throw new WireError('data point overruns its length');
  return p;
}

const METRIC_TYPES: Record<number, MetricType> = { 5: 'gauge', 7: 'sum', 9: 'histogram', 10: 'exponential_histogram', 11: 'summary' };

function readMetric(r: ProtoReader, end: number, resource: Resource, scope: InstrumentationScope, out: MetricPoint[], rej: Rejections): void {
  const head: MetricHead = { name: '' };
  let dataStart = -1;
  let dataEnd = -1;
  let type: MetricType | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (tag === ((1 << 3) | 2)) head.name = r.string();
    else if (tag === ((2 << 3) | 2)) { const v = r.string(); if (v !== '') head.description = v; }
    else if (tag === ((3 << 3) | 2)) { const v = r.string(); if (v !== '') head.unit = v; }
    else if ((tag & 7) === 2 && METRIC_TYPES[field] !== undefined) {
      type = METRIC_TYPES[field];
      dataEnd = r.delimitedEnd();
      dataStart = r.pos;
      r.pos = dataEnd;
    } else r.skip(tag & 7);
  }
  if (type === undefined) {
    rej.add(`metric ${JSON.stringify(head.name)} has no data`);
    return;
  }
  // The data message: 1 data_points, 2 aggregation_temporality, 3 is_monotonic (sum only).
  let temporality = 0;
  let monotonic = false;
  const points: number[] = [];
  r.pos = dataStart;
  while (r.pos < dataEnd) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 2)) { const e = r.delimitedEnd(); points.push(r.pos, e); r.pos = e; }
    else if (tag === ((2 << 3) | 0)) temporality = r.uint32();
    else if (tag === ((3 << 3) | 0)) monotonic = r.bool();
    else r.skip(tag & 7);
  }
  const base: MetricPoint = { resource, scope, name: head.name, type, attributes: {}, timeNs: 0n };
  if (head.description !== undefined) base.description = head.description;
  if (head.unit !== undefined) base.unit = head.unit;
  if (type === 'sum' || type === 'histogram' || type === 'exponential_histogram') base.temporality = temporalityOf(temporality);
  if (type === 'sum') base.monotonic = monotonic;
  for (let i = 0; i < points.length; i += 2) {
    r.pos = points[i];
    out.push(readPoint(r, points[i + 1], type, base));
  }
  r.pos = end;
}

export function decodeOtlpProtoMetrics(buf: Uint8Array): OtlpDecodeResult<MetricPoint> {
  return guarded('ExportMetricsServiceRequest', () => {
    const points: MetricPoint[] = [];
    const rej = new Rejections();
    walkEnvelope(buf, (r, end, resource, scope) => readMetric(r, end, resource, scope, points, rej));
    return finish(points, rej);
  });
}

// ---------- logs ----------

function readLog(r: ProtoReader, end: number, resource: Resource, scope: InstrumentationScope, out: LogRecord[], rej: Rejections): void {
  const log: LogRecord = { resource, scope, timeNs: 0n, attributes: {} };
  let traceId = '';
  let spanId = '';
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case (1 << 3) | 1: log.timeNs = r.fixed64(); break;
      case (11 << 3) | 1: { const t = r.fixed64(); if (t !== 0n) log.observedTimeNs = t; break; }
      case (2 << 3) | 0: { const n = r.uint32(); if (n) log.severityNumber = n; break; }
      case (3 << 3) | 2: { const s = r.string(); if (s !== '') log.severityText = s; break; }
      case (5 << 3) | 2: log.body = readAnyValue(r, r.delimitedEnd()); break;
      case (6 << 3) | 2: readKeyValue(r, r.delimitedEnd(), log.attributes); break;
      case (7 << 3) | 0: { const d = r.uint32(); if (d) log.droppedAttributesCount = d; break; }
      case (8 << 3) | 5: { const f = r.fixed32(); if (f) log.flags = f; break; }
      case (9 << 3) | 2: traceId = r.hex(); break;
      case (10 << 3) | 2: spanId = r.hex(); break;
      case (12 << 3) | 2: { const s = r.string(); if (s !== '') log.eventName = s; break; }
      default: r.skip(tag & 7);
    }
  }
  if (r.pos !== end) throw new WireError('log record overruns its length');
  // Ids are optional on logs; present but malformed ones make the correlation a lie, so reject.
  const problem =
    (traceId !== '' ? badId('trace', traceId, true) : undefined) ??
    (spanId !== '' ? badId('span', spanId, true) : undefined);
  if (problem !== undefined) {
    rej.add(problem);
    return;
  }
  if (traceId !== '') log.traceId = traceId;
  if (spanId !== '') log.spanId = spanId;
  if (log.timeNs === 0n && log.observedTimeNs !== undefined) log.timeNs = log.observedTimeNs;
  out.push(log);
}

export function decodeOtlpProtoLogs(buf: Uint8Array): OtlpDecodeResult<LogRecord> {
  return guarded('ExportLogsServiceRequest', () => {
    const logs: LogRecord[] = [];
    const rej = new Rejections();
    walkEnvelope(buf, (r, end, resource, scope) => readLog(r, end, resource, scope, logs, rej));
    return finish(logs, rej);
  });
}

// ---------- responses ----------

/**
 * Export{Trace,Metrics,Logs}ServiceResponse. All three share the layout
 * `1 partial_success { 1 rejected_<items> int64; 2 error_message string }`; partial_success is
 * left unset on full success, as the spec asks.
 */
export function encodeExportResponse(rejected: number, errorMessage?: string): Uint8Array {
  if (rejected === 0 && !errorMessage) return new Uint8Array(0);
  const partial = new ProtoWriter();
  if (rejected > 0) partial.uint(1, rejected);
  if (errorMessage) partial.string(2, errorMessage);
  return new ProtoWriter().bytes(1, partial.finish()).finish();
}

/** google.rpc.Status { 1 code int32; 2 message string; 3 details Any }. */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  const w = new ProtoWriter();
  if (code !== 0) w.uint(1, code);
  if (message) w.string(2, message);
  return w.finish();
}
