// lib/report: the CI gate's report — build it from an analysis, render it, decide the exit code.
//
//   const report = buildReport(sourceFromAnalysis(analysis, inputs), { failOn: 'high', toolVersion, baseline });
//   render(report, 'sarif')          → string  (text | markdown | json | sarif | junit)
//   exitCodeOf(report)               → 0 clean, 1 findings at or above --fail-on
//   createBaseline(report)           → what --write-baseline saves; parseBaseline(text, file) reads it back
//
// Pure except io/ (files, server, store, globs), which the CLI shells call.
export * from './types.ts';
export { buildReport, sourceFromAnalysis, type ReportSource, type BuildReportOptions } from './build.ts';
export { createBaseline, parseBaseline, BASELINE_VERSION, type Baseline, type BaselineFinding } from './baseline.ts';
export { computeDrift, driftIsEmpty } from './drift.ts';
export { EXIT, DEFAULT_FAIL_ON, parseSeverity, atOrAbove, exitCodeOf } from './severity.ts';
export { render, githubAnnotations, mermaidDiagram, type RenderOptions } from './render/index.ts';
