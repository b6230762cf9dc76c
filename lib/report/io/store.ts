// `check`: the spans the ephemeral collector stored → the streaming Analyzer, page by page.
import { Analyzer, type FullAnalysis } from '../../analysis/analyze.ts';
import type { FaultlineConfig } from '../../analysis/findings/index.ts';
import type { Span } from '../../model/index.ts';
import { openStore } from '../../store/index.ts';

export function analyzeStore(dbUrl: string, opts: { now: number; config: FaultlineConfig }): FullAnalysis {
  const store = openStore(dbUrl);
  try {
    const analyzer = new Analyzer({ now: opts.now, config: opts.config });
    let batch: Span[] = [];
    for (const s of store.iterateSpans({})) {
      batch.push(s);
      if (batch.length === 4096) {
        analyzer.add(batch);
        batch = [];
      }
    }
    analyzer.add(batch);
    return analyzer.finish();
  } finally {
    store.close();
  }
}
