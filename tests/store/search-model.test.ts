// Search against a brute-force model: random spans over many batches, services, minutes and
// late arrivals; every query's answer must equal what a full scan computes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Span } from '../../lib/model/index.ts';
import { openStore, type Store, type TraceQuery } from '../../lib/store/index.ts';
import { batch, hexId, resource, span, T0, tempDir } from './helpers.ts';

const SERVICES = ['a', 'b', 'c', 'd'];
const OPS = ['GET /x', 'GET /y', 'SELECT', 'publish'];
const SEC = 1_000_000_000n;
let store: Store;
let cleanup: () => void;
const all: Span[] = [];

// Deterministic pseudo-random numbers so a failure reproduces.
let seed = 42;
function rnd(n: number): number {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
}

beforeAll(() => {
  const t = tempDir();
  cleanup = t.cleanup;
  store = openStore(`${t.dir}/m.db`);
  const resources = SERVICES.map((s) => resource(s));
  const traces = Array.from({ length: 120 }, () => ({ id: hexId(16), start: T0 + BigInt(rnd(600)) * SEC }));
  for (const tr of traces) {
    const n = 1 + rnd(8);
    for (let i = 0; i < n; i++) {
      all.push(
        span({
          traceId: tr.id,
          resource: resources[rnd(SERVICES.length)],
          name: OPS[rnd(OPS.length)],
          startNs: tr.start + BigInt(rnd(90)) * SEC,
          durationNs: 1_000_000 * (1 + rnd(500)),
          status: { code: rnd(10) === 0 ? 'error' : 'unset' },
          attributes: { tier: ['gold', 'silver'][rnd(2)], n: rnd(3) },
        }),
      );
    }
  }
  // Shuffle (late and early arrivals) and write in uneven batches.
  for (let i = all.length - 1; i > 0; i--) {
    const j = rnd(i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  for (let i = 0; i < all.length; ) {
    const n = 1 + rnd(60);
    store.writeBatch(batch(all.slice(i, i + n)));
    i += n;
  }
});

afterAll(() => {
  store.close();
  cleanup();
});

function matching(q: TraceQuery): Map<string, bigint> {
  const best = new Map<string, bigint>();
  for (const s of all) {
    if (q.service !== undefined && s.resource.serviceName !== q.service) continue;
    if (q.operation !== undefined && s.name !== q.operation) continue;
    if (q.fromNs !== undefined && s.startNs < q.fromNs) continue;
    if (q.toNs !== undefined && s.startNs >= q.toNs) continue;
    if (q.minDurationNs !== undefined && s.durationNs < q.minDurationNs) continue;
    if (q.maxDurationNs !== undefined && s.durationNs > q.maxDurationNs) continue;
    if (q.status !== undefined && s.status.code !== q.status) continue;
    if (q.attributes && Object.entries(q.attributes).some(([k, v]) => s.attributes[k] !== v)) continue;
    const prev = best.get(s.traceId);
    if (prev === undefined || s.startNs > prev) best.set(s.traceId, s.startNs);
  }
  return best;
}

const desc = (a: bigint, b: bigint) => (a < b ? 1 : a > b ? -1 : 0);

describe('search equals a full scan', () => {
  it('for many random queries', () => {
    let nonEmpty = 0;
    for (let i = 0; i < 300; i++) {
      const q: TraceQuery = { limit: 1 + rnd(15) };
      if (rnd(2)) q.service = SERVICES[rnd(SERVICES.length)];
      if (rnd(3) === 0) q.operation = OPS[rnd(OPS.length)];
      if (rnd(2)) {
        q.fromNs = T0 + BigInt(rnd(700)) * SEC;
        q.toNs = q.fromNs + BigInt(1 + rnd(200)) * SEC;
      }
      if (rnd(4) === 0) q.minDurationNs = 1_000_000 * rnd(400);
      if (rnd(5) === 0) q.maxDurationNs = 1_000_000 * rnd(400);
      if (rnd(4) === 0) q.status = 'error';
      if (rnd(4) === 0) q.attributes = rnd(2) ? { tier: 'gold' } : { tier: 'silver', n: rnd(3) };
      const best = matching(q);
      const want = [...best.values()].sort(desc).slice(0, q.limit ?? 20);
      const got = store.searchTraces(q).map((s) => s.traceId);
      const label = JSON.stringify(q, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
      // Every answer matches, and they are the newest matches (traces tied on the k-th
      // newest start may be swapped for each other, so compare the start times).
      for (const id of got) expect(best.has(id), label).toBe(true);
      expect(new Set(got).size).toBe(got.length);
      expect(got.map((id) => best.get(id)!).sort(desc), label).toEqual(want);
      if (want.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(100);
  });
});
