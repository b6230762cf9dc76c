// The per-minute chunk cache changes cost, never answers: the same circuits with and without it,
// from a cold and a warm cache, and a span that arrives late in a cached minute shows after the TTL.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../lib/model/index.ts';
import { CircuitChunkCache, circuitsResponse } from '../../lib/query/circuits.ts';
import { openStore } from '../../lib/store/index.ts';
import type { Store } from '../../lib/store/types.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-circuits-cache-'));
let store: Store;
const NOW = Date.UTC(2026, 10, 22, 5, 0, 0);
const FROM = NOW - 10 * 60_000;
const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
let seq = 0;

function pair(atMs: number, failed: boolean, events: Span['events'] = []): Span[] {
  const i = ++seq;
  const at = BigInt(atMs) * 1_000_000n;
  const common = { traceId: hex(i, 32), name: 'GET /x', startNs: at, endNs: at + 2_000_000n, durationNs: 2_000_000, links: [], scope: { name: 't' } };
  return [
    { ...common, spanId: hex(2 * i, 16), kind: 'client', status: { code: failed ? 'error' : 'unset' }, attributes: { 'server.address': 'search-host' }, events, resource: { serviceName: 'web', attributes: {} } },
    { ...common, spanId: hex(2 * i + 1, 16), parentSpanId: hex(2 * i, 16), kind: 'server', status: { code: 'unset' }, attributes: {}, events: [], resource: { serviceName: 'search', attributes: {} } },
  ];
}

beforeAll(() => {
  store = openStore(path.join(dir, 'c.db'));
  const spans: Span[] = [];
  // Nine minutes of calls, a burst of failures in minute 3 (opens the inferred breaker), a reported breaker on another edge.
  for (let m = 0; m < 9; m++) for (let k = 0; k < 30; k++) spans.push(...pair(FROM + m * 60_000 + k * 1_000, m === 3 && k < 15));
  const ev = (state: string, atMs: number) => ({ name: 'circuit_breaker.state_change', timeNs: BigInt(atMs) * 1_000_000n, attributes: { 'circuit_breaker.name': 'cb', 'circuit_breaker.state': state, 'service.peer.name': 'billing' } });
  const b = pair(FROM + 2 * 60_000 + 500, true, [ev('open', FROM + 2 * 60_000 + 500)]);
  b[0].resource = { serviceName: 'cart', attributes: {} };
  spans.push(...b);
  store.writeBatch({ spans, metrics: [], logs: [] });
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('CircuitChunkCache', () => {
  it('cold, warm and no cache give the same circuits', () => {
    const plain = circuitsResponse(store, FROM, NOW, { nowMs: NOW });
    const cache = new CircuitChunkCache();
    const cold = circuitsResponse(store, FROM, NOW, { nowMs: NOW, cache });
    const warm = circuitsResponse(store, FROM, NOW, { nowMs: NOW + 1_000, cache });
    expect(plain.circuits.map((c) => [c.id, c.state, c.calls])).toEqual([
      ['reported:cart|cb', 'open', 0],
      // The breaker names billing; the call it carried went to search, an edge without a breaker.
      ['inferred:cart->search', 'closed', 1],
      ['inferred:web->search', 'closed', 270],
    ]);
    expect(plain.circuits[2].transitions.map((t) => t.to)).toEqual(['open', 'half_open', 'closed']);
    expect(cold.circuits).toEqual(plain.circuits);
    expect(warm.circuits).toEqual(plain.circuits);
    expect(warm.spansRead).toBe(plain.spansRead);
  });

  it('a span arriving late in a cached minute shows once the entry expires', () => {
    const cache = new CircuitChunkCache(1_000_000, 60_000, 120_000);
    circuitsResponse(store, FROM, NOW, { nowMs: NOW, cache });
    store.writeBatch({ spans: pair(FROM + 60_000 + 500, false), metrics: [], logs: [] });
    const stale = circuitsResponse(store, FROM, NOW, { nowMs: NOW + 1_000, cache });
    expect(stale.circuits.find((c) => c.id === 'inferred:web->search')!.calls).toBe(270);
    const fresh = circuitsResponse(store, FROM, NOW, { nowMs: NOW + 60_000, cache });
    expect(fresh.circuits.find((c) => c.id === 'inferred:web->search')!.calls).toBe(271);
  });
});
