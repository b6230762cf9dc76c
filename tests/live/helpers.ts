// Shared by tests/live and tests/api: spans with valid hex ids, a temp SQLite store filled through
// the real store API, the real live analyzer, and the real Query over the rollups.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Attributes, Span, SpanKind } from '../../lib/model/index.ts';
import { openStore, type Store } from '../../lib/store/index.ts';
import { RollupReader } from '../../lib/store/rollups/reader.ts';
import { LiveAnalyzer, type LiveAnalyzerOptions } from '../../lib/live/analyzer.ts';
import { Query } from '../../lib/query/query.ts';

/** 2026-01-01T00:00:00Z: tests never read the clock. */
export const T0_MS = 1_767_225_600_000;
export const NOW = T0_MS + 10 * 60_000;

const hex = (s: string, width: number): string => {
  const h = Buffer.from(s).toString('hex');
  if (h.length > width) throw new Error(`id too long: ${s}`);
  return h.padStart(width, '0');
};
/** Readable names → valid hex ids (`tid('t1')`, `sid('c1')`). */
export const tid = (s: string): string => hex(s, 32);
export const sid = (s: string): string => hex(s, 16);

export interface S {
  trace: string;
  id: string;
  parent?: string;
  service: string;
  kind: SpanKind;
  name?: string;
  /** ms after T0_MS */
  start?: number;
  dur?: number;
  error?: boolean;
  attrs?: Attributes;
}

export function span(p: S): Span {
  const startNs = BigInt(T0_MS + (p.start ?? 0)) * 1_000_000n;
  const durationNs = Math.round((p.dur ?? 10) * 1e6);
  return {
    traceId: tid(p.trace),
    spanId: sid(p.id),
    parentSpanId: p.parent ? sid(p.parent) : undefined,
    name: p.name ?? `${p.kind} ${p.id}`,
    kind: p.kind,
    startNs,
    endNs: startNs + BigInt(durationNs),
    durationNs,
    status: { code: p.error ? 'error' : 'unset' },
    attributes: p.attrs ?? {},
    events: [],
    links: [],
    resource: { serviceName: p.service, attributes: { 'service.name': p.service } },
    scope: { name: 'test' },
  };
}

/** A root request into `svc` that calls `callee` (client span c<n>, server span s<n>). */
export function callTrace(trace: string, from: string, to: string, opts: { start?: number; error?: boolean; peer?: string } = {}): { root: Span; client: Span; server: Span } {
  const start = opts.start ?? 0;
  return {
    root: span({ trace, id: 'root', service: from, kind: 'server', name: 'GET /api', start, dur: 40 }),
    client: span({
      trace, id: 'cli', parent: 'root', service: from, kind: 'client', name: 'GET', start: start + 5, dur: 30, error: opts.error,
      attrs: opts.peer ? { 'server.address': opts.peer } : {},
    }),
    server: span({ trace, id: 'srv', parent: 'cli', service: to, kind: 'server', name: 'GET /item', start: start + 6, dur: 25, error: opts.error }),
  };
}

export interface Env {
  dir: string;
  url: string;
  store: Store;
  write(spans: Span[]): void;
  analyzer(opts?: LiveAnalyzerOptions): LiveAnalyzer;
  query(now?: number): Query;
  close(): void;
}

export function tempEnv(): Env {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-live-'));
  const url = path.join(dir, 'test.db');
  const store = openStore(url);
  const opened: { close(): void }[] = [];
  return {
    dir,
    url,
    store,
    write(spans) {
      store.writeBatch({ spans, metrics: [], logs: [] });
    },
    analyzer(opts = {}) {
      const a = new LiveAnalyzer({ dbUrl: url, ...opts });
      opened.push(a);
      return a;
    },
    query(now = NOW) {
      // A second Store connection, as the API process has its own.
      const q = new Query({ store: openStore(url), rollups: new RollupReader(url), now: () => now, graphCacheMs: 0, findingsCacheMs: 0 });
      opened.push(q);
      return q;
    },
    close() {
      for (const o of opened.reverse()) {
        try {
          o.close();
        } catch {
          // already closed by the test
        }
      }
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const WINDOW = { fromMs: T0_MS - 60_000, toMs: T0_MS + 5 * 60_000 };

/** Edges of the graph as `source->target|kind` → calls, for compact assertions. */
export function edgeCalls(q: Query): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of q.graph(WINDOW).edges) out[e.id] = e.calls;
  return out;
}
