// RED from OTLP duration histograms, for when spans are sampled (or not sent at all): the SDKs'
// http/rpc server duration metrics count every request. Old instrumentations report ms
// (`http.server.duration`), new ones seconds (`http.server.request.duration`); both land in ms.
import type { AttributeValue, MetricPoint } from '../../model/index.ts';
import { normalizeServiceName } from '../service-name.ts';
import { LatencySketch, round3, round6 } from '../stats/sketch.ts';
import { point } from './accumulator.ts';
import type { RedPoint } from './types.ts';

/** Metric name → unit assumed when the point carries none. */
export const DURATION_METRICS: Readonly<Record<string, 's' | 'ms'>> = {
  'http.server.request.duration': 's',
  'http.server.duration': 'ms',
  'rpc.server.call.duration': 's',
  'rpc.server.duration': 'ms',
  'messaging.process.duration': 's',
};

export interface MetricRedOptions {
  /** Epoch ns, inclusive / exclusive. */
  fromNs?: bigint;
  toNs?: bigint;
  /** Also build per-service series with this step. */
  stepMs?: number;
}

export interface MetricRed {
  service: string;
  /** `GET /orders/{id}` from http.request.method + http.route (rpc: rpc.service/rpc.method); absent on the service row. */
  operation?: string;
  calls: number;
  errors: number;
  errorRate: number;
  ratePerSec: number;
  meanMs: number;
  p50Ms: number;
  p75Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface MetricRedResult {
  services: MetricRed[];
  operations: MetricRed[];
  /** Per service, when stepMs was given. */
  series: Record<string, RedPoint[]>;
  /** Points of a duration metric that could not be used (no buckets, unknown unit, reset without start). */
  skipped: number;
}

function unitFactor(p: MetricPoint): number | undefined {
  const u = (p.unit ?? DURATION_METRICS[p.name] ?? '').trim();
  switch (u) {
    case 's':
      return 1000;
    case 'ms':
      return 1;
    case 'us':
    case 'µs':
      return 0.001;
    case 'ns':
      return 1e-6;
    default:
      return undefined;
  }
}

function attrStr(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;
}

function isErrorPoint(p: MetricPoint): boolean {
  const a = p.attributes;
  if (a['error.type'] !== undefined) return true;
  const code = Number(attrStr(a['http.response.status_code']));
  if (code >= 500) return true;
  const rpc = attrStr(a['rpc.response.status_code']);
  // gRPC server-side errors (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS).
  return rpc !== undefined && ['2', '4', '12', '13', '14', '15', 'UNKNOWN', 'DEADLINE_EXCEEDED', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS'].includes(rpc.toUpperCase());
}

function operationOf(p: MetricPoint): string | undefined {
  const a = p.attributes;
  const route = attrStr(a['http.route']);
  if (route) {
    const m = attrStr(a['http.request.method']);
    return m ? `${m} ${route}` : route;
  }
  const svc = attrStr(a['rpc.service']);
  const method = attrStr(a['rpc.method']);
  if (svc || method) return `${svc ?? ''}/${method ?? ''}`;
  return undefined;
}

interface Delta {
  service: string;
  operation?: string;
  timeNs: bigint;
  error: boolean;
  count: number;
  sumMs?: number;
  /** (lo, hi] in ms with a count. */
  buckets: [number, number, number][];
}

function seriesKey(p: MetricPoint): string {
  const attrs = Object.keys(p.attributes)
    .sort()
    .map((k) => `${k}=${attrStr(p.attributes[k]) ?? JSON.stringify(p.attributes[k], (_, v) => (typeof v === 'bigint' ? String(v) : v))}`)
    .join(',');
  return `${p.resource.serviceName}\u0000${p.name}\u0000${attrs}`;
}

/** Bucket boundaries and counts of one point, in ms; undefined when the point has none usable. */
function bucketsOf(p: MetricPoint, f: number): { counts: number[]; bounds: [number, number][] } | undefined {
  if (p.type === 'histogram' && p.bucketCounts && p.explicitBounds && p.bucketCounts.length === p.explicitBounds.length + 1) {
    const b = p.explicitBounds.map((x) => x * f);
    const lo0 = p.min !== undefined ? Math.min(p.min * f, b[0] ?? Infinity) : 0;
    const hiN = p.max !== undefined ? Math.max(p.max * f, b[b.length - 1] ?? 0) : (b[b.length - 1] ?? 0);
    const bounds: [number, number][] = p.bucketCounts.map((_, i) => [i === 0 ? lo0 : b[i - 1], i === b.length ? hiN : b[i]]);
    return { counts: p.bucketCounts, bounds };
  }
  if (p.type === 'exponential_histogram' && p.positive && p.scale !== undefined) {
    const base = Math.pow(2, Math.pow(2, -p.scale));
    const off = p.positive.offset;
    const bounds: [number, number][] = [[0, (p.zeroThreshold ?? 0) * f]];
    const counts = [p.zeroCount ?? 0];
    p.positive.bucketCounts.forEach((c, i) => {
      bounds.push([Math.pow(base, off + i) * f, Math.pow(base, off + i + 1) * f]);
      counts.push(c);
    });
    return { counts, bounds };
  }
  return undefined;
}

export function redFromMetrics(points: Iterable<MetricPoint>, opts: MetricRedOptions = {}): MetricRedResult | { error: string } {
  if (opts.stepMs !== undefined && !(opts.stepMs > 0)) return { error: `stepMs must be > 0, got ${opts.stepMs}` };
  let skipped = 0;
  const bySeries = new Map<string, MetricPoint[]>();
  for (const p of points) {
    if (!(p.name in DURATION_METRICS)) continue;
    if (p.type !== 'histogram' && p.type !== 'exponential_histogram') {
      skipped++;
      continue;
    }
    const k = seriesKey(p);
    const list = bySeries.get(k);
    if (list) list.push(p);
    else bySeries.set(k, [p]);
  }

  const deltas: Delta[] = [];
  for (const list of bySeries.values()) {
    list.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0));
    let prev: { startNs?: bigint; counts: number[]; count: number; sum?: number } | undefined;
    for (const p of list) {
      const f = unitFactor(p);
      const bk = f === undefined ? undefined : bucketsOf(p, f);
      if (!bk || f === undefined) {
        skipped++;
        continue;
      }
      const cumulative = p.temporality === 'cumulative';
      let counts = bk.counts;
      let count = p.count ?? counts.reduce((x, y) => x + y, 0);
      let sum = p.sum;
      if (cumulative) {
        const cur = { startNs: p.startNs, counts: bk.counts, count, sum };
        const continues = prev && prev.startNs === p.startNs && prev.counts.length === counts.length && count >= prev.count;
        if (continues && prev) {
          const pc = prev.counts;
          counts = counts.map((c, i) => c - pc[i]);
          count -= prev.count;
          sum = sum !== undefined && prev.sum !== undefined ? sum - prev.sum : undefined;
        } else if (p.startNs === undefined || (opts.fromNs !== undefined && p.startNs < opts.fromNs)) {
          // A series first seen mid-life: its totals include time before the window; use it as the baseline only.
          prev = cur;
          continue;
        }
        prev = cur;
      }
      if (opts.fromNs !== undefined && p.timeNs < opts.fromNs) continue;
      if (opts.toNs !== undefined && p.timeNs >= opts.toNs) continue;
      if (count <= 0) continue;
      deltas.push({
        service: normalizeServiceName(p.resource.serviceName),
        operation: operationOf(p),
        timeNs: p.timeNs,
        error: isErrorPoint(p),
        count,
        sumMs: sum !== undefined ? sum * f : undefined,
        buckets: counts.map((c, i) => [bk.bounds[i][0], bk.bounds[i][1], c] as [number, number, number]).filter((b) => b[2] > 0),
      });
    }
  }

  let firstNs: bigint | undefined;
  let lastNs: bigint | undefined;
  for (const d of deltas) {
    if (firstNs === undefined || d.timeNs < firstNs) firstNs = d.timeNs;
    if (lastNs === undefined || d.timeNs > lastNs) lastNs = d.timeNs;
  }
  const windowMs =
    opts.fromNs !== undefined && opts.toNs !== undefined
      ? Number((opts.toNs - opts.fromNs) / 1_000_000n)
      : firstNs !== undefined && lastNs !== undefined
        ? Math.max(1000, Number((lastNs - firstNs) / 1_000_000n))
        : 1000;

  interface Agg {
    calls: number;
    errors: number;
    sumMs: number;
    haveSum: boolean;
    lat: LatencySketch;
  }
  const newAgg = (): Agg => ({ calls: 0, errors: 0, sumMs: 0, haveSum: true, lat: new LatencySketch() });
  const addTo = (a: Agg, d: Delta): void => {
    a.calls += d.count;
    if (d.error) a.errors += d.count;
    if (d.sumMs === undefined) a.haveSum = false;
    else a.sumMs += d.sumMs;
    // Spread each bucket's count evenly inside it: the usual linear interpolation, as sketch weights.
    for (const [lo, hi, c] of d.buckets) {
      const k = 8;
      for (let j = 0; j < k; j++) a.lat.add(lo + ((hi - lo) * (j + 0.5)) / k, c / k);
    }
  };
  const services = new Map<string, Agg>();
  const ops = new Map<string, Agg & { service: string; operation: string }>();
  const series = new Map<string, Map<number, Agg>>();
  for (const d of deltas) {
    let s = services.get(d.service);
    if (!s) services.set(d.service, (s = newAgg()));
    addTo(s, d);
    if (d.operation) {
      const key = `${d.service}\u0000${d.operation}`;
      let o = ops.get(key);
      if (!o) ops.set(key, (o = { ...newAgg(), service: d.service, operation: d.operation }));
      addTo(o, d);
    }
    if (opts.stepMs) {
      const ms = Number(d.timeNs / 1_000_000n);
      const b = Math.floor(ms / opts.stepMs) * opts.stepMs;
      let m = series.get(d.service);
      if (!m) series.set(d.service, (m = new Map()));
      let a = m.get(b);
      if (!a) m.set(b, (a = newAgg()));
      addTo(a, d);
    }
  }
  const row = (service: string, a: Agg, operation?: string): MetricRed => ({
    service,
    ...(operation !== undefined ? { operation } : {}),
    calls: round3(a.calls),
    errors: round3(a.errors),
    errorRate: a.calls ? round3(a.errors / a.calls) : 0,
    ratePerSec: round6((a.calls * 1000) / windowMs),
    meanMs: a.calls ? round3(a.haveSum ? a.sumMs / a.calls : a.lat.mean()) : 0,
    ...a.lat.summary(),
  });
  const seriesOut: Record<string, RedPoint[]> = {};
  if (opts.stepMs) {
    for (const [svc, m] of series) seriesOut[svc] = [...m.entries()].sort((a, b) => a[0] - b[0]).map(([t, a]) => point(t, a, opts.stepMs!));
  }
  return {
    services: [...services.entries()].map(([s, a]) => row(s, a)).sort((a, b) => (a.service < b.service ? -1 : 1)),
    operations: [...ops.values()].map((o) => row(o.service, o, o.operation)).sort((a, b) => (a.service + a.operation! < b.service + b.operation! ? -1 : 1)),
    series: seriesOut,
    skipped,
  };
}
