// RED per service and per operation from trace trees, in bounded memory (counters and a sketch
// per key, optional per-step buckets for time series). Mergeable like the graph accumulator, so
// per-minute rollups add up to any window.
import { LatencySketch, round3, round6 } from '../stats/sketch.ts';
import type { TraceTree } from '../trace/tree.ts';
import { exclusiveTimes } from './exclusive.ts';
import type { OperationRed, RedPoint, RedStats, ServiceRed } from './types.ts';

export interface RedOptions {
  /** Bucket width for time series; no series are kept when absent. */
  stepMs?: number;
  /** Distinct operation names per service before the rest fold into `(other)` (default 200). */
  maxOperationsPerService?: number;
  /** Buckets per series before the oldest are dropped and counted (default 10,000). */
  maxPointsPerSeries?: number;
  relativeAccuracy?: number;
  /** Distinct services kept (default 20,000); requests of services past it are counted in droppedRequests. */
  maxServices?: number;
}

export const OTHER_OPERATION = '(other)';

class Cell {
  calls = 0;
  errors = 0;
  totalMs = 0;
  selfMs = 0;
  readonly lat: LatencySketch;
  constructor(accuracy: number) {
    this.lat = new LatencySketch(accuracy);
  }
  add(ms: number, selfMs: number, error: boolean): void {
    this.calls++;
    if (error) this.errors++;
    this.totalMs += ms;
    this.selfMs += selfMs;
    this.lat.add(ms);
  }
  merge(o: Cell): void {
    this.calls += o.calls;
    this.errors += o.errors;
    this.totalMs += o.totalMs;
    this.selfMs += o.selfMs;
    this.lat.merge(o.lat);
  }
}

interface ServiceAcc {
  total: Cell;
  /** Self time of spans outside any request of this service (jobs, roots without a server span). */
  looseSelfMs: number;
  ops: Map<string, Cell>;
  series?: Map<number, Cell>;
}

export class RedAccumulator {
  readonly stepMs: number | undefined;
  private readonly maxOps: number;
  private readonly maxPoints: number;
  private readonly accuracy: number;
  private readonly svc = new Map<string, ServiceAcc>();
  /** Series buckets dropped by the per-series cap. */
  droppedPoints = 0;
  /** Requests of services past maxServices. */
  droppedRequests = 0;
  private readonly maxServices: number;
  /** Earliest request start / latest request end seen (epoch ms), for the default window. */
  firstMs = Infinity;
  lastMs = -Infinity;

  constructor(opts: RedOptions = {}) {
    if (opts.stepMs !== undefined && !(opts.stepMs > 0)) throw new RangeError(`stepMs must be > 0, got ${opts.stepMs}`);
    this.stepMs = opts.stepMs;
    this.maxOps = opts.maxOperationsPerService ?? 200;
    this.maxPoints = opts.maxPointsPerSeries ?? 10_000;
    this.accuracy = opts.relativeAccuracy ?? 0.01;
    this.maxServices = opts.maxServices ?? 20_000;
  }

  private service(name: string): ServiceAcc | undefined {
    let s = this.svc.get(name);
    if (!s) {
      if (this.svc.size >= this.maxServices) return undefined;
      s = { total: new Cell(this.accuracy), looseSelfMs: 0, ops: new Map(), series: this.stepMs ? new Map() : undefined };
      this.svc.set(name, s);
    }
    return s;
  }

  addTrace(tree: TraceTree): void {
    // Exclusive time of each request (red/exclusive.ts, shared with the live fold).
    const { byEntry: exclusiveNs, looseByService } = exclusiveTimes(tree);
    for (const [svc, ns] of looseByService) {
      const s = this.service(svc);
      if (s) s.looseSelfMs += ns / 1e6;
    }
    for (const n of tree.nodes) {
      if (n.kind !== 'server' && n.kind !== 'consumer') continue;
      const s = this.service(n.service);
      if (!s) {
        this.droppedRequests++;
        continue;
      }
      const ms = n.span.durationNs / 1e6;
      const selfMs = (exclusiveNs.get(n) ?? 0) / 1e6;
      const err = n.span.status.code === 'error';
      s.total.add(ms, selfMs, err);
      const name = s.ops.has(n.span.name) || s.ops.size < this.maxOps ? n.span.name : OTHER_OPERATION;
      let op = s.ops.get(name);
      if (!op) s.ops.set(name, (op = new Cell(this.accuracy)));
      op.add(ms, selfMs, err);
      const startMs = Number(n.span.startNs / 1_000_000n);
      if (startMs > 0) {
        if (startMs < this.firstMs) this.firstMs = startMs;
        const endMs = startMs + ms;
        if (endMs > this.lastMs) this.lastMs = endMs;
      }
      if (s.series && this.stepMs && startMs > 0) {
        const b = Math.floor(startMs / this.stepMs) * this.stepMs;
        let c = s.series.get(b);
        if (!c) {
          if (s.series.size >= this.maxPoints) {
            this.droppedPoints++;
            continue;
          }
          s.series.set(b, (c = new Cell(this.accuracy)));
        }
        c.add(ms, selfMs, err);
      }
    }
  }

  merge(other: RedAccumulator): void {
    this.firstMs = Math.min(this.firstMs, other.firstMs);
    this.lastMs = Math.max(this.lastMs, other.lastMs);
    this.droppedPoints += other.droppedPoints;
    this.droppedRequests += other.droppedRequests;
    for (const [name, o] of other.svc) {
      const s = this.service(name);
      if (!s) {
        this.droppedRequests += o.total.calls;
        continue;
      }
      s.total.merge(o.total);
      s.looseSelfMs += o.looseSelfMs;
      for (const [op, c] of o.ops) {
        const key = s.ops.has(op) || s.ops.size < this.maxOps ? op : OTHER_OPERATION;
        let t = s.ops.get(key);
        if (!t) s.ops.set(key, (t = new Cell(this.accuracy)));
        t.merge(c);
      }
      if (s.series && o.series && this.stepMs === other.stepMs) {
        for (const [b, c] of o.series) {
          let t = s.series.get(b);
          if (!t) s.series.set(b, (t = new Cell(this.accuracy)));
          t.merge(c);
        }
      }
    }
  }

  /** Default window: from the first request's start to the last one's end (at least 1 s). */
  windowMs(): number {
    return Number.isFinite(this.firstMs) ? Math.max(1000, this.lastMs - this.firstMs) : 1000;
  }

  services(windowMs = this.windowMs()): ServiceRed[] {
    const out: ServiceRed[] = [];
    for (const [service, s] of this.svc) {
      const st = stats(s.total, windowMs);
      out.push({ service, operations: s.ops.size, ...st, selfTimeMs: round3(s.total.selfMs + s.looseSelfMs) });
    }
    return rank(out, (r) => r.service);
  }

  operations(windowMs = this.windowMs(), service?: string): OperationRed[] {
    const out: OperationRed[] = [];
    for (const [svcName, s] of this.svc) {
      if (service !== undefined && svcName !== service) continue;
      for (const [operation, c] of s.ops) out.push({ service: svcName, operation, ...stats(c, windowMs) });
    }
    return rank(out, (r) => `${r.service}\u0000${r.operation}`);
  }

  /** Time series of one service (requires stepMs); buckets with no requests are left out. */
  series(service: string): RedPoint[] {
    const s = this.svc.get(service);
    if (!s?.series || !this.stepMs) return [];
    const step = this.stepMs;
    return [...s.series.entries()].sort((a, b) => a[0] - b[0]).map(([timeMs, c]) => point(timeMs, c, step));
  }

  serviceNames(): string[] {
    return [...this.svc.keys()].sort();
  }
}

export function point(timeMs: number, c: { calls: number; errors: number; lat: LatencySketch }, stepMs: number): RedPoint {
  return {
    timeMs,
    calls: c.calls,
    errors: c.errors,
    ratePerSec: round6((c.calls * 1000) / stepMs),
    errorRate: c.calls ? round3(c.errors / c.calls) : 0,
    p50Ms: round3(c.lat.quantile(0.5)),
    p95Ms: round3(c.lat.quantile(0.95)),
    p99Ms: round3(c.lat.quantile(0.99)),
  };
}

function stats(c: Cell, windowMs: number): RedStats {
  return {
    calls: c.calls,
    errors: c.errors,
    errorRate: c.calls ? round3(c.errors / c.calls) : 0,
    ratePerSec: round6((c.calls * 1000) / windowMs),
    meanMs: round3(c.lat.mean()),
    ...c.lat.summary(),
    selfTimeMs: round3(c.selfMs),
    meanSelfTimeMs: c.calls ? round3(c.selfMs / c.calls) : 0,
    selfTimeShare: c.totalMs > 0 ? round3(Math.min(1, c.selfMs / c.totalMs)) : 0,
    impactMs: round3(c.totalMs),
    impactRank: 0,
  };
}

function rank<T extends RedStats>(rows: T[], key: (r: T) => string): T[] {
  rows.sort((a, b) => b.impactMs - a.impactMs || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  rows.forEach((r, i) => (r.impactRank = i + 1));
  return rows;
}
