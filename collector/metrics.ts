// The collector's own counters, exposed as Prometheus text on GET /metrics. Every refusal and
// every loss is counted here (ARCHITECTURE.md §4.6: every overflow is counted and visible).

import { heapFigures } from '../lib/runtime/heap.ts';
import type { LiveStatus } from './live.ts';

export type Signal = 'traces' | 'metrics' | 'logs';
const SIGNALS: readonly Signal[] = ['traces', 'metrics', 'logs'];
const ITEM: Record<Signal, string> = { traces: 'spans', metrics: 'points', logs: 'logs' };

/** Upper bounds (seconds) of the batch write latency histogram. */
const LATENCY_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

class Histogram {
  readonly counts = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]) {
        this.counts[i]++;
        return;
      }
    }
  }
}

type PerSignal = Record<Signal, number>;
const zero = (): PerSignal => ({ traces: 0, metrics: 0, logs: 0 });

export class CollectorMetrics {
  readonly received = zero();
  readonly accepted = zero();
  readonly rejected = zero();
  /** Decoded but not stored (the write failed; the client was told to retry). */
  readonly dropped = zero();
  readonly duplicates = zero();
  /** Requests answered without storing, by reason (queue_full, too_large, bad_request, …). */
  readonly refused = new Map<string, number>();
  readonly responses = new Map<string, number>();
  readonly batchLatency = new Histogram();
  readonly requestLatency = new Histogram();
  batches = 0;
  batchItems = 0;
  retentionDeleted = 0;
  retentionErrors = 0;
  /** WAL pages after the maintenance thread's last checkpoint, and the times it started the WAL over. */
  walPages = 0;
  walResets = 0;
  /** Trace ids the maintenance thread put in the trace-id index, and trace rows not in it yet. */
  traceIdsIndexed = 0;
  traceIdsBehind = 0;
  /** V8 heap in use by the writer threads together, as each last reported it. */
  writerHeapBytes = 0;
  /** …and the memory their heaps hold (in use or garbage not yet collected). */
  writerHeapPhysicalBytes = 0;
  writerExternalBytes = 0;
  writerRestarts = 0;

  constructor(
    private readonly gauges: () => { queueBytes: number; queueRequests: number; queueCapacityBytes: number; writerUp: boolean; live?: LiveStatus },
  ) {}

  refuse(signal: Signal | 'other', reason: string): void {
    const k = `${signal}\u0000${reason}`;
    this.refused.set(k, (this.refused.get(k) ?? 0) + 1);
  }

  respond(signal: Signal | 'other', code: number): void {
    const k = `${signal}\u0000${code}`;
    this.responses.set(k, (this.responses.get(k) ?? 0) + 1);
  }

  render(): string {
    const out: string[] = [];
    const counter = (name: string, help: string, values: PerSignal) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
      for (const s of SIGNALS) out.push(`${name}{signal="${s}",item="${ITEM[s]}"} ${values[s]}`);
    };
    counter('faultline_collector_received_items_total', 'Items decoded from requests (spans, metric points, log records).', this.received);
    counter('faultline_collector_accepted_items_total', 'Items committed to the store (duplicates included).', this.accepted);
    counter('faultline_collector_rejected_items_total', 'Items refused as unusable (partial success, e.g. malformed ids).', this.rejected);
    counter('faultline_collector_dropped_items_total', 'Items decoded but not stored because the write failed (client told to retry).', this.dropped);
    counter('faultline_collector_duplicate_items_total', 'Items already stored (at-least-once redelivery), stored once.', this.duplicates);
    out.push('# HELP faultline_collector_refused_requests_total Requests answered without storing, by reason.', '# TYPE faultline_collector_refused_requests_total counter');
    for (const [k, v] of this.refused) {
      const [signal, reason] = k.split('\u0000');
      out.push(`faultline_collector_refused_requests_total{signal="${signal}",reason="${reason}"} ${v}`);
    }
    out.push('# HELP faultline_collector_responses_total Responses by signal and HTTP status.', '# TYPE faultline_collector_responses_total counter');
    for (const [k, v] of this.responses) {
      const [signal, code] = k.split('\u0000');
      out.push(`faultline_collector_responses_total{signal="${signal}",code="${code}"} ${v}`);
    }
    const g = this.gauges();
    const one = (name: string, type: 'gauge' | 'counter', help: string, value: number) =>
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    one('faultline_collector_queue_bytes', 'gauge', 'Request bytes accepted but not yet committed.', g.queueBytes);
    one('faultline_collector_queue_requests', 'gauge', 'Requests accepted but not yet committed.', g.queueRequests);
    one('faultline_collector_queue_capacity_bytes', 'gauge', 'Queue bound; past it requests get 503 with Retry-After.', g.queueCapacityBytes);
    one('faultline_collector_writer_up', 'gauge', '1 when a writer thread is running and its store is open.', g.writerUp ? 1 : 0);
    one('faultline_collector_writer_restarts_total', 'counter', 'Writer thread restarts after a crash.', this.writerRestarts);
    one('faultline_collector_batches_total', 'counter', 'Write transactions committed (each may hold several requests).', this.batches);
    one('faultline_collector_batch_items_total', 'counter', 'Items written by those transactions.', this.batchItems);
    one('faultline_collector_retention_deleted_total', 'counter', 'Rows removed by retention.', this.retentionDeleted);
    one('faultline_collector_retention_errors_total', 'counter', 'Retention sweeps that failed (retried next round).', this.retentionErrors);
    one('faultline_collector_wal_pages', 'gauge', 'Pages in the SQLite write-ahead log after the last background checkpoint.', this.walPages);
    one('faultline_collector_wal_resets_total', 'counter', 'Checkpoints finished under the write lock so the write-ahead log starts over (past walResetPages).', this.walResets);
    one('faultline_collector_trace_ids_indexed_total', 'counter', 'Trace ids the maintenance thread added to the trace-id index file (opening its connection included).', this.traceIdsIndexed);
    one('faultline_collector_trace_ids_unindexed', 'gauge', 'Stored traces not in the trace-id index yet (writers keep them in memory).', this.traceIdsBehind);
    if (g.live !== undefined) {
      const l = g.live;
      one('faultline_live_spans_analyzed_total', 'counter', 'Spans folded into the graph and RED rollups by the live analyzer.', l.spansAnalyzed);
      one('faultline_live_spans_fed_total', 'counter', 'Of the spans analyzed, those the writers handed over after their commit instead of the analyzer reading them back.', l.spansFed);
      one('faultline_live_feed_dropped_spans_total', 'counter', 'Committed spans not handed over or not used (analyzer far behind, standing by or restarting, or its feed queue full); the analyzer read them from storage instead.', l.feedDropped);
      one('faultline_live_spans_behind', 'gauge', 'Stored spans the live analyzer has not folded yet (after its last pass).', l.last?.behind ?? 0);
      one('faultline_live_pending_clients', 'gauge', 'Client spans waiting for their server half.', l.last?.pending ?? 0);
      one('faultline_live_leader', 'gauge', '1 when this collector holds the analyzer lease (several collectors may share a database).', l.last?.leader ? 1 : 0);
      one('faultline_live_flush_seconds', 'gauge', 'Longest rollup flush of the last pass: how long writers may have waited for it.', (l.last?.flushMs ?? 0) / 1000);
      one('faultline_live_errors_total', 'counter', 'Analyzer passes that failed (retried on the next tick).', l.errors);
      one('faultline_live_restarts_total', 'counter', 'Analyzer threads restarted after ending unasked (a crash).', l.restarts);
      one('faultline_live_restart_delay_seconds', 'gauge', 'Wait before the most recent analyzer thread restart, doubled for each crash in a row without a completed pass.', l.restartDelayMs / 1000);
    }
    const mem = process.memoryUsage();
    const httpHeap = heapFigures();
    out.push(
      '# HELP faultline_collector_memory_bytes Memory of the collector process (rss), and per thread its V8 heap (in use, and held: physical) and the buffers its objects own outside the heap (external; without a thread label, the HTTP thread).',
      '# TYPE faultline_collector_memory_bytes gauge',
      `faultline_collector_memory_bytes{kind="rss"} ${mem.rss}`,
      `faultline_collector_memory_bytes{kind="external"} ${mem.external}`,
      `faultline_collector_memory_bytes{kind="heap_used",thread="http"} ${httpHeap.heapUsedBytes}`,
      `faultline_collector_memory_bytes{kind="heap_used",thread="writer"} ${this.writerHeapBytes}`,
      `faultline_collector_memory_bytes{kind="heap_physical",thread="http"} ${httpHeap.heapPhysicalBytes}`,
      `faultline_collector_memory_bytes{kind="heap_physical",thread="writer"} ${this.writerHeapPhysicalBytes}`,
      `faultline_collector_memory_bytes{kind="external",thread="writer"} ${this.writerExternalBytes}`,
    );
    if (g.live !== undefined) {
      out.push(
        `faultline_collector_memory_bytes{kind="heap_used",thread="live"} ${g.live.heapUsedBytes}`,
        `faultline_collector_memory_bytes{kind="heap_physical",thread="live"} ${g.live.heapPhysicalBytes}`,
        `faultline_collector_memory_bytes{kind="external",thread="live"} ${g.live.externalBytes}`,
      );
    }
    const hist = (name: string, help: string, h: Histogram) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      let cum = 0;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        cum += h.counts[i];
        out.push(`${name}_bucket{le="${LATENCY_BUCKETS[i]}"} ${cum}`);
      }
      out.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${h.sum}`, `${name}_count ${h.count}`);
    };
    hist('faultline_collector_batch_write_seconds', 'Time to commit one write transaction (a group of requests) in the writer thread.', this.batchLatency);
    hist('faultline_collector_request_seconds', 'Time from a request arriving to its answer (export requests only).', this.requestLatency);
    return out.join('\n') + '\n';
  }
}
