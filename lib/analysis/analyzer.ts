// Whole analysis over a set of spans (a file, a window read from the store): group by trace,
// build each tree once, feed every accumulator and visitor, drop the tree. Spans are held only
// until finish() because any span of a trace may arrive last; trees live one at a time.
import type { Span } from '../model/index.ts';
import { GraphAccumulator, type GraphOptions } from './graph/accumulator.ts';
import type { ServiceGraph } from './graph/types.ts';
import { RedAccumulator, type RedOptions } from './red/accumulator.ts';
import { normalizeServiceName as normalizedServiceOf } from './service-name.ts';
import type { OperationRed, RedPoint, ServiceRed } from './red/types.ts';
import { buildTraceTree, type TraceTree } from './trace/tree.ts';

/** Anything that wants to see every trace tree (the findings run is one). */
export interface TraceVisitor {
  visitTrace(tree: TraceTree): void;
}

export interface AnalyzeOptions {
  /** Epoch ms the analysis is "as of" (reports, findings); analysis never reads a clock. */
  now: number;
  /** Window for rates, epoch ms; default: from the first request to the last one in the data. */
  fromMs?: number;
  toMs?: number;
  /** Also return per-service RED series with this step. */
  stepMs?: number;
  graph?: GraphOptions;
  red?: Omit<RedOptions, 'stepMs'>;
  /** Called with every tree, in trace-id order of first arrival. */
  visitors?: TraceVisitor[];
}

export interface ServiceVersionSeen {
  service: string;
  version: string;
  /** Earliest start of a span carrying this version, epoch ns. */
  firstSeenNs: bigint;
}

export interface AnalysisResult {
  now: number;
  traces: number;
  spans: number;
  window: { fromMs: number; toMs: number };
  graph: ServiceGraph;
  /** RED per service, largest impact first. */
  services: ServiceRed[];
  operations: OperationRed[];
  /** Per service, when stepMs was given. */
  series?: Record<string, RedPoint[]>;
  serviceVersions: ServiceVersionSeen[];
  /** Data-quality counts, so a reader can tell a thin graph from bad input. */
  quality: {
    unpairedClientSpans: number;
    unpairedProducerSpans: number;
    /** Spans whose parent was never seen (they became roots). */
    orphanSpans: number;
    duplicateSpans: number;
    cyclesBroken: number;
    /** Series points dropped by the per-series cap. */
    droppedSeriesPoints: number;
    /** Requests of services past the RED service bound; (service, version) pairs past theirs. */
    droppedRequests: number;
    droppedVersions: number;
    /** Nodes/edges/calls left out of the graph past its bounds. */
    droppedGraph: { nodes: number; edges: number; calls: number };
  };
}

const MAX_VERSIONS = 100_000;

export class SpanAnalyzer {
  private readonly byTrace = new Map<string, Span[]>();
  private readonly versions = new Map<string, ServiceVersionSeen>();
  private spanCount = 0;
  private droppedVersions = 0;
  private finished = false;

  constructor(private readonly opts: AnalyzeOptions) {}

  add(spans: Iterable<Span>): void {
    if (this.finished) throw new Error('SpanAnalyzer: add() after finish()');
    for (const input of spans) {
      this.spanCount++;
      const list = this.byTrace.get(input.traceId);
      const s = compact(input, list ? list[0].traceId : undefined);
      if (list) list.push(s);
      else this.byTrace.set(s.traceId, [s]);
      const v = s.resource.serviceVersion;
      if (v) {
        const service = normalizedServiceOf(s.resource.serviceName);
        const key = `${service}\u0000${v}`;
        const seen = this.versions.get(key);
        if (!seen) {
          if (this.versions.size < MAX_VERSIONS) this.versions.set(key, { service, version: v, firstSeenNs: s.startNs });
          else this.droppedVersions++;
        }
        else if (s.startNs < seen.firstSeenNs) seen.firstSeenNs = s.startNs;
      }
    }
  }

  finish(): AnalysisResult {
    if (this.finished) throw new Error('SpanAnalyzer: finish() called twice');
    this.finished = true;
    const o = this.opts;
    const graph = new GraphAccumulator(o.graph);
    const red = new RedAccumulator({ ...o.red, stepMs: o.stepMs });
    const visitors = o.visitors ?? [];
    let orphans = 0;
    let duplicates = 0;
    let cycles = 0;
    let traces = 0;
    for (const [id, spans] of this.byTrace) {
      const tree = buildTraceTree(spans);
      traces++;
      orphans += tree.orphans;
      duplicates += tree.duplicates;
      cycles += tree.cyclesBroken;
      graph.addTrace(tree);
      red.addTrace(tree);
      for (const v of visitors) v.visitTrace(tree);
      // Let the spans and the tree go as we go: peak memory is the input, not input + trees.
      this.byTrace.delete(id);
    }
    const fromMs = o.fromMs ?? (Number.isFinite(red.firstMs) ? red.firstMs : o.now);
    const toMs = o.toMs ?? (Number.isFinite(red.lastMs) ? red.lastMs : o.now);
    const windowMs = Math.max(1000, toMs - fromMs);
    const g = graph.build();
    const services = red.services(windowMs);
    const result: AnalysisResult = {
      now: o.now,
      traces,
      spans: this.spanCount,
      window: { fromMs, toMs },
      graph: g,
      services,
      operations: red.operations(windowMs),
      serviceVersions: [...this.versions.values()].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.firstSeenNs < b.firstSeenNs ? -1 : 1)),
      quality: {
        unpairedClientSpans: g.unpairedClientSpans,
        unpairedProducerSpans: g.unpairedProducerSpans,
        orphanSpans: orphans,
        duplicateSpans: duplicates,
        cyclesBroken: cycles,
        droppedSeriesPoints: red.droppedPoints,
        droppedRequests: red.droppedRequests,
        droppedVersions: this.droppedVersions,
        droppedGraph: g.dropped ?? { nodes: 0, edges: 0, calls: 0 },
      },
    };
    if (o.stepMs) {
      result.series = {};
      for (const s of red.serviceNames()) result.series[s] = red.series(s);
    }
    return result;
  }
}

// Every span of a file is held until finish(), so the bytes per held span decide whether 1M
// spans fit in 1 GB. Decoders give each span its own empty arrays, status object and trace-id
// string; equal values are shared here instead (~130 of ~560 bytes per span). The caller's
// objects are not touched: a span that can share anything is copied once.
const NO_EVENTS: Span['events'] = Object.freeze([]) as unknown as Span['events'];
const NO_LINKS: Span['links'] = Object.freeze([]) as unknown as Span['links'];
const STATUS: Record<string, Span['status']> = {
  unset: Object.freeze({ code: 'unset' }),
  ok: Object.freeze({ code: 'ok' }),
  error: Object.freeze({ code: 'error' }),
} as Record<string, Span['status']>;

function compact(s: Span, traceId: string | undefined): Span {
  const events = s.events.length === 0 ? NO_EVENTS : s.events;
  const links = s.links.length === 0 ? NO_LINKS : s.links;
  const status = s.status.message === undefined ? (STATUS[s.status.code] ?? s.status) : s.status;
  const tid = traceId ?? s.traceId;
  if (events === s.events && links === s.links && status === s.status && tid === s.traceId) return s;
  return { ...s, traceId: tid, events, links, status };
}

/** The whole analysis of a set of spans, without findings (see lib/analysis/index.ts `analyze`). */
export function analyzeSpans(spans: Iterable<Span>, opts: AnalyzeOptions): AnalysisResult {
  const a = new SpanAnalyzer(opts);
  a.add(spans);
  return a.finish();
}
