// Builders and temp-dir helpers for the store tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { InstrumentationScope, Resource, Span, SpanKind } from '../../lib/model/index.ts';

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-store-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let counter = 0;

/** Deterministic unique lowercase hex id of `bytes` bytes. */
export function hexId(bytes: number, seed?: number): string {
  const n = seed ?? ++counter;
  return (n.toString(16).padStart(8, '0') + 'a1b2c3d4e5f60718293a4b5c6d7e8f90').slice(0, bytes * 2).padEnd(bytes * 2, '0');
}

export function resource(serviceName: string, extra: Partial<Resource> = {}): Resource {
  return { serviceName, attributes: { 'service.name': serviceName }, ...extra };
}

export const SCOPE: InstrumentationScope = { name: 'test-scope', version: '1.0.0' };

export const T0 = 1_700_000_000_000_000_000n;

export function span(p: {
  traceId: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: SpanKind;
  startNs?: bigint;
  durationNs?: number;
  service?: string;
  resource?: Resource;
  status?: Span['status'];
  attributes?: Span['attributes'];
  shared?: boolean;
}): Span {
  const startNs = p.startNs ?? T0;
  const durationNs = p.durationNs ?? 1_000_000;
  const s: Span = {
    traceId: p.traceId,
    spanId: p.spanId ?? hexId(8),
    name: p.name ?? 'GET /',
    kind: p.kind ?? 'server',
    startNs,
    endNs: startNs + BigInt(durationNs),
    durationNs,
    status: p.status ?? { code: 'unset' },
    attributes: p.attributes ?? {},
    events: [],
    links: [],
    resource: p.resource ?? resource(p.service ?? 'svc'),
    scope: SCOPE,
  };
  if (p.parentSpanId) s.parentSpanId = p.parentSpanId;
  if (p.shared !== undefined) s.shared = p.shared;
  return s;
}

export function batch(spans: Span[]) {
  return { spans, metrics: [], logs: [] };
}

/** Deterministic pseudo-random numbers in [0, 1) (xorshift32): the same data every run. */
export function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** The trace-id index file beside database `file` (trace id hex → trace key), read directly. */
export function indexEntries(file: string): Map<string, number> {
  const db = new Database(`${file}-trace-ids`, { readonly: true });
  try {
    const rows = db.prepare(`SELECT lower(hex(trace_id)) AS id, key FROM trace_ids`).all() as { id: string; key: number }[];
    return new Map(rows.map((r) => [r.id, r.key]));
  } finally {
    db.close();
  }
}
