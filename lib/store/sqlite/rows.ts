// Stored rows → model objects.
import type { LogRecord, MetricPoint, Span, SpanKind, StatusCode } from '../../model/index.ts';
import { SPAN_KINDS, STATUS_CODES } from '../../model/index.ts';
import { readLogPayload, readPointPayload } from '../codec/point-payload.ts';
import { readSpanPayload } from '../codec/span-payload.ts';
import type { Dictionary } from './dictionary.ts';

export const KIND_NUMBER: Record<SpanKind, number> = {
  unspecified: 0,
  internal: 1,
  server: 2,
  client: 3,
  producer: 4,
  consumer: 5,
};

export const STATUS_NUMBER: Record<StatusCode, number> = { unset: 0, ok: 1, error: 2 };

/** A span row read with safeIntegers (every integer column is a bigint). */
export interface SpanRow {
  seq: bigint;
  trace_id?: Buffer;
  span_id: Buffer;
  kind: bigint;
  parent_id: Buffer | null;
  start_ns: bigint;
  duration_ns: bigint;
  service_id: bigint;
  operation_id: bigint;
  resource_id: bigint;
  scope_id: bigint;
  status: bigint;
  payload: Buffer;
}

export function spanFromRow(row: SpanRow, traceId: string, dict: Dictionary): Span {
  const d = row.duration_ns;
  const span: Span = {
    traceId,
    spanId: row.span_id.toString('hex'),
    name: dict.operationName(Number(row.operation_id)),
    kind: SPAN_KINDS[Number(row.kind)] ?? 'unspecified',
    startNs: row.start_ns,
    endNs: row.start_ns + d,
    durationNs: d < 0n ? 0 : Number(d),
    status: { code: STATUS_CODES[Number(row.status)] ?? 'unset' },
    attributes: {},
    events: [],
    links: [],
    resource: dict.resourceById(Number(row.resource_id)),
    scope: dict.scopeById(Number(row.scope_id)),
  };
  if (row.parent_id) span.parentSpanId = row.parent_id.toString('hex');
  readSpanPayload(row.payload, span, dict);
  return span;
}

export interface PointRow {
  seq: bigint;
  descriptor_id: bigint;
  resource_id: bigint;
  scope_id: bigint;
  start_ns: bigint | null;
  time_ns: bigint;
  payload: Buffer;
}

export function pointFromRow(row: PointRow, dict: Dictionary): MetricPoint {
  const d = dict.descriptorById(Number(row.descriptor_id));
  const p: MetricPoint = {
    resource: dict.resourceById(Number(row.resource_id)),
    scope: dict.scopeById(Number(row.scope_id)),
    name: d.name,
    type: d.type,
    attributes: {},
    timeNs: row.time_ns,
  };
  if (d.description !== undefined) p.description = d.description;
  if (d.unit !== undefined) p.unit = d.unit;
  if (d.temporality !== undefined) p.temporality = d.temporality;
  if (d.monotonic !== undefined) p.monotonic = d.monotonic;
  if (row.start_ns !== null) p.startNs = row.start_ns;
  readPointPayload(row.payload, p, dict);
  return p;
}

export interface LogRow {
  seq: bigint;
  resource_id: bigint;
  scope_id: bigint;
  time_ns: bigint;
  observed_time_ns: bigint | null;
  severity_number: bigint | null;
  severity_text: string | null;
  trace_id: Buffer | null;
  span_id: Buffer | null;
  payload: Buffer;
}

export function logFromRow(row: LogRow, dict: Dictionary): LogRecord {
  const l: LogRecord = {
    resource: dict.resourceById(Number(row.resource_id)),
    scope: dict.scopeById(Number(row.scope_id)),
    timeNs: row.time_ns,
    attributes: {},
  };
  if (row.observed_time_ns !== null) l.observedTimeNs = row.observed_time_ns;
  if (row.severity_number !== null) l.severityNumber = Number(row.severity_number);
  if (row.severity_text !== null) l.severityText = row.severity_text;
  if (row.trace_id) l.traceId = row.trace_id.toString('hex');
  if (row.span_id) l.spanId = row.span_id.toString('hex');
  readLogPayload(row.payload, l, dict);
  return l;
}
