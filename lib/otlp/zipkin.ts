// Zipkin v2 JSON (an array of spans, as zipkin-lens downloads and /api/v2/spans accepts) →
// model Spans. Every span passes through normalizeSpan exactly once, like OTLP spans do.
import type { Attributes, DecodeResult, InstrumentationScope, Span, SpanEvent, SpanKind, StatusCode } from '../model/index.ts';
import { normalizeSpan } from '../semconv/index.ts';
import { isFiniteNonNegative, microsToNanos, normalizeHexId, ReasonList, ResourceCache } from './legacy-file-common.ts';

interface ZipkinEndpoint {
  serviceName?: unknown;
  ipv4?: unknown;
  ipv6?: unknown;
  port?: unknown;
}

const KINDS: Readonly<Record<string, SpanKind>> = {
  CLIENT: 'client',
  SERVER: 'server',
  PRODUCER: 'producer',
  CONSUMER: 'consumer',
};

/**
 * Tag names of the Zipkin ecosystem (Brave, Spring Cloud Sleuth) that no OpenTelemetry semantic
 * convention ever had, so lib/semconv's alias table does not know them: only Zipkin data carries them.
 */
const ZIPKIN_TAG_NAMES: Readonly<Record<string, string>> = {
  'http.path': 'url.path',
  'sql.query': 'db.query.text',
};

/** Zipkin has no instrumentation scope unless an OTel exporter wrote one as a tag. */
const NO_SCOPE: InstrumentationScope = { name: '' };

export interface ZipkinDecodeContext {
  /** Shared across calls when a file is decoded in chunks, so resources stay one object each. */
  resources?: ResourceCache;
}

/** True when a value looks like a Zipkin v2 span (used by format detection). */
export function looksLikeZipkinSpan(v: unknown): boolean {
  if (!isRecord(v)) return false;
  return typeof v.traceId === 'string' && typeof v.id === 'string' && !('spanID' in v);
}

/** Decodes a Zipkin v2 span array; unusable spans are counted in `rejected`, never thrown. */
export function decodeZipkinSpans(body: unknown, ctx: ZipkinDecodeContext = {}): DecodeResult<Span> {
  if (!Array.isArray(body)) {
    return { items: [], rejected: 0, errors: ['Zipkin v2 JSON must be an array of spans'] };
  }
  const resources = ctx.resources ?? new ResourceCache();
  const reasons = new ReasonList();
  const items: Span[] = [];
  let rejected = 0;
  const traceStarts = earliestTimestampPerTrace(body);
  for (let i = 0; i < body.length; i++) {
    const result = decodeOne(body[i], i, resources, traceStarts);
    if (typeof result === 'string') {
      rejected++;
      reasons.add(result);
    } else {
      items.push(result);
    }
  }
  return { items, rejected, errors: reasons.reasons };
}

function decodeOne(raw: unknown, index: number, resources: ResourceCache, traceStarts: Map<string, number>): Span | string {
  if (!isRecord(raw)) return `span ${index}: not an object`;
  const traceId = normalizeHexId(raw.traceId, 32);
  if (!traceId) return `span ${index}: invalid traceId ${JSON.stringify(raw.traceId)} (expected 16 or 32 hex digits, not all zero)`;
  const spanId = normalizeHexId(raw.id, 16);
  if (!spanId) return `span ${index}: invalid id ${JSON.stringify(raw.id)} (expected 16 hex digits, not all zero)`;
  let parentSpanId: string | undefined;
  if (raw.parentId !== undefined && raw.parentId !== null && raw.parentId !== '') {
    parentSpanId = normalizeHexId(raw.parentId, 16);
    if (!parentSpanId) return `span ${index}: invalid parentId ${JSON.stringify(raw.parentId)}`;
  }

  const kind: SpanKind = typeof raw.kind === 'string' ? (KINDS[raw.kind.toUpperCase()] ?? 'unspecified') : 'unspecified';
  const events = decodeAnnotations(raw.annotations);

  // Zipkin allows a span without timestamp or duration (late or incomplete reports). We keep it:
  // a missing timestamp is taken from its earliest annotation, else from the earliest span of
  // the same trace decoded with it (files are decoded in chunks of a few thousand spans), so it
  // sits inside its trace rather than at 1970; a missing duration ends the span at its last
  // annotation, else gives it zero length. Only a span with no time at all
  // anywhere is rejected, because placing it at the epoch would corrupt every time window.
  let startUs: number | undefined = isFiniteNonNegative(raw.timestamp) && raw.timestamp > 0 ? raw.timestamp : undefined;
  const annotationTimes = events.map((e) => Number(e.timeNs / 1000n));
  if (startUs === undefined && annotationTimes.length > 0) startUs = Math.min(...annotationTimes);
  if (startUs === undefined) startUs = traceStarts.get(traceId);
  if (startUs === undefined) return `span ${index}: no timestamp, no annotations and no other span of its trace to place it by`;
  let durationUs: number;
  if (isFiniteNonNegative(raw.duration)) {
    durationUs = raw.duration;
  } else {
    const lastAnnotation = annotationTimes.length > 0 ? Math.max(...annotationTimes) : startUs;
    durationUs = Math.max(0, lastAnnotation - startUs);
  }
  const startNs = microsToNanos(startUs);
  const durationNs = Math.round(durationUs) * 1000;

  const attributes: Attributes = {};
  let statusCode: StatusCode = 'unset';
  let statusMessage: string | undefined;
  let scope = NO_SCOPE;
  let scopeName: string | undefined;
  let scopeVersion: string | undefined;
  if (isRecord(raw.tags)) {
    for (const [key, value] of Object.entries(raw.tags)) {
      const text = typeof value === 'string' ? value : value === null || value === undefined ? '' : String(value);
      switch (key) {
        // Zipkin marks a failed span with an `error` tag whose value is the message (may be empty).
        case 'error':
          statusCode = 'error';
          if (text !== '' && text !== 'true') statusMessage = text;
          break;
        // What OpenTelemetry's Zipkin exporter writes for the span status and scope.
        case 'otel.status_code':
          if (text.toUpperCase() === 'ERROR') statusCode = 'error';
          else if (text.toUpperCase() === 'OK' && statusCode !== 'error') statusCode = 'ok';
          break;
        case 'otel.status_description':
          statusMessage ??= text || undefined;
          break;
        case 'otel.scope.name':
        case 'otel.library.name':
          scopeName = text;
          break;
        case 'otel.scope.version':
        case 'otel.library.version':
          scopeVersion = text;
          break;
        default:
          attributes[key] = text;
      }
    }
    for (const [zipkinName, name] of Object.entries(ZIPKIN_TAG_NAMES)) {
      const v = attributes[zipkinName];
      if (v === undefined) continue;
      delete attributes[zipkinName];
      attributes[name] ??= v;
    }
  }
  if (scopeName !== undefined) scope = scopeVersion ? { name: scopeName, version: scopeVersion } : { name: scopeName };

  const local = isRecord(raw.localEndpoint) ? (raw.localEndpoint as ZipkinEndpoint) : undefined;
  const serviceName = typeof local?.serviceName === 'string' ? local.serviceName : undefined;

  const span: Span = {
    traceId,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    name: typeof raw.name === 'string' ? raw.name : '',
    kind,
    startNs,
    endNs: startNs + BigInt(durationNs),
    durationNs,
    status: statusMessage !== undefined && statusCode === 'error' ? { code: statusCode, message: statusMessage } : { code: statusCode },
    attributes,
    events,
    links: [],
    resource: resources.get(serviceName),
    scope,
    ...(raw.shared === true ? { shared: true } : {}),
  };
  const normalized = normalizeSpan(span);
  addEndpointAttributes(normalized, local, isRecord(raw.remoteEndpoint) ? (raw.remoteEndpoint as ZipkinEndpoint) : undefined);
  return normalized;
}

/**
 * Endpoint fields become semantic-convention attributes, after normalization so they never
 * override what the instrumentation's own tags said (a host name beats an IP literal).
 * The remote end of a client/producer span is the server; of a server/consumer span, the caller.
 */
function addEndpointAttributes(span: Span, local: ZipkinEndpoint | undefined, remote: ZipkinEndpoint | undefined): void {
  const attrs = span.attributes;
  const setIfAbsent = (key: string, v: string | number | undefined) => {
    if (v !== undefined && v !== '' && attrs[key] === undefined) attrs[key] = v;
  };
  if (remote) {
    if (typeof remote.serviceName === 'string') setIfAbsent('service.peer.name', remote.serviceName);
    const address = endpointAddress(remote);
    const port = endpointPort(remote);
    if (span.kind === 'client' || span.kind === 'producer') {
      setIfAbsent('server.address', address);
      setIfAbsent('server.port', port);
    } else if (span.kind === 'server' || span.kind === 'consumer') {
      setIfAbsent('client.address', address);
      setIfAbsent('client.port', port);
    } else {
      setIfAbsent('network.peer.address', address);
      setIfAbsent('network.peer.port', port);
    }
  }
  if (local) {
    setIfAbsent('network.local.address', endpointAddress(local));
    setIfAbsent('network.local.port', endpointPort(local));
  }
}

function endpointAddress(e: ZipkinEndpoint): string | undefined {
  if (typeof e.ipv4 === 'string' && e.ipv4 !== '') return e.ipv4;
  if (typeof e.ipv6 === 'string' && e.ipv6 !== '') return e.ipv6;
  return undefined;
}

function endpointPort(e: ZipkinEndpoint): number | undefined {
  return typeof e.port === 'number' && Number.isInteger(e.port) && e.port > 0 && e.port <= 65535 ? e.port : undefined;
}

function decodeAnnotations(raw: unknown): SpanEvent[] {
  if (!Array.isArray(raw)) return [];
  const events: SpanEvent[] = [];
  for (const a of raw) {
    if (!isRecord(a) || !isFiniteNonNegative(a.timestamp)) continue;
    events.push({ timeNs: microsToNanos(a.timestamp), name: typeof a.value === 'string' ? a.value : String(a.value ?? ''), attributes: {} });
  }
  return events;
}

function earliestTimestampPerTrace(spans: unknown[]): Map<string, number> {
  const earliest = new Map<string, number>();
  for (const s of spans) {
    if (!isRecord(s) || !isFiniteNonNegative(s.timestamp) || s.timestamp === 0) continue;
    const id = normalizeHexId(s.traceId, 32);
    if (!id) continue;
    const prev = earliest.get(id);
    if (prev === undefined || s.timestamp < prev) earliest.set(id, s.timestamp);
  }
  return earliest;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
