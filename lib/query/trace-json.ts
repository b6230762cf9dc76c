// One trace → the waterfall JSON (tree order, depth, critical path, chain depth), via
// lib/analysis/trace. Span values become JSON-safe here: bigint → number when exact, else string;
// bytes → hex.
import type { AttributeValue, Attributes, Span } from '../model/index.ts';
import { analyzeTrace } from '../analysis/trace/analyze.ts';
import { buildTraceTree } from '../analysis/trace/tree.ts';
import type { JsonAttributeValue, TraceResponse, TraceSpanJson, TraceSummaryJson } from './types.ts';
import type { TraceSummary } from '../store/types.ts';

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const nsToMs = (ns: bigint): number => Number(ns) / 1e6;

export function jsonValue(v: AttributeValue): JsonAttributeValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  if (Array.isArray(v)) return v.map(jsonValue);
  const out: Record<string, JsonAttributeValue> = {};
  for (const [k, x] of Object.entries(v)) out[k] = jsonValue(x);
  return out;
}

export function jsonAttributes(a: Attributes): Record<string, JsonAttributeValue> {
  const out: Record<string, JsonAttributeValue> = {};
  for (const [k, v] of Object.entries(a)) out[k] = jsonValue(v);
  return out;
}

export function traceResponse(spans: Span[]): TraceResponse {
  const tree = buildTraceTree(spans);
  const a = analyzeTrace(tree);
  const t0 = a.startNs;
  const rows: TraceSpanJson[] = tree.nodes.map((n, i) => {
    const s = n.span;
    const o = a.order[i];
    const row: TraceSpanJson = {
      spanId: s.spanId,
      parentIndex: o.parentIndex,
      depth: o.depth,
      service: n.service,
      name: s.name,
      kind: n.kind,
      spanKind: s.kind,
      startNs: s.startNs.toString(),
      endNs: s.endNs.toString(),
      offsetMs: round3(nsToMs(s.startNs - t0)),
      durationMs: round3(s.durationNs / 1e6),
      selfTimeMs: round3(n.selfTimeNs / 1e6),
      status: s.status.message ? { code: s.status.code, message: s.status.message } : { code: s.status.code },
      onCriticalPath: o.onCriticalPath,
      attributes: jsonAttributes(s.attributes),
      events: s.events.map((e) => ({ timeNs: e.timeNs.toString(), offsetMs: round3(nsToMs(e.timeNs - t0)), name: e.name, attributes: jsonAttributes(e.attributes) })),
      links: s.links.map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: jsonAttributes(l.attributes) })),
      resource: {
        serviceName: s.resource.serviceName,
        ...(s.resource.serviceNamespace !== undefined ? { serviceNamespace: s.resource.serviceNamespace } : {}),
        ...(s.resource.serviceVersion !== undefined ? { serviceVersion: s.resource.serviceVersion } : {}),
        ...(s.resource.serviceInstanceId !== undefined ? { serviceInstanceId: s.resource.serviceInstanceId } : {}),
        attributes: jsonAttributes(s.resource.attributes),
      },
      scope: s.scope.version !== undefined ? { name: s.scope.name, version: s.scope.version } : { name: s.scope.name },
    };
    if (s.parentSpanId) row.parentSpanId = s.parentSpanId;
    if (s.shared) row.shared = true;
    return row;
  });
  return {
    traceId: a.traceId,
    startNs: a.startNs.toString(),
    endNs: a.endNs.toString(),
    startMs: round3(nsToMs(a.startNs)),
    durationMs: round3(a.durationNs / 1e6),
    spanCount: a.spanCount,
    errorCount: a.errorCount,
    services: a.services,
    rootService: a.rootService,
    rootName: a.rootName,
    spans: rows,
    criticalPath: a.criticalPath.map((c) => c.spanId),
    criticalPathByService: a.criticalPathByService.map((c) => ({ service: c.service, durationMs: round3(c.durationNs / 1e6) })),
    chainDepth: a.chain.depth,
    chainServices: a.chain.services,
    orphans: a.orphans,
    duplicates: a.duplicates,
  };
}

export function traceSummaryJson(t: TraceSummary): TraceSummaryJson {
  return {
    traceId: t.traceId,
    rootService: t.rootService,
    rootName: t.rootName,
    startMs: round3(nsToMs(t.startNs)),
    startNs: t.startNs.toString(),
    durationMs: round3(t.durationNs / 1e6),
    spanCount: t.spanCount,
    errorCount: t.errorCount,
    services: t.services,
  };
}
