// lib/analysis: pure functions over lib/model (ARCHITECTURE.md §1 step 4). No I/O, no clock.
//
// Whole analyses:   analyze(spans, { now, config }) / Analyzer → graph, RED, findings (the CLI and API)
//                   analyzeSpans(spans, { now }) → graph, RED, data quality (no findings)
//                   SpanAnalyzer for batches (add(spans) … finish()), e.g. from readTraceFile
//                   AnalyzeOptions.visitors: hook for anything that walks every trace (findings)
// Building blocks:  buildTraceTree / groupByTrace, analyzeTrace (waterfall, critical path, chain)
//                   GraphAccumulator / RedAccumulator (mergeable: per-minute rollups), LatencySketch
//                   redSeries (time series with a step), redFromMetrics (RED from OTLP histograms)
export { analyze, Analyzer, type FullAnalysis, type FullAnalyzeOptions } from './analyze.ts';
export { analyzeSpans, SpanAnalyzer, type AnalysisResult, type AnalyzeOptions, type ServiceVersionSeen, type TraceVisitor } from './analyzer.ts';
export { buildTraceTree, groupByTrace, type SpanNode, type TraceTree } from './trace/tree.ts';
export { classifyKind, isDbSpan, type EffectiveKind } from './trace/kind.ts';
export { analyzeTrace, type TraceAnalysis } from './trace/analyze.ts';
export { criticalPath, type CriticalSection } from './trace/critical-path.ts';
export { syncChain, chainEntry, type SyncChain } from './trace/chain.ts';
export { GraphAccumulator, callerClient, CLIENT_NODE_ID, type GraphOptions } from './graph/accumulator.ts';
export { graphToJson, type GraphJson } from './graph/json.ts';
export { databaseNodeId, externalNodeId, queueNodeId } from './graph/node-ids.ts';
export { dbAccess, dbIdentity, peerName, peerAddress, topicIdentity } from './graph/identity.ts';
export { parseSqlTables, isWriteOperation } from './graph/sql-tables.ts';
export type { EdgeKind, GraphEdge, GraphNode, NodeKind, ServiceGraph, TableUse, EdgeOperation, LatencySummary } from './graph/types.ts';
export { RedAccumulator, type RedOptions } from './red/accumulator.ts';
export { redSeries, type RedSeriesQuery } from './red/series.ts';
export { redFromMetrics, DURATION_METRICS, type MetricRed, type MetricRedResult, type MetricRedOptions } from './red/metrics.ts';
export type { OperationRed, RedPoint, RedStats, ServiceRed } from './red/types.ts';
export { LatencySketch, type SketchJson } from './stats/sketch.ts';
export { normalizeServiceName, isUnknownService } from './service-name.ts';
