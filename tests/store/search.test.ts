import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../lib/model/index.ts';
import { openStore, type Store } from '../../lib/store/index.ts';
import { batch, hexId, resource, span, T0, tempDir } from './helpers.ts';

const MS = 1_000_000n;
const MIN = 60_000n * MS;
let store: Store;
let cleanup: () => void;

// Three traces:
// A (t0):       frontend GET /home (root, 50 ms) → cart GET /cart (error, 30 ms) → db SELECT
// B (t0+2min):  frontend GET /home (root, 5 ms), status ok, attribute user.tier=gold
// C (t0+10min): batch job "nightly" alone, 2 s
const A = hexId(16);
const B = hexId(16);
const C = hexId(16);
const spans: Record<string, Span> = {};

beforeAll(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(`${t.dir}/s.db`);
  const fe = resource('frontend');
  const cart = resource('cart', { serviceInstanceId: 'cart-1' });
  const job = resource('batch');
  spans.aRoot = span({ traceId: A, name: 'GET /home', resource: fe, startNs: T0, durationNs: 50_000_000, attributes: { 'http.route': '/home', 'user.tier': 'silver' } });
  spans.aCart = span({ traceId: A, parentSpanId: spans.aRoot.spanId, name: 'GET /cart', resource: cart, startNs: T0 + 10n * MS, durationNs: 30_000_000, status: { code: 'error', message: 'boom' }, attributes: { 'http.response.status_code': 500 } });
  spans.aDb = span({ traceId: A, parentSpanId: spans.aCart.spanId, name: 'SELECT cart', kind: 'client', resource: cart, startNs: T0 + 12n * MS, durationNs: 2_000_000, attributes: { 'db.system.name': 'postgresql' } });
  spans.bRoot = span({ traceId: B, name: 'GET /home', resource: fe, startNs: T0 + 2n * MIN, durationNs: 5_000_000, status: { code: 'ok' }, attributes: { 'user.tier': 'gold', 'retry.count': 3, cached: true } });
  spans.cRoot = span({ traceId: C, name: 'nightly', kind: 'internal', resource: job, startNs: T0 + 10n * MIN, durationNs: 2_000_000_000 });
  // Arrive out of order, in two batches (late spans of A in the second).
  store.writeBatch(batch([spans.aDb, spans.bRoot]));
  store.writeBatch(batch([spans.cRoot, spans.aRoot, spans.aCart]));
});

afterAll(() => {
  store.close();
  cleanup();
});

const ids = (q: Parameters<Store['searchTraces']>[0]) => store.searchTraces(q).map((s) => s.traceId);

describe('trace search', () => {
  it('lists everything newest first with summaries', () => {
    const all = store.searchTraces({});
    expect(all.map((s) => s.traceId)).toEqual([C, B, A]);
    expect(all[2]).toEqual({
      traceId: A,
      rootService: 'frontend',
      rootName: 'GET /home',
      startNs: T0,
      durationNs: 50_000_000,
      spanCount: 3,
      errorCount: 1,
      services: ['cart', 'frontend'],
    });
  });

  it('filters by service, operation, time, duration, status and attributes', () => {
    expect(ids({ service: 'cart' })).toEqual([A]);
    expect(ids({ service: 'frontend' })).toEqual([B, A]);
    expect(ids({ service: 'nobody' })).toEqual([]);
    expect(ids({ operation: 'GET /home' })).toEqual([B, A]);
    expect(ids({ operation: 'SELECT cart', service: 'frontend' })).toEqual([]);
    expect(ids({ operation: 'SELECT cart', service: 'cart' })).toEqual([A]);
    expect(ids({ operation: 'never seen' })).toEqual([]);
    expect(ids({ fromNs: T0 + MIN, toNs: T0 + 3n * MIN })).toEqual([B]);
    expect(ids({ fromNs: T0, toNs: T0 + 1n })).toEqual([A]);
    expect(ids({ toNs: T0 })).toEqual([]);
    expect(ids({ minDurationNs: 1_000_000_000 })).toEqual([C]);
    expect(ids({ service: 'frontend', minDurationNs: 10_000_000 })).toEqual([A]);
    expect(ids({ maxDurationNs: 2_000_000 })).toEqual([A]);
    expect(ids({ status: 'error' })).toEqual([A]);
    expect(ids({ status: 'ok' })).toEqual([B]);
    expect(ids({ attributes: { 'user.tier': 'gold' } })).toEqual([B]);
    expect(ids({ attributes: { 'retry.count': 3, cached: true } })).toEqual([B]);
    expect(ids({ attributes: { 'retry.count': '3' } })).toEqual([]);
    expect(ids({ attributes: { 'http.response.status_code': 500 }, service: 'cart' })).toEqual([A]);
    expect(ids({ attributes: { 'user.tier': 'platinum' } })).toEqual([]);
    expect(ids({ limit: 2 })).toEqual([C, B]);
  });

  it('reads whole traces by id, ordered by start', () => {
    expect(store.getTrace(A)).toEqual([spans.aRoot, spans.aCart, spans.aDb]);
    expect(store.getTrace(hexId(16))).toEqual([]);
    expect(store.getTrace('not a trace id')).toEqual([]);
  });

  it('iterates spans in arrival order with filters', () => {
    expect([...store.iterateSpans({})].map((s) => s.spanId)).toEqual(
      [spans.aDb, spans.bRoot, spans.cRoot, spans.aRoot, spans.aCart].map((s) => s.spanId),
    );
    expect([...store.iterateSpans({ service: 'cart' })]).toEqual([spans.aDb, spans.aCart]);
    expect([...store.iterateSpans({ kinds: ['client'] })]).toEqual([spans.aDb]);
    expect([...store.iterateSpans({ fromNs: T0 + MIN })].map((s) => s.traceId)).toEqual([B, C]);
    expect([...store.iterateSpans({ fromNs: T0, toNs: T0 + 11n * MS })]).toEqual([spans.aRoot, spans.aCart]);
    expect([...store.iterateSpans({ fromNs: T0, toNs: T0 + 10n * MS })]).toEqual([spans.aRoot]);
    expect([...store.iterateSpans({ limit: 2 })]).toHaveLength(2);
    expect([...store.iterateSpans({ service: 'nobody' })]).toEqual([]);
  });

  it('lists services and reports stats', () => {
    expect(store.listServices()).toEqual(['batch', 'cart', 'frontend']);
    const st = store.stats();
    expect(st).toMatchObject({ spans: 5, resources: 3, metricPoints: 0, logRecords: 0 });
    expect(st.bytesOnDisk).toBeGreaterThan(0);
  });
});
