// Small span rows for the pure waterfall tests, built from a compact tree description.
import type { TraceSpanJson } from '../../../lib/query/types.ts';

export interface TreeSpec {
  id: string;
  service?: string;
  name?: string;
  start: number;
  dur: number;
  error?: boolean;
  critical?: boolean;
  kind?: TraceSpanJson['kind'];
  attrs?: TraceSpanJson['attributes'];
  children?: TreeSpec[];
}

/** Pre-order rows with parentIndex and depth, the shape /api/v1/traces/{id} sends. */
export function rowsOf(...roots: TreeSpec[]): TraceSpanJson[] {
  const out: TraceSpanJson[] = [];
  const visit = (t: TreeSpec, parentIndex: number, depth: number) => {
    const i = out.length;
    out.push({
      spanId: t.id.padStart(16, '0'),
      parentSpanId: parentIndex >= 0 ? out[parentIndex].spanId : undefined,
      parentIndex,
      depth,
      service: t.service ?? 'svc',
      name: t.name ?? `op-${t.id}`,
      kind: t.kind ?? 'internal',
      spanKind: t.kind ?? 'internal',
      startNs: String(t.start * 1e6),
      endNs: String((t.start + t.dur) * 1e6),
      offsetMs: t.start,
      durationMs: t.dur,
      selfTimeMs: t.dur,
      status: { code: t.error ? 'error' : 'unset' },
      onCriticalPath: t.critical ?? false,
      attributes: t.attrs ?? {},
      events: [],
      links: [],
      resource: { serviceName: t.service ?? 'svc', attributes: {} },
      scope: { name: 'test' },
    });
    for (const c of t.children ?? []) visit(c, i, depth + 1);
  };
  for (const r of roots) visit(r, -1, 0);
  return out;
}
