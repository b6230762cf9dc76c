// GET /api/v1/graph writes its body as bytes (lib/query/graph-json.ts, json-bytes.ts) instead of
// JSON.stringify: the bytes must be exactly what JSON.stringify of the response objects gives —
// numbers, escapes, optional fields, database and queue nodes, resolved peers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { round3, round6 } from '../../lib/analysis/stats/sketch.ts';
import { RollupDelta } from '../../lib/live/delta.ts';
import { graphApi } from '../../lib/query/api.ts';
import { JsonBytes } from '../../lib/query/json-bytes.ts';
import { Query } from '../../lib/query/query.ts';
import { openStore } from '../../lib/store/index.ts';
import { LiveDb } from '../../lib/store/rollups/live-db.ts';
import { RollupReader } from '../../lib/store/rollups/reader.ts';
import { rng } from '../store/helpers.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
// Example trace ids the writer must escape or encode (most calls get a plain one).
const ODD_IDS = ['q"uote', 'back\\slash', 'ünïcode-id', 'tab\tid'];
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('JsonBytes', () => {
  it('writes every number as JSON.stringify does', () => {
    const r = rng(11);
    const values = [
      0, -0, 1, -1, 7, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, 2 ** 53 - 1, 2 ** 53, 2 ** 60, -(2 ** 53),
      0.001, 0.1, 0.5, 1.5, 0.000001, 0.0000001, 1e-7, 1e21, 1e22, 123456789.123, 99999999999.999, 1e11 + 0.5,
      NaN, Infinity, -Infinity, 0.1 + 0.2, 1 / 3, Number.MIN_VALUE, Number.MAX_VALUE, -0.001, -123.456,
    ];
    for (let i = 0; i < 12_000; i++) {
      const x = Math.exp(r() * 40 - 20) * (r() < 0.1 ? -1 : 1);
      values.push(x, round3(x), round6(x), Math.round(x), round3(r() * 1000), round6(r()), round6(r() * 3000), round6(r() * 1e-3), Math.round(r() * 2e9) / 1e6);
    }
    const w = new JsonBytes(16);
    for (const v of values) {
      // num() for anything; int(), dec3() and dec6() take their shortcut for counts, thousandths
      // and millionths.
      for (const write of [() => w.num(v), () => w.int(v), () => w.dec3(v), () => w.dec6(v)]) {
        w.p = 0;
        w.reserve(32);
        write();
        expect(text(w.bytes()), String(v)).toBe(JSON.stringify(v));
      }
      // milli() takes a value's thousandths: it writes what JSON.stringify does for round3(v).
      w.p = 0;
      w.reserve(32);
      w.milli(Math.round(v * 1000));
      expect(text(w.bytes()), `milli ${v}`).toBe(JSON.stringify(round3(v)));
    }
  });

  it('writes strings as JSON.stringify does, escapes and non-ASCII included', () => {
    const w = new JsonBytes(4);
    for (const s of ['', 'svc-1', 'a"b', 'back\\slash', 'line\nbreak', '\u0000\u001f', 'ü ñ 日本', '\ud800 lone', '😀', '\u007f', '</script>']) {
      w.p = 0;
      w.reserve(s.length * 6 + 2);
      w.str(s);
      expect(text(w.bytes())).toBe(JSON.stringify(s));
    }
  });
});

describe('graph body as bytes', () => {
  it('is exactly JSON.stringify of the graph response, for every node kind, peers and odd names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-graph-json-'));
    dirs.push(dir);
    const file = path.join(dir, 'g.db');
    openStore(file).close();
    const T0 = 29_466_720;
    const db = new LiveDb(file);
    db.claim('t', T0 * 60_000, 1e12);
    const r = rng(5);
    const written = new Set<string>();
    const services = ['web', 'orders', 'stöck', 'pay "quoted"', 'mail\\box', '123', 'line\nbreak'];
    for (let m = 0; m < 40; m++) {
      const d = new RollupDelta();
      const b = d.at(T0 + m);
      for (let k = 0; k < 12; k++) {
        const s = services[Math.floor(r() * services.length)];
        const t = services[Math.floor(r() * services.length)];
        if (s === t) continue;
        const e = b.edge(s, t, r() < 0.8 ? 'sync' : 'async');
        for (let i = 0; i < 1 + Math.floor(r() * 5); i++) {
          const ms = r() < 0.05 ? 0 : Math.exp(r() * 12 - 4);
          const id = ODD_IDS[(m + k + i) % 9] ?? `t-${m}-${k}-${i}`;
          written.add(id);
          b.call(e, id, ms, r() < 0.1, r() < 0.6 ? ms * 0.7 : undefined);
          if (r() < 0.7) e.paired++;
          else e.unpaired++;
        }
        b.hit(b.node(t, 'service'), Math.exp(r() * 5), r() < 0.05);
        b.op(t, `GET /${k % 3}`).calls++;
      }
      // Uninstrumented peers: one named after a service (resolved onto it), one not.
      const peer = b.edge('web', 'ext:orders', 'sync');
      peer.peerService = 'orders';
      b.call(peer, `p-${m}`, 3 + r() * 20, false);
      b.hit(b.node('ext:orders', 'external'), 4, false);
      const other = b.edge('pay "quoted"', 'ext:api.example.com', 'sync');
      other.peerService = 'api.example.com';
      b.call(other, `q-${m}`, 30 + r() * 20, r() < 0.5);
      b.hit(b.node('ext:api.example.com', 'external'), 40, false);
      const dbEdge = b.edge('orders', 'db:postgresql|pg:5432|shop', 'db');
      b.call(dbEdge, `d-${m}`, 1 + r(), false);
      b.hit(b.node('db:postgresql|pg:5432|shop', 'database'), 1.5, false);
      b.table('db:postgresql|pg:5432|shop', 'orders', 'orders').reads += 2;
      b.table('db:postgresql|pg:5432|shop', 'orders', '123').writes += 1;
      const q = b.edge('orders', 'queue:kafka|events', 'async');
      b.call(q, `k-${m}`, 0.5, false);
      b.hit(b.node('queue:kafka|events', 'queue'), 0.5, false);
      if (m === 0) {
        d.info({ id: 'db:postgresql|pg:5432|shop', kind: 'database', name: 'shop', dbSystem: 'postgresql', address: 'pg:5432', namespace: 'shop', identityKnown: true });
        d.info({ id: 'queue:kafka|events', kind: 'queue', name: 'events', messagingSystem: 'kafka', destination: 'events' });
      }
      const ok = db.flush({
        owner: 't', fromSeq: 0, toSeq: 0, maxTraceKey: 0, nowMs: (T0 + m + 1) * 60_000 + 5_000, leaseMs: 1e12,
        delta: d, tiers: [1, 60], pendingAdded: [], pendingRemoved: [], pendingDropped: 0, pendingClients: 0, flushes: db.state()!.flushes,
      });
      expect(ok).toBe(true);
    }
    db.close();

    const nowMs = (T0 + 30) * 60_000 + 17_000;
    const store = openStore(file);
    const q = new Query({ store, rollups: new RollupReader(file), graphCacheMs: 0, now: () => nowMs });
    let kinds = new Set<string>();
    let withServer = 0;
    const seenIds = new Set<string>();
    for (const [from, to] of [[0, 40], [3, 4], [5, 17], [29, 31], [-10, 100]]) {
      const w = { fromMs: (T0 + from) * 60_000 + 1234, toMs: (T0 + to) * 60_000 };
      const want = JSON.stringify(q.graph(w));
      expect(text(q.graphJson(w))).toBe(want);
      const api = graphApi(q, new URLSearchParams({ from: String(w.fromMs), to: String(w.toMs) }));
      expect(api.status).toBe(200);
      expect(text(api.json!)).toBe(want);
      expect(api.body).toEqual(JSON.parse(want));
      const g = q.graph(w);
      kinds = new Set([...kinds, ...g.nodes.map((n) => n.kind)]);
      withServer += g.edges.filter((e) => e.serverP50Ms !== undefined).length;
      // Example ids come back as they were written (the rows hold them as JSON text).
      for (const e of g.edges) for (const id of e.traceIds) if (!/^[pqdk]-\d+$/.test(id)) expect(written.has(id), id).toBe(true);
      for (const e of g.edges) for (const id of e.traceIds) seenIds.add(id);
    }
    expect(ODD_IDS.filter((id) => seenIds.has(id))).toEqual(ODD_IDS);
    // The windows did exercise every shape the writer knows.
    expect([...kinds].sort()).toEqual(['database', 'external', 'queue', 'service']);
    expect(withServer).toBeGreaterThan(0);
    q.close();
  });
});
