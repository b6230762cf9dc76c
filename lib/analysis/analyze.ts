// The whole analysis — graph, RED, findings — over a set of spans: what `faultline report` runs
// over a file and what the API runs over a window. Pure: `now` comes in, nothing is read.
//
//   const a = new Analyzer({ now, config });       // streaming: for batches from readTraceFile
//   for await (const b of readTraceFile(f)) a.add(b.spans);
//   const result = a.finish();                     // { graph, services, operations, findings, … }
//
//   analyze(spans, { now, config })                // the same, all at once
import type { Span } from '../model/index.ts';
import { SpanAnalyzer, type AnalysisResult, type AnalyzeOptions } from './analyzer.ts';
import { createFindingsRun, EMPTY_CONFIG, type FaultlineConfig, type FindingsResult, type FindingsRun, type ServiceVersion } from './findings/index.ts';

export interface FullAnalyzeOptions extends AnalyzeOptions {
  /** Rule settings (faultline.config.json); default: every rule at its defaults. */
  config?: FaultlineConfig;
  /** `caller->callee` edges with a circuit breaker reported by metrics (issue 6). */
  breakerEdges?: Iterable<string>;
  /** Release history from the store, when it reaches further back than these spans. */
  serviceVersions?: readonly ServiceVersion[];
}

export interface FullAnalysis extends AnalysisResult {
  findings: FindingsResult;
}

export class Analyzer {
  private readonly spans: SpanAnalyzer;
  private readonly run: FindingsRun;

  constructor(private readonly opts: FullAnalyzeOptions) {
    this.run = createFindingsRun(opts.config ?? EMPTY_CONFIG, { now: opts.now });
    this.spans = new SpanAnalyzer({ ...opts, visitors: [...(opts.visitors ?? []), this.run] });
  }

  add(spans: Iterable<Span>): void {
    this.spans.add(spans);
  }

  finish(): FullAnalysis {
    const result = this.spans.finish();
    const versions = this.opts.serviceVersions ? mergeVersions(this.opts.serviceVersions, result.serviceVersions) : result.serviceVersions;
    const findings = this.run.finish(result.graph, { serviceVersions: versions, breakerEdges: this.opts.breakerEdges });
    return { ...result, findings };
  }
}

export function analyze(spans: Iterable<Span>, opts: FullAnalyzeOptions): FullAnalysis {
  const a = new Analyzer(opts);
  a.add(spans);
  return a.finish();
}

/** Earliest sighting of each (service, version) across the store's history and these spans. */
function mergeVersions(a: readonly ServiceVersion[], b: readonly ServiceVersion[]): ServiceVersion[] {
  const m = new Map<string, ServiceVersion>();
  for (const v of [...a, ...b]) {
    const k = `${v.service}\u0000${v.version}`;
    const cur = m.get(k);
    if (!cur || v.firstSeenNs < cur.firstSeenNs) m.set(k, v);
  }
  return [...m.values()].sort((x, y) => (x.service < y.service ? -1 : x.service > y.service ? 1 : x.firstSeenNs < y.firstSeenNs ? -1 : 1));
}
