// Jaeger JSON (what the Jaeger UI's "Download JSON" and the query service's /api/traces return:
// `{data: [trace…]}`, or one bare `{traceID, spans, processes}` trace) → model Spans.
// Every span passes through normalizeSpan exactly once, like OTLP spans do.
import type {
  Attributes,
  AttributeValue,
  DecodeResult,
  InstrumentationScope,
  Span,
  SpanEvent,
  SpanKind,
  SpanLink,
  StatusCode,
} from '../model/index.ts';
import { normalizeSpan } from '../semconv/index.ts';
import { isFiniteNonNegative, microsToNanos, normalizeHexId, ReasonList, ResourceCache } from './legacy-file-common.ts';
import type { Resource } from '../model/index.ts';

const KINDS: Readonly<Record<string, SpanKind>> = {
  client: 'client',
  server: 'server',
  producer: 'producer',
  consumer: 'consumer',
  internal: 'internal',
};

const NO_SCOPE: InstrumentationScope = { name: '' };

export interface JaegerDecodeContext {
  /** Shared across calls when a file is decoded trace by trace, so resources stay one object each. */
  resources?: ResourceCache;
}

/** True for one Jaeger trace object (`traceID` + `spans`), as found in `data[]`. */
export function looksLikeJaegerTrace(v: unknown): boolean {
  return isRecord(v) && Array.isArray(v.spans) && (typeof v.traceID === 'string' || isRecord(v.processes));
}

/** Decodes `{data: [trace…]}`, one bare trace, or an array of traces. */
export function decodeJaegerJson(body: unknown, ctx: JaegerDecodeContext = {}): DecodeResult<Span> {
  const resources = ctx.resources ?? new ResourceCache();
  const traces: unknown[] | undefined = Array.isArray(body)
    ? body
    : isRecord(body) && Array.isArray(body.data)
      ? body.data
      : looksLikeJaegerTrace(body)
        ? [body]
        : undefined;
  if (!traces) {
    return { items: [], rejected: 0, errors: ['Jaeger JSON must be {data: [trace…]} or a {traceID, spans, processes} trace'] };
  }
  const items: Span[] = [];
  const reasons = new ReasonList();
  let rejected = 0;
  for (const trace of traces) {
    const r = decodeJaegerTrace(trace, { resources });
    for (const s of r.items) items.push(s);
    rejected += r.rejected;
    for (const e of r.errors) reasons.add(e);
  }
  return { items, rejected, errors: reasons.reasons };
}

/** Decodes one trace of `data[]`: its spans, resolved against its own `processes` map. */
export function decodeJaegerTrace(trace: unknown, ctx: JaegerDecodeContext = {}): DecodeResult<Span> {
  const resources = ctx.resources ?? new ResourceCache();
  if (!isRecord(trace) || !Array.isArray(trace.spans)) {
    return { items: [], rejected: 0, errors: ['a Jaeger trace needs a spans array'] };
  }
  const processes = new Map<string, Resource>();
  if (isRecord(trace.processes)) {
    for (const [id, p] of Object.entries(trace.processes)) {
      if (isRecord(p)) processes.set(id, processResource(p, resources));
    }
  }
  const items: Span[] = [];
  const reasons = new ReasonList();
  let rejected = 0;
  for (let i = 0; i < trace.spans.length; i++) {
    const r = decodeSpan(trace.spans[i], i, processes, resources);
    if (typeof r === 'string') {
      rejected++;
      reasons.add(r);
    } else {
      items.push(r);
    }
  }
  return { items, rejected, errors: reasons.reasons };
}

function processResource(p: Record<string, unknown>, resources: ResourceCache): Resource {
  const attrs = tagsToAttributes(p.tags);
  return resources.get(typeof p.serviceName === 'string' ? p.serviceName : undefined, attrs);
}

function decodeSpan(raw: unknown, index: number, processes: Map<string, Resource>, resources: ResourceCache): Span | string {
  if (!isRecord(raw)) return `span ${index}: not an object`;
  const traceId = normalizeHexId(raw.traceID, 32);
  if (!traceId) return `span ${index}: invalid traceID ${JSON.stringify(raw.traceID)} (expected up to 32 hex digits, not all zero)`;
  const spanId = normalizeHexId(raw.spanID, 16);
  if (!spanId) return `span ${index}: invalid spanID ${JSON.stringify(raw.spanID)} (expected up to 16 hex digits, not all zero)`;
  if (!isFiniteNonNegative(raw.startTime)) return `span ${spanId}: missing or invalid startTime (µs)`;
  const durationUs = isFiniteNonNegative(raw.duration) ? raw.duration : 0;

  const refs = Array.isArray(raw.references) ? raw.references.filter(isRecord) : [];
  let parentSpanId: string | undefined;
  const links: SpanLink[] = [];
  // The first CHILD_OF in the same trace is the parent (further ones become links). FOLLOWS_FROM
  // is a link; when a span has no CHILD_OF we also take its first FOLLOWS_FROM as the parent,
  // as the Jaeger UI draws it, so the trace tree stays connected.
  let followsFromParent: string | undefined;
  for (const ref of refs) {
    const refTrace = normalizeHexId(ref.traceID, 32);
    const refSpan = normalizeHexId(ref.spanID, 16);
    if (!refTrace || !refSpan) continue;
    const type = typeof ref.refType === 'string' ? ref.refType.toUpperCase() : 'CHILD_OF';
    if (type === 'CHILD_OF' && refTrace === traceId && parentSpanId === undefined) {
      parentSpanId = refSpan;
      continue;
    }
    if (type === 'FOLLOWS_FROM' && refTrace === traceId) followsFromParent ??= refSpan;
    links.push({ traceId: refTrace, spanId: refSpan, attributes: { 'opentracing.ref_type': type === 'FOLLOWS_FROM' ? 'follows_from' : 'child_of' } });
  }
  // Some exports carry a plain parentSpanID field instead of (or beside) references.
  if (parentSpanId === undefined && typeof raw.parentSpanID === 'string') parentSpanId = normalizeHexId(raw.parentSpanID, 16);
  parentSpanId ??= followsFromParent;

  let kind: SpanKind = 'unspecified';
  let statusCode: StatusCode = 'unset';
  let statusMessage: string | undefined;
  let scopeName: string | undefined;
  let scopeVersion: string | undefined;
  let traceState: string | undefined;
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(tagsToAttributes(raw.tags))) {
    switch (key) {
      case 'span.kind':
        kind = typeof value === 'string' ? (KINDS[value.toLowerCase()] ?? 'unspecified') : 'unspecified';
        break;
      case 'error':
        if (value === true || value === 'true') statusCode = 'error';
        break;
      case 'otel.status_code':
        if (String(value).toUpperCase() === 'ERROR') statusCode = 'error';
        else if (String(value).toUpperCase() === 'OK' && statusCode !== 'error') statusCode = 'ok';
        break;
      case 'otel.status_description':
        statusMessage = String(value);
        break;
      case 'otel.scope.name':
      case 'otel.library.name':
        scopeName = String(value);
        break;
      case 'otel.scope.version':
      case 'otel.library.version':
        scopeVersion = String(value);
        break;
      case 'w3c.tracestate':
        traceState = String(value);
        break;
      // Jaeger's own marker of the span's original wire format; not an attribute of the span.
      case 'internal.span.format':
        break;
      default:
        attributes[key] = value;
    }
  }

  const startNs = microsToNanos(raw.startTime);
  const durationNs = Math.round(durationUs) * 1000;
  const embedded = isRecord(raw.process) ? processResource(raw.process, resources) : undefined;
  const resource = (typeof raw.processID === 'string' ? processes.get(raw.processID) : undefined) ?? embedded ?? resources.get(undefined);
  const span: Span = {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    ...(traceState ? { traceState } : {}),
    ...(typeof raw.flags === 'number' && Number.isInteger(raw.flags) ? { flags: raw.flags } : {}),
    name: typeof raw.operationName === 'string' ? raw.operationName : '',
    kind,
    startNs,
    endNs: startNs + BigInt(durationNs),
    durationNs,
    status: statusCode === 'error' && statusMessage ? { code: statusCode, message: statusMessage } : { code: statusCode },
    attributes,
    events: decodeLogs(raw.logs),
    links,
    resource,
    scope: scopeName !== undefined ? { name: scopeName, ...(scopeVersion ? { version: scopeVersion } : {}) } : NO_SCOPE,
  };
  return normalizeSpan(span);
}

function decodeLogs(raw: unknown): SpanEvent[] {
  if (!Array.isArray(raw)) return [];
  const events: SpanEvent[] = [];
  for (const log of raw) {
    if (!isRecord(log) || !isFiniteNonNegative(log.timestamp)) continue;
    const fields = tagsToAttributes(log.fields);
    // OpenTracing names a log by its `event` field; OTel's Jaeger exporter writes the event name there.
    const name = typeof fields.event === 'string' ? fields.event : 'log';
    if (typeof fields.event === 'string') delete fields.event;
    events.push({ timeNs: microsToNanos(log.timestamp), name, attributes: fields });
  }
  return events;
}

/** Jaeger's typed key/value list → attributes, by the declared type (string, bool, int64, float64, binary). */
function tagsToAttributes(raw: unknown): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(raw)) return out;
  for (const tag of raw) {
    if (!isRecord(tag) || typeof tag.key !== 'string') continue;
    out[tag.key] = tagValue(tag.type, tag.value);
  }
  return out;
}

function tagValue(type: unknown, v: unknown): AttributeValue {
  switch (typeof type === 'string' ? type.toLowerCase() : '') {
    case 'bool':
      return v === true || v === 'true';
    case 'int64': {
      if (typeof v === 'number') return Math.trunc(v);
      if (typeof v === 'string' && /^-?\d+$/.test(v)) {
        const n = Number(v);
        return Number.isSafeInteger(n) ? n : BigInt(v);
      }
      return v === undefined ? null : String(v);
    }
    case 'float64':
      return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : String(v);
    case 'binary':
      return typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'base64')) : null;
    default:
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
      return v === undefined || v === null ? null : JSON.stringify(v);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
