// Graph blocks (lib/store/rollups/graph-block.ts): the tiered, sealed blocks the graph API reads
// must give exactly what merging every minute's sketches would — whatever tiers answer a window,
// whether data arrived late into sealed blocks, and across retention.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LatencySketch } from '../../lib/analysis/stats/sketch.ts';
import { encodeSketch } from '../../lib/analysis/stats/sketch-bytes.ts';
import Database from 'better-sqlite3';
import { RollupDelta, ROLLUP_ACCURACY, type BucketDelta } from '../../lib/live/delta.ts';
import { Query } from '../../lib/query/query.ts';
import { openStore } from '../../lib/store/index.ts';
import { BlockWriter, ByteReader, GRAPH_TIERS, SketchScratch } from '../../lib/store/rollups/graph-block.ts';
import { coverWindow, prefixOf, prefixRes, suffixOf } from '../../lib/store/rollups/graph-cover.ts';
import { BlockMerge, mergeBlocks } from '../../lib/store/rollups/graph-merge.ts';
import { LiveDb } from '../../lib/store/rollups/live-db.ts';
import { RollupReader } from '../../lib/store/rollups/reader.ts';
import { rng } from './helpers.ts';

const T0_MINUTE = 29_466_720; // 2026-01-10T00:00Z: a day boundary, so day blocks are in play
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-blocks-'));
  dirs.push(dir);
  const file = path.join(dir, 'r.db');
  openStore(file).close();
  return file;
}

describe('sketch cells', () => {
  it('give the quantiles of a merged LatencySketch, for any split of the values', () => {
    const r = rng(7);
    for (let round = 0; round < 40; round++) {
      const parts = 1 + Math.floor(r() * 6);
      const ref = new LatencySketch(ROLLUP_ACCURACY);
      const sketches: LatencySketch[] = [];
      for (let k = 0; k < parts; k++) {
        const s = new LatencySketch(ROLLUP_ACCURACY);
        const n = Math.floor(r() * 300);
        for (let i = 0; i < n; i++) {
          // Zeros, sub-ms, ms and minutes, so every branch of the cell code is exercised.
          const v = r() < 0.05 ? 0 : Math.exp(r() * 16 - 8);
          s.add(v);
          ref.add(v);
        }
        sketches.push(s);
      }
      const bodies = sketches.map((s, k) => {
        const bw = new BlockWriter(ROLLUP_ACCURACY);
        const sc = new SketchScratch();
        sc.addSketch(s);
        bw.section();
        bw.edge({ key: 3, calls: s.count, errors: 0, paired: 0, unpaired: 0, peer: 0, traceIds: [`t${k}`] }, sc, undefined);
        bw.section();
        bw.section();
        return bw.finish();
      });
      const m = new BlockMerge(bodies, ROLLUP_ACCURACY);
      const got: number[] = [0, 0, 0, 0, 0, 0];
      const qs = [0, 0.5, 0.75, 0.95, 0.99, 1];
      let seen = 0;
      m.edges((e) => {
        seen++;
        expect(e.calls).toBe(ref.count);
        e.lat.quantiles(qs, (1 + ROLLUP_ACCURACY) / (1 - ROLLUP_ACCURACY), got);
        // Example ids come from the first three blocks that hold the edge.
        expect(e.traceIds).toEqual(sketches.map((_, k) => `t${k}`).slice(0, 3));
      });
      expect(seen).toBe(1);
      expect(got).toEqual(ref.count ? ref.quantiles(qs) : [0, 0, 0, 0, 0, 0]);
    }
  });

  it('round-trip busy sketches in the dense form (1-, 2- and 4-byte counts) exactly', () => {
    const r = rng(5);
    for (const [n, spread, weight] of [[200, 0.5, 1], [5_000, 1, 1], [70_000, 2, 1], [300, 0.05, 1], [40, 0.4, 70_000]] as const) {
      const ref = new LatencySketch(ROLLUP_ACCURACY);
      // The last case: cells of 70,000+ calls each (4-byte dense counts).
      for (let i = 0; i < n; i++) ref.add(Math.exp(2 + r() * spread), weight);
      const sc = new SketchScratch();
      sc.addSketch(ref);
      const w = new BlockWriter(ROLLUP_ACCURACY);
      w.section();
      w.edge({ key: 0, calls: n, errors: 0, paired: 0, unpaired: 0, peer: 0, traceIds: [] }, sc, sc);
      w.section();
      w.node({ key: 4, kind: 0, calls: n, errors: 0 }, sc);
      w.section();
      const body = w.finish();
      // Twice the same block: counts double (4-byte counts past 65,535), quantiles stay.
      const m = new BlockMerge([body, body], ROLLUP_ACCURACY);
      const qs = [0, 0.5, 0.95, 0.99, 1];
      const twice = ref.clone();
      twice.merge(ref);
      const got = [0, 0, 0, 0, 0];
      m.edges((e) => {
        expect(e.lat.n).toBe(2 * n * weight);
        e.srv.quantiles(qs, (1 + ROLLUP_ACCURACY) / (1 - ROLLUP_ACCURACY), got);
        expect(got).toEqual(twice.quantiles(qs));
      });
      m.nodes((x) => {
        x.lat.quantiles(qs, (1 + ROLLUP_ACCURACY) / (1 - ROLLUP_ACCURACY), got);
        expect(got).toEqual(twice.quantiles(qs));
      });
      // Re-encoded (as sealing does) and read again: still the same.
      const again = new BlockMerge([mergeBlocks([body, body], ROLLUP_ACCURACY).body], ROLLUP_ACCURACY);
      again.edges((e) => {
        e.lat.quantiles(qs, (1 + ROLLUP_ACCURACY) / (1 - ROLLUP_ACCURACY), got);
        expect(got).toEqual(twice.quantiles(qs));
      });
    }
  });

  it('merge into the same bytes whether an entry only one block has is copied or decoded and encoded again', () => {
    const r = rng(17);
    const IDS = ['a1', 'b2', 'ünï', 'x"y', '', 'c3'.repeat(40)];
    const block = () => {
      const w = new BlockWriter(ROLLUP_ACCURACY);
      const lat = new SketchScratch();
      const srv = new SketchScratch();
      const fill = (sc: SketchScratch) => {
        sc.reset();
        const s = new LatencySketch(ROLLUP_ACCURACY);
        const n = Math.floor(r() * (r() < 0.2 ? 400 : 6));
        // Fractional weights: the non-integral cell form; many values: the dense form.
        for (let i = 0; i < n; i++) s.add(r() < 0.05 ? 0 : Math.exp(r() * 12 - 4), r() < 0.1 ? 0.5 : 1);
        sc.addSketch(s);
      };
      w.section();
      for (let key = 0; key < 60; key++) {
        if (r() < 0.5) continue;
        fill(lat);
        fill(srv);
        const traceIds = Array.from({ length: Math.floor(r() * 7) }, () => IDS[Math.floor(r() * IDS.length)]);
        w.edge({ key, calls: Math.floor(r() * 300), errors: Math.floor(r() * 3), paired: 1, unpaired: 200, peer: r() < 0.2 ? 7 : 0, traceIds: [...new Set(traceIds)] }, lat, r() < 0.5 ? srv : undefined);
      }
      w.section();
      for (let key = 60; key < 90; key++) {
        if (r() < 0.5) continue;
        fill(lat);
        w.node({ key, kind: Math.floor(r() * 5), calls: Math.floor(r() * 1000), errors: 0 }, lat);
      }
      w.section();
      for (let key = 90; key < 100; key++) if (r() < 0.5) w.operation(key);
      return w.finish();
    };
    // The merge as it was: every entry decoded and encoded again.
    const decoded = (bodies: Uint8Array[]): Uint8Array => {
      const m = new BlockMerge(bodies, ROLLUP_ACCURACY);
      const w = new BlockWriter(ROLLUP_ACCURACY);
      w.section();
      m.edges((e) => w.edge(e, e.lat, e.srv));
      w.section();
      m.nodes((n) => w.node(n, n.lat));
      w.section();
      const ops = new Set<number>();
      m.operations((k) => ops.add(k));
      for (const k of [...ops].sort((a, b) => a - b)) w.operation(k);
      return w.finish();
    };
    for (let round = 0; round < 40; round++) {
      const bodies = Array.from({ length: 1 + Math.floor(r() * 3) }, block);
      const merged = mergeBlocks(bodies, ROLLUP_ACCURACY);
      expect(merged.damaged).toBe(0);
      expect(Buffer.from(merged.body).equals(Buffer.from(decoded(bodies)))).toBe(true);
    }
  });

  it('skip a damaged block and count it, without throwing', () => {
    const sc = new SketchScratch();
    const s = new LatencySketch(ROLLUP_ACCURACY);
    for (let i = 1; i <= 50; i++) s.add(i);
    sc.addSketch(s);
    const w = new BlockWriter(ROLLUP_ACCURACY);
    w.section();
    w.edge({ key: 1, calls: 50, errors: 1, paired: 50, unpaired: 0, peer: 0, traceIds: ['a'] }, sc, undefined);
    w.section();
    w.section();
    const good = w.finish();
    for (const cut of [3, 12, good.length - 20, good.length - 1]) {
      const bad = good.slice(0, cut);
      const merged = mergeBlocks([good, bad], ROLLUP_ACCURACY);
      expect(merged.damaged).toBeGreaterThan(0);
      const m = new BlockMerge([merged.body], ROLLUP_ACCURACY);
      m.edges((e) => expect(e.calls).toBeGreaterThanOrEqual(50));
    }
    // Random corruption anywhere: never a throw, and never cells left over for the next edge.
    const r = rng(9);
    const many = new BlockWriter(ROLLUP_ACCURACY);
    many.section();
    for (let k = 0; k < 40; k++) many.edge({ key: k, calls: 50, errors: 0, paired: 0, unpaired: 0, peer: 0, traceIds: [`id${k}`] }, sc, sc);
    many.section();
    many.section();
    const body = many.finish();
    for (let round = 0; round < 300; round++) {
      const bad = body.slice();
      for (let f = 0; f < 3; f++) bad[9 + Math.floor(r() * (bad.length - 9))] = Math.floor(r() * 256);
      expect(() => mergeBlocks([bad, body], ROLLUP_ACCURACY)).not.toThrow();
      const m = new BlockMerge([bad], ROLLUP_ACCURACY);
      m.edges((e) => expect(e.lat.n >= 0 && e.lat.n < Infinity).toBe(true));
      // Whatever a damaged sketch added, reset() leaves nothing for the next edge.
      const sk = new SketchScratch();
      const rd = new ByteReader(bad);
      rd.p = 20 + Math.floor(r() * 40);
      sk.addCells(rd);
      sk.reset();
      expect(sk.counts.every((x) => x === 0)).toBe(true);
    }
    const probe = new BlockMerge([body], ROLLUP_ACCURACY);
    probe.edges((e) => expect(e.lat.n).toBe(50));
    const other = good.slice();
    other[1] = 0; // accuracy bytes: a block of another accuracy is not merged
    expect(mergeBlocks([other], ROLLUP_ACCURACY).damaged).toBe(1);
    const junk = new ByteReader(new Uint8Array([1, 0xff, 0xff]));
    new SketchScratch().addCells(junk);
    expect(junk.bad).toBe(true);
  });
});

describe('coverWindow', () => {
  it('covers every minute of a window exactly once, with sealed blocks wholly inside it', () => {
    const r = rng(11);
    for (let round = 0; round < 300; round++) {
      const sealed = new Set<string>();
      for (const res of GRAPH_TIERS.slice(1)) {
        for (let b = T0_MINUTE - 2880; b < T0_MINUTE + 2880; b += res) if (r() < 0.6) sealed.add(`${res}:${b}`);
      }
      const from = T0_MINUTE - 2000 + Math.floor(r() * 3000);
      const to = from + 1 + Math.floor(r() * (r() < 0.5 ? 90 : 2000));
      // Half the rounds with prefix and suffix blocks here and there (graph-cover.ts).
      const parts = round % 2 === 1;
      const prefix = (res: number, b: number, most: number) => (parts && !sealed.has(`${res}:${b}`) ? Math.floor(r() * (most + 1)) : 0);
      const suffix = (res: number, b: number) => parts && sealed.has(`${res}:${b}`) && r() < 0.7;
      const cover = coverWindow(from, to, (res, b) => sealed.has(`${res}:${b}`), GRAPH_TIERS, prefix, suffix);
      const hit = new Map<number, number>();
      let prevEnd = from;
      for (const c of cover) {
        expect(c.from).toBe(prevEnd); // oldest first, no gaps
        prevEnd = c.to;
        if (c.res > 1) {
          expect(sealed.has(`${c.res}:${c.from}`)).toBe(true);
          expect(c.to - c.from).toBe(c.res);
        }
        const p = prefixOf(c.res);
        const sfx = suffixOf(c.res);
        if (p) {
          // The bucket's first k children, starting at its start.
          const child = GRAPH_TIERS[GRAPH_TIERS.indexOf(p.tier as (typeof GRAPH_TIERS)[number]) - 1];
          expect([c.from % p.tier, c.to - c.from]).toEqual([0, p.k * child]);
        }
        if (sfx) {
          // Child j to the bucket's end.
          const child = GRAPH_TIERS[GRAPH_TIERS.indexOf(sfx.tier as (typeof GRAPH_TIERS)[number]) - 1];
          expect([c.to % sfx.tier, c.from % sfx.tier]).toEqual([0, sfx.j * child]);
        }
        for (let m = c.from; m < c.to; m++) hit.set(m, (hit.get(m) ?? 0) + 1);
      }
      expect(prevEnd).toBe(to);
      expect(hit.size).toBe(to - from);
      for (const n of hit.values()) expect(n).toBe(1);
    }
  });

  it('uses one day block for a whole sealed day', () => {
    const cover = coverWindow(T0_MINUTE, T0_MINUTE + 1440, (res) => res === 1440);
    expect(cover).toEqual([{ res: 1440, from: T0_MINUTE, to: T0_MINUTE + 1440 }]);
  });
});

interface Cell {
  minute: number;
  source: string;
  target: string;
  calls: number;
  errors: number;
  lat: LatencySketch;
  srv?: LatencySketch;
}

describe('graph blocks through LiveDb and the graph API', () => {
  it('answer every window exactly as merging the minutes would, through sealing and late writes', () => {
    const file = tempDb();
    const db = new LiveDb(file);
    db.claim('t', T0_MINUTE * 60_000, 1e12);
    const r = rng(3);
    const services = ['web', 'orders', 'stock', 'pay', 'mail'];
    const cells: Cell[] = [];
    const nodeCells: { minute: number; id: string; calls: number; lat: LatencySketch }[] = [];
    const MINUTES = 1600; // more than a day: every tier seals
    const delta = (minutes: number[]): RollupDelta => {
      const d = new RollupDelta();
      for (const minute of minutes) {
        const b: BucketDelta = d.at(minute);
        for (let k = 0; k < 3; k++) {
          const source = services[Math.floor(r() * services.length)];
          const target = services[Math.floor(r() * services.length)];
          if (source === target) continue;
          const e = b.edge(source, target, 'sync');
          const c: Cell = { minute, source, target, calls: 0, errors: 0, lat: new LatencySketch(ROLLUP_ACCURACY) };
          const n = 1 + Math.floor(r() * 4);
          for (let i = 0; i < n; i++) {
            const ms = r() < 0.02 ? 0 : Math.exp(r() * 10 - 3);
            const err = r() < 0.1;
            const server = r() < 0.7 ? ms * 0.8 : undefined;
            b.call(e, `trace-${minute}-${i}`, ms, err, server);
            c.calls++;
            if (err) c.errors++;
            c.lat.add(ms);
            if (server !== undefined) (c.srv ??= new LatencySketch(ROLLUP_ACCURACY)).add(server);
          }
          cells.push(c);
        }
        const svc = services[Math.floor(r() * services.length)];
        const nd = b.node(svc, 'service');
        const lat = new LatencySketch(ROLLUP_ACCURACY);
        const v = Math.exp(r() * 6);
        b.hit(nd, v, false);
        lat.add(v);
        nodeCells.push({ minute, id: svc, calls: 1, lat });
        b.op(svc, `op-${Math.floor(r() * 3)}`).calls++;
      }
      return d;
    };
    for (let m = 0; m < MINUTES; m++) {
      // Mostly the current minute; sometimes a late one, up to 10 hours back, into sealed blocks.
      const minutes = [T0_MINUTE + m];
      if (m > 30 && r() < 0.15) minutes.push(T0_MINUTE + m - 1 - Math.floor(r() * Math.min(m - 1, 600)));
      const ok = db.flush({
        owner: 't', fromSeq: 0, toSeq: 0, maxTraceKey: 0, nowMs: (T0_MINUTE + m + 1) * 60_000 + 5_000, leaseMs: 1e12,
        delta: delta(minutes), tiers: [1, 60], pendingAdded: [], pendingRemoved: [], pendingDropped: 0, pendingClients: 0, flushes: db.state()!.flushes,
      });
      expect(ok).toBe(true);
    }
    const sealedTiers = new Set((db.db.prepare('SELECT DISTINCT res FROM graph_blocks WHERE res > 0').pluck().all() as number[]));
    expect([...sealedTiers].sort((a, b) => a - b)).toEqual([...GRAPH_TIERS]);
    db.close();

    const nowMs = (T0_MINUTE + MINUTES) * 60_000 + 30_000;
    const store = openStore(file);
    const reader = new RollupReader(file);
    const q = new Query({ store, rollups: reader, graphCacheMs: 0, now: () => nowMs });
    const windows: [number, number][] = [
      [T0_MINUTE, T0_MINUTE + 1440],
      [T0_MINUTE - 100, T0_MINUTE + MINUTES + 100],
      [T0_MINUTE + 7, T0_MINUTE + 8],
    ];
    for (let i = 0; i < 25; i++) {
      const from = T0_MINUTE + Math.floor(r() * MINUTES);
      windows.push([from, from + 1 + Math.floor(r() * (MINUTES - (from - T0_MINUTE)))]);
    }
    let coarse = 0;
    for (const [from, to] of windows) {
      coarse += reader.graphBlocks(from, to).cover.filter((c) => c.res > 1).length;
      const g = q.graph({ fromMs: from * 60_000, toMs: to * 60_000 });
      const want = new Map<string, { calls: number; errors: number; lat: LatencySketch; srv?: LatencySketch }>();
      for (const c of cells) {
        if (c.minute < from || c.minute >= to) continue;
        const id = `${c.source}->${c.target}|sync`;
        let w = want.get(id);
        if (!w) want.set(id, (w = { calls: 0, errors: 0, lat: new LatencySketch(ROLLUP_ACCURACY) }));
        w.calls += c.calls;
        w.errors += c.errors;
        w.lat.merge(c.lat);
        if (c.srv) (w.srv ??= new LatencySketch(ROLLUP_ACCURACY)).merge(c.srv);
      }
      expect(g.edges.map((e) => e.id)).toEqual([...want.keys()].sort());
      for (const e of g.edges) {
        const w = want.get(e.id)!;
        const s = w.lat.summary();
        expect([e.calls, e.errors, e.p50Ms, e.p75Ms, e.p95Ms, e.p99Ms]).toEqual([w.calls, w.errors, s.p50Ms, s.p75Ms, s.p95Ms, s.p99Ms]);
        const ss = w.srv?.summary();
        expect([e.serverP50Ms, e.serverP95Ms, e.serverP99Ms]).toEqual([ss?.p50Ms, ss?.p95Ms, ss?.p99Ms]);
        expect(e.traceIds.length).toBeGreaterThan(0);
      }
      const wantNodes = new Map<string, { calls: number; lat: LatencySketch }>();
      for (const n of nodeCells) {
        if (n.minute < from || n.minute >= to) continue;
        let w = wantNodes.get(n.id);
        if (!w) wantNodes.set(n.id, (w = { calls: 0, lat: new LatencySketch(ROLLUP_ACCURACY) }));
        w.calls += n.calls;
        w.lat.merge(n.lat);
      }
      for (const n of g.nodes) {
        const w = wantNodes.get(n.id);
        const s = w?.lat.summary() ?? { p50Ms: 0, p75Ms: 0, p95Ms: 0, p99Ms: 0 };
        expect([n.calls, n.p50Ms, n.p99Ms]).toEqual([w?.calls ?? 0, s.p50Ms, s.p99Ms]);
      }
    }
    // The windows were answered from sealed blocks, not only minutes.
    expect(coarse).toBeGreaterThan(windows.length);
    q.close();
  });

  it('runs every write transaction (flush, each seal and prefix/suffix merge, each prune) alone inside runLocked', () => {
    const file = tempDb();
    const db = new LiveDb(file);
    db.claim('t', 0, 1e12);
    let depth = 0;
    let locked = 0;
    let begins = 0;
    db.runLocked = (f) => {
      depth++;
      locked++;
      try {
        return f();
      } finally {
        depth--;
      }
    };
    const exec = db.db.exec.bind(db.db);
    db.db.exec = (sql: string) => {
      if (sql.startsWith('BEGIN')) {
        // One transaction per lock hold: the collector's writers never wait behind a string of them.
        expect(depth).toBe(1);
        begins++;
      }
      return exec(sql);
    };
    const B = T0_MINUTE + 20;
    for (let m = B; m < B + 16; m++) {
      const d = new RollupDelta();
      const b = d.at(m);
      b.call(b.edge('web', 'orders', 'sync'), `id-${m}`, 10, false, 5);
      // Each minute flushed 20 s into the next, so the seal pass (every 15 s) finds quiet buckets.
      expect(db.flush({ owner: 't', fromSeq: 0, toSeq: 0, maxTraceKey: 0, nowMs: (m + 1) * 60_000 + 20_000, leaseMs: 1e12, delta: d, tiers: [1], pendingAdded: [], pendingRemoved: [], pendingDropped: 0, pendingClients: 0, flushes: db.state()!.flushes })).toBe(true);
    }
    const sealed = db.db.prepare('SELECT count(*) FROM graph_blocks WHERE res = 5').pluck().get() as number;
    expect(sealed).toBeGreaterThan(0);
    expect(begins).toBeGreaterThan(16);
    expect(locked).toBeGreaterThanOrEqual(begins);
    db.prune(1, B + 60);
    expect(depth).toBe(0);
    db.close();
  });

  it('answer the newest minutes from a prefix block of their 5-minute bucket, through late writes and sealing', () => {
    const file = tempDb();
    const db = new LiveDb(file);
    db.claim('t', 0, 1e12);
    const values = new Map<number, number[]>();
    const flush = (minute: number, ms: number[], nowMinute = minute) => {
      const d = new RollupDelta();
      const b = d.at(minute);
      const e = b.edge('web', 'orders', 'sync');
      for (const v of ms) b.call(e, `id-${minute}`, v, false, v / 2);
      b.hit(b.node('orders', 'service'), ms[0], false);
      values.set(minute, [...(values.get(minute) ?? []), ...ms]);
      expect(db.flush({ owner: 't', fromSeq: 0, toSeq: 0, maxTraceKey: 0, nowMs: (nowMinute + 1) * 60_000 - 30_000, leaseMs: 1e12, delta: d, tiers: [1], pendingAdded: [], pendingRemoved: [], pendingDropped: 0, pendingClients: 0, flushes: db.state()!.flushes })).toBe(true);
    };
    const B = T0_MINUTE + 20;
    const reader = new RollupReader(file);
    const store = openStore(file);
    const q = new Query({ store, rollups: reader, graphCacheMs: 0, now: () => (B + 5) * 60_000 });
    const prefixes = () => db.db.prepare('SELECT res, bucket FROM graph_blocks WHERE res < 0 AND -res % 100 < 50 ORDER BY bucket, res').raw().all();
    // Each window against merging the minutes' own values.
    const check = (from: number, to: number) => {
      const e = q.graph({ fromMs: from * 60_000, toMs: to * 60_000 }).edges[0];
      const lat = new LatencySketch(ROLLUP_ACCURACY);
      const srv = new LatencySketch(ROLLUP_ACCURACY);
      let calls = 0;
      for (let m = from; m < to; m++) {
        for (const v of values.get(m) ?? []) {
          lat.add(v);
          srv.add(v / 2);
          calls++;
        }
      }
      expect([e.calls, e.p50Ms, e.p99Ms, e.serverP99Ms], `[${from - B}, ${to - B})`).toEqual([calls, lat.summary().p50Ms, lat.summary().p99Ms, srv.summary().p99Ms]);
    };
    for (let m = B - 7; m < B + 2; m++) flush(m, [10 + m - B, 3]);
    // Writing minute B + 1: nothing to join yet (a prefix is two minutes or more).
    expect(prefixes()).toEqual([[prefixRes(5, 4), B - 5]]);
    flush(B + 2, [40]);
    // The bucket before is sealed by now (2 minutes over and quiet): its prefix went with it.
    expect(prefixes()).toEqual([[prefixRes(5, 2), B]]);
    expect(reader.graphBlocks(B - 7, B + 3).cover).toEqual([
      { res: 1, from: B - 7, to: B - 5 },
      { res: 5, from: B - 5, to: B },
      { res: prefixRes(5, 2), from: B, to: B + 2 },
      { res: 1, from: B + 2, to: B + 3 },
    ]);
    for (const [from, to] of [[B - 7, B + 3], [B, B + 3], [B + 1, B + 3], [B - 1, B + 2], [B, B + 1], [B - 5, B - 1]]) check(from, to);
    // A late write into a minute a prefix holds reaches the prefix too.
    flush(B + 1, [500, 600], B + 3);
    flush(B + 3, [7]);
    // The longer prefix replaces the shorter one, and holds the late write.
    expect(prefixes()).toEqual([[prefixRes(5, 3), B]]);
    const body = (res: number, bucket: number) => db.db.prepare('SELECT body FROM graph_blocks WHERE res = ? AND bucket = ?').pluck().get(res, bucket) as Buffer;
    const minutes = mergeBlocks([body(1, B), body(1, B + 1), body(1, B + 2)], ROLLUP_ACCURACY).body;
    const content = (b: Uint8Array) => {
      const out: unknown[] = [];
      const m = new BlockMerge([b], ROLLUP_ACCURACY);
      m.edges((e) => out.push([e.key, e.calls, e.errors, e.lat.toJson(ROLLUP_ACCURACY), e.srv.toJson(ROLLUP_ACCURACY)]));
      m.nodes((n) => out.push([n.key, n.calls, n.lat.toJson(ROLLUP_ACCURACY)]));
      return out;
    };
    expect(content(body(prefixRes(5, 3), B))).toEqual(content(minutes));
    for (const [from, to] of [[B - 7, B + 4], [B, B + 4], [B - 3, B + 5], [B + 2, B + 4]]) check(from, to);
    // Sealing the 5-minute blocks drops their prefixes; the answers stay.
    db.sealBlocks({ nowMs: (B + 20) * 60_000, force: true });
    expect(prefixes()).toEqual([]);
    for (const [from, to] of [[B - 7, B + 4], [B, B + 5]]) check(from, to);
    q.close();
    db.close();
  });

  it('answer windows up to now from prefixes of every tier, all along a day of writes, late ones included', () => {
    const file = tempDb();
    const db = new LiveDb(file);
    db.claim('t', 0, 1e12);
    const r = rng(41);
    const values = new Map<number, number[]>();
    const reader = new RollupReader(file);
    const store = openStore(file);
    let now = T0_MINUTE;
    const q = new Query({ store, rollups: reader, graphCacheMs: 0, now: () => now * 60_000 + 30_000 });
    const write = (minute: number, nowMinute: number) => {
      const d = new RollupDelta();
      const b = d.at(minute);
      const e = b.edge('web', 'orders', 'sync');
      const ms = Array.from({ length: 1 + Math.floor(r() * 3) }, () => Math.exp(r() * 8 - 2));
      for (const v of ms) b.call(e, `id-${minute}`, v, false, v / 2);
      values.set(minute, [...(values.get(minute) ?? []), ...ms]);
      expect(db.flush({ owner: 't', fromSeq: 0, toSeq: 0, maxTraceKey: 0, nowMs: nowMinute * 60_000 + 30_000, leaseMs: 1e12, delta: d, tiers: [1], pendingAdded: [], pendingRemoved: [], pendingDropped: 0, pendingClients: 0, flushes: db.state()!.flushes })).toBe(true);
    };
    const prefixTiers = new Set<number>();
    const suffixTiers = new Set<number>();
    for (now = T0_MINUTE; now < T0_MINUTE + 900; now++) {
      write(now, now);
      // Now and then a late one, up to two hours back (into prefixes and sealed blocks alike).
      if (r() < 0.2) write(now - 1 - Math.floor(r() * Math.min(120, now - T0_MINUTE)), now);
      if ((now - T0_MINUTE) % 7 !== 3) continue;
      for (const minutes of [2, 7, 20, 60, 150, 400, 900]) {
        const from = now + 1 - minutes;
        for (const c of reader.graphBlocks(from, now + 1).cover) {
          if (prefixOf(c.res)) prefixTiers.add(prefixOf(c.res)!.tier);
          if (suffixOf(c.res)) suffixTiers.add(suffixOf(c.res)!.tier);
        }
        const e = q.graph({ fromMs: from * 60_000, toMs: (now + 1) * 60_000 }).edges[0];
        const lat = new LatencySketch(ROLLUP_ACCURACY);
        const srv = new LatencySketch(ROLLUP_ACCURACY);
        let calls = 0;
        for (let m = from; m <= now; m++) {
          for (const v of values.get(m) ?? []) {
            lat.add(v);
            srv.add(v / 2);
            calls++;
          }
        }
        const s = lat.summary();
        expect([e.calls, e.p50Ms, e.p75Ms, e.p99Ms, e.serverP95Ms], `${minutes} min up to ${now - T0_MINUTE}`).toEqual([calls, s.p50Ms, s.p75Ms, s.p99Ms, srv.summary().p95Ms]);
      }
    }
    // Prefixes and suffixes of 5-minute buckets, quarters of an hour, hours of 6 and 6 hours of a
    // day all answered.
    expect([...prefixTiers].sort((a, b) => a - b)).toEqual([5, 15, 60, 360, 1440]);
    expect([...suffixTiers].sort((a, b) => a - b)).toEqual([5, 15, 60, 360]);
    q.close();
    db.close();
  });

  it('seals the coarse blocks before retention deletes their minutes, and prunes every tier', () => {
    const file = tempDb();
    const db = new LiveDb(file);
    db.claim('t', 0, 1e12);
    const d = new RollupDelta();
    const e = d.at(T0_MINUTE + 3).edge('web', 'orders', 'sync');
    d.at(T0_MINUTE + 3).call(e, 'x', 12, false, 10);
    db.flush({ owner: 't', fromSeq: 0, toSeq: 0, maxTraceKey: 0, nowMs: (T0_MINUTE + 4) * 60_000, leaseMs: 1e12, delta: d, tiers: [1, 60], pendingAdded: [], pendingRemoved: [], pendingDropped: 0, pendingClients: 0, flushes: db.state()!.flushes });
    const tiers = () => db.db.prepare('SELECT res FROM graph_blocks ORDER BY res').pluck().all();
    expect(tiers()).toEqual([1]); // the minute only: nothing is over yet
    expect(db.prune(1, T0_MINUTE + 2 * 1440)).toBeGreaterThan(0);
    expect(tiers()).toEqual([60, 360, 1440]);
    const reader = new RollupReader(file);
    const store = openStore(file);
    const q = new Query({ store, rollups: reader, graphCacheMs: 0, now: () => (T0_MINUTE + 3000) * 60_000 });
    expect(q.graph({ fromMs: T0_MINUTE * 60_000, toMs: (T0_MINUTE + 60) * 60_000 }).edges.map((x) => [x.id, x.calls])).toEqual([['web->orders|sync', 1]]);
    expect(q.graph({ fromMs: T0_MINUTE * 60_000, toMs: (T0_MINUTE + 10) * 60_000 }).edges).toEqual([]);
    // The hour tier goes only once a block lies wholly before the limit.
    db.prune(60, T0_MINUTE + 1439);
    expect(tiers()).toEqual([1440]);
    db.prune(60, T0_MINUTE + 1440);
    expect(tiers()).toEqual([]);
    q.close();
    db.close();
  });

  it('are built once from the per-row edge rollups of a database written before them', () => {
    const file = tempDb();
    // What the previous writer left: edge, node and operation rows of a minute and its hour.
    const raw = new Database(file);
    const lat = new LatencySketch(ROLLUP_ACCURACY);
    const srv = new LatencySketch(ROLLUP_ACCURACY);
    for (let i = 1; i <= 40; i++) {
      lat.add(i * 1.5);
      srv.add(i);
    }
    const insEdge = raw.prepare('INSERT INTO edge_rollups (res, bucket, source, target, kind, calls, errors, paired, unpaired, latency, server_latency, peer_service, trace_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const insNode = raw.prepare('INSERT INTO node_rollups (res, bucket, node_id, kind, calls, errors, latency, self_ms, loose_ms) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0)');
    const insOp = raw.prepare('INSERT INTO operation_rollups (res, bucket, service, operation, calls, errors, latency, self_ms) VALUES (?, ?, ?, ?, 1, 0, ?, 0)');
    for (const [res, bucket] of [[1, T0_MINUTE + 2], [60, T0_MINUTE]]) {
      insEdge.run(res, bucket, 'web', 'orders', 'sync', 40, 3, 40, 0, Buffer.from(encodeSketch(lat)), Buffer.from(encodeSketch(srv)), null, 'aa,bb');
      insEdge.run(res, bucket, 'web', 'ext:pay', 'sync', 2, 0, 0, 2, Buffer.from(encodeSketch(lat)), null, 'pay', 'cc');
      insNode.run(res, bucket, 'orders', 'service', 40, 3, Buffer.from(encodeSketch(srv)));
      insOp.run(res, bucket, 'orders', 'GET /item', Buffer.from(encodeSketch(srv)));
    }
    raw.close();
    const db = new LiveDb(file);
    expect(db.db.prepare('SELECT res, bucket FROM graph_blocks ORDER BY res').raw().all()).toEqual([[1, T0_MINUTE + 2], [60, T0_MINUTE]]);
    expect(db.backfillBlocks()).toBe(0); // once
    db.close();
    const store = openStore(file);
    const q = new Query({ store, rollups: new RollupReader(file), graphCacheMs: 0, now: () => (T0_MINUTE + 90) * 60_000 });
    const s = lat.summary();
    const ss = srv.summary();
    for (const w of [{ fromMs: T0_MINUTE * 60_000, toMs: (T0_MINUTE + 5) * 60_000 }, { fromMs: T0_MINUTE * 60_000, toMs: (T0_MINUTE + 60) * 60_000 }]) {
      const g = q.graph(w);
      const e = g.edges.find((x) => x.id === 'web->orders|sync')!;
      expect([e.calls, e.errors, e.paired, e.p50Ms, e.p99Ms, e.serverP95Ms, e.traceIds]).toEqual([40, 3, 40, s.p50Ms, s.p99Ms, ss.p95Ms, ['aa', 'bb']]);
      expect(g.edges.find((x) => x.id === 'web->ext:pay|sync')?.calls).toBe(2);
      const n = g.nodes.find((x) => x.id === 'orders')!;
      expect([n.calls, n.p50Ms, n.operations]).toEqual([40, ss.p50Ms, 1]);
    }
    q.close();
  });
});
