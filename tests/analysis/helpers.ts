// Terse Span builders for analysis tests. Shared: the findings tests (tests/analysis/findings/**)
// import these too, so keep the signatures stable and additive.
import type { Attributes, Span, SpanKind, StatusCode } from '../../lib/model/index.ts';

export const MS = 1_000_000; // ns per ms
/** A fixed epoch (2026-01-01T00:00:00Z) in ns, so tests never read the clock. */
export const T0 = 1_767_225_600_000n * 1_000_000n;

export interface SpanSpec {
  trace?: string;
  id: string;
  parent?: string;
  service: string;
  name?: string;
  kind?: SpanKind;
  /** ms after T0 */
  start?: number;
  /** duration in ms */
  dur?: number;
  error?: boolean;
  attrs?: Attributes;
  version?: string;
  shared?: boolean;
  links?: { trace?: string; id: string }[];
}

/** Short ids are padded to OTLP widths so tests can say `id: 'a1'`. */
export const tid = (s: string): string => s.padStart(32, '0');
export const sid = (s: string): string => s.padStart(16, '0');

export function span(p: SpanSpec): Span {
  const startNs = T0 + BigInt(Math.round((p.start ?? 0) * MS));
  const durationNs = Math.round((p.dur ?? 1) * MS);
  const status: { code: StatusCode } = { code: p.error ? 'error' : 'unset' };
  const traceId = tid(p.trace ?? 't1');
  return {
    traceId,
    spanId: sid(p.id),
    parentSpanId: p.parent ? sid(p.parent) : undefined,
    name: p.name ?? `${p.kind ?? 'internal'} ${p.id}`,
    kind: p.kind ?? 'internal',
    startNs,
    endNs: startNs + BigInt(durationNs),
    durationNs,
    status,
    attributes: p.attrs ?? {},
    events: [],
    links: (p.links ?? []).map((l) => ({ traceId: tid(l.trace ?? p.trace ?? 't1'), spanId: sid(l.id), attributes: {} })),
    resource: {
      serviceName: p.service,
      serviceVersion: p.version,
      attributes: { 'service.name': p.service, ...(p.version ? { 'service.version': p.version } : {}) },
    },
    scope: { name: 'test' },
    shared: p.shared,
  };
}

/** Spans of one trace: every spec inherits `trace` unless it sets its own. */
export function trace(traceName: string, specs: SpanSpec[]): Span[] {
  return specs.map((s) => span({ trace: traceName, ...s }));
}

/**
 * A synchronous call A→B as the OTel SDK records it: CLIENT span in A, SERVER child in B.
 * Returns [client, server]; the server's id is `${id}s`.
 */
export function call(p: {
  trace?: string;
  id: string;
  parent?: string;
  from: string;
  to: string;
  name?: string;
  start?: number;
  dur?: number;
  error?: boolean;
  clientAttrs?: Attributes;
  serverAttrs?: Attributes;
}): [Span, Span] {
  const start = p.start ?? 0;
  const dur = p.dur ?? 10;
  return [
    span({ trace: p.trace, id: p.id, parent: p.parent, service: p.from, kind: 'client', name: p.name ?? 'GET', start, dur, error: p.error, attrs: p.clientAttrs }),
    span({ trace: p.trace, id: `${p.id}s`, parent: p.id, service: p.to, kind: 'server', name: p.name ?? 'GET /', start: start + 0.5, dur: Math.max(0, dur - 1), error: p.error, attrs: p.serverAttrs }),
  ];
}
