// GET /api/v1/services sums node rollup rows without LatencySketch objects (lib/query/services.ts):
// every number must be what the RedCell/Series way (red.ts) gives — totals, sparklines, ranking —
// for minute and hour steps, and with damaged or odd latency blobs among the rows.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeSketch } from '../../lib/analysis/stats/sketch-bytes.ts';
import { LatencySketch } from '../../lib/analysis/stats/sketch.ts';
import { RollupDelta } from '../../lib/live/delta.ts';
import { alignWindow, planRanges, rateSeconds } from '../../lib/query/buckets.ts';
import { servicesApi } from '../../lib/query/api.ts';
import { Query } from '../../lib/query/query.ts';
import { rankByImpact, RedCell, Series, seriesCanUseHours } from '../../lib/query/red.ts';
import type { ServiceSummaryJson } from '../../lib/query/types.ts';
import { openStore } from '../../lib/store/index.ts';
import { LiveDb } from '../../lib/store/rollups/live-db.ts';
import { RollupReader } from '../../lib/store/rollups/reader.ts';
import { rng } from '../store/helpers.ts';

/** The services list as Query.services made it before (RedCell and Series per service). */
function reference(r: RollupReader, w: { fromMs: number; toMs: number; stepMs: number }, nowMs: number): ServiceSummaryJson[] {
  const a = alignWindow(w.fromMs, w.toMs);
  const totals = new Map<string, RedCell>();
  const series = new Map<string, Series>();
  for (const row of r.serviceNodes(planRanges(a, seriesCanUseHours(w.stepMs)))) {
    let t = totals.get(row.node_id);
    if (!t) {
      totals.set(row.node_id, (t = new RedCell()));
      series.set(row.node_id, new Series(a, w.stepMs));
    }
    t.add(row);
    series.get(row.node_id)!.add(row);
  }
  const opCounts = r.operationCounts(planRanges(a));
  const secs = rateSeconds(a, nowMs);
  const rows = [...totals].map(([name, c]) => ({ name, ...c.stats(secs), operations: opCounts.get(name) ?? 0, sparkline: series.get(name)!.points() }));
  return rankByImpact(rows, (x) => x.name);
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('services summaries', () => {
  it('equal the RedCell and Series sums, for minute and hour steps and odd latency blobs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-services-'));
    dirs.push(dir);
    const file = path.join(dir, 's.db');
    openStore(file).close();
    const T0 = 29_466_720;
    const db = new LiveDb(file);
    db.claim('t', T0 * 60_000, 1e12);
    const r = rng(23);
    const services = ['web', 'orders', 'stöck', 'pay "eu"', 'mail\\box', 'quiet'];
    const MINUTES = 150;
    for (let m = 0; m < MINUTES; m++) {
      const d = new RollupDelta();
      const b = d.at(T0 + m);
      for (const svc of services) {
        if (svc === 'quiet' && m % 40 !== 0) continue;
        if (r() < 0.2) continue;
        const n = b.node(svc, 'service');
        const calls = 1 + Math.floor(r() * 30);
        for (let i = 0; i < calls; i++) b.hit(n, r() < 0.05 ? 0 : Math.exp(r() * 12 - 3), r() < 0.1);
        n.selfMs += r() * 100;
        n.looseMs += r() < 0.3 ? r() * 10 : 0;
        b.op(svc, `op-${Math.floor(r() * 4)}`).calls++;
      }
      const ok = db.flush({
        owner: 't', fromSeq: 0, toSeq: 0, maxTraceKey: 0, nowMs: (T0 + m + 1) * 60_000 + 5_000, leaseMs: 1e12,
        delta: d, tiers: [1, 60], pendingAdded: [], pendingRemoved: [], pendingDropped: 0, pendingClients: 0, flushes: db.state()!.flushes,
      });
      expect(ok).toBe(true);
    }
    db.close();

    // Odd rows the reader must treat as SketchBytesMerger does: damaged, another accuracy,
    // fractional counts, a non-finite sum (which empties the merged sketch).
    const raw = new Database(file);
    const put = raw.prepare(`INSERT OR REPLACE INTO node_rollups (res, bucket, node_id, kind, calls, errors, latency, self_ms, loose_ms) VALUES (1, ?, ?, 'service', ?, 0, ?, 1.5, 0)`);
    const other = new LatencySketch(0.02);
    other.add(5);
    const frac = new LatencySketch(0.01);
    frac.add(3, 0.5);
    frac.add(40, 2.25);
    const nanSum = encodeSketch(frac);
    new DataView(nanSum.buffer, nanSum.byteOffset).setFloat64(2 + 24, NaN, true);
    put.run(T0 + 10, 'broken-a', 3, Buffer.from([1, 1, 2, 3]));
    put.run(T0 + 11, 'broken-a', 2, Buffer.from(encodeSketch(frac)));
    put.run(T0 + 12, 'broken-a', 4, Buffer.from(encodeSketch(other)));
    put.run(T0 + 10, 'broken-b', 1, Buffer.from(encodeSketch(other)));
    put.run(T0 + 11, 'broken-b', 1, Buffer.from(encodeSketch(frac)));
    put.run(T0 + 12, 'broken-c', 1, Buffer.from(nanSum));
    put.run(T0 + 13, 'broken-c', 1, Buffer.from(encodeSketch(frac)));
    put.run(T0 + 14, 'empty', 1, Buffer.alloc(0));
    // A negative count (only damaged bytes hold one): the merged sketch is not a valid one.
    const negative = encodeSketch(frac);
    new DataView(negative.buffer, negative.byteOffset).setFloat64(2 + 48 + 8 + 1, -0.5, true);
    put.run(T0 + 15, 'broken-d', 1, Buffer.from(negative));
    put.run(T0 + 16, 'broken-d', 1, Buffer.from(encodeSketch(frac)));
    raw.close();

    const nowMs = (T0 + MINUTES) * 60_000 + 30_000;
    const store = openStore(file);
    const reader = new RollupReader(file);
    const q = new Query({ store, rollups: reader, now: () => nowMs });
    const windows = [
      { fromMs: (T0 + 5) * 60_000, toMs: (T0 + 20) * 60_000 + 7, stepMs: 60_000 },
      { fromMs: (T0 + 5) * 60_000 + 31_000, toMs: (T0 + 140) * 60_000, stepMs: 5 * 60_000 },
      { fromMs: T0 * 60_000, toMs: nowMs, stepMs: 3_600_000 },
      { fromMs: (T0 - 30) * 60_000, toMs: (T0 + 200) * 60_000, stepMs: 3_600_000 },
      { fromMs: nowMs - 15 * 60_000, toMs: nowMs, stepMs: 30_000 * 2 },
    ];
    let broken = 0;
    for (const w of windows) {
      const body = q.services(w);
      const got = body.services;
      const want = reference(reader, w, nowMs);
      expect(JSON.stringify(got)).toBe(JSON.stringify(want));
      // The route's bytes are that body, exactly.
      const api = servicesApi(q, new URLSearchParams({ from: String(w.fromMs), to: String(w.toMs), step: `${w.stepMs}ms` }));
      expect(api.status).toBe(200);
      expect(new TextDecoder().decode(api.json)).toBe(JSON.stringify(body));
      expect(api.body).toEqual(JSON.parse(JSON.stringify(body)));
      broken += got.filter((s) => s.name.startsWith('broken')).length;
    }
    expect(broken).toBeGreaterThan(0);
    q.close();
  });
});
