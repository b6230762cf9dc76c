// Graph API benchmark (issue 3): GET /api/v1/graph over 1,000 services and 10,000 edges, answered
// from the rollups. Fills `--minutes` of rollups through the live analyzer's own writer, one flush
// per minute on a simulated clock just after that minute (so coarse graph blocks are sealed as they
// would be live; every edge and service active every minute: the worst case for a window query),
// and reports the CPU cost of each flush. Then times Query.graphJson — the bytes the route handler
// sends (graph-json.ts writes them) — for the dashboard's windows (last 5 min, 15 min, 1 h, 6 h,
// 24 h) and random arbitrary from/to windows, without result caching ("cold": every request
// rebuilds from the database), after one warm-up pass over the windows (JIT); the first request of
// a freshly opened reader; and GET /api/v1/services over the last 15 minutes (Query.servicesJson).
// Target: graph p95 ≤ 100 ms.
//
//   npm run bench:graph-api -- [--services 1000] [--edges 10000] [--minutes 60] [--runs 20] [--keep DIR]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RollupDelta } from '../lib/live/delta.ts';
import { Query } from '../lib/query/query.ts';
import { openStore } from '../lib/store/index.ts';
import { LiveDb } from '../lib/store/rollups/live-db.ts';
import { RollupReader } from '../lib/store/rollups/reader.ts';

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const SERVICES = flag('services', 1000);
const EDGES = flag('edges', 10_000);
const MINUTES = flag('minutes', 60);
const RUNS = flag('runs', 20);

// Deterministic pseudo-random numbers: the same data every run.
let seed = 42;
function rnd(): number {
  // xorshift32 in 32-bit integer arithmetic (a float LCG loses precision and cycles early).
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function time(runs: number, f: (i: number) => unknown): number[] {
  f(-1); // warm up (JIT, page cache)
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f(i);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

function cpuMs(f: () => unknown): number {
  const c = process.cpuUsage();
  f();
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1000;
}

async function main(): Promise<void> {
  // --keep DIR: build the data once into DIR and reuse it on later runs (for profiling).
  const keep = process.argv.includes('--keep') ? process.argv[process.argv.indexOf('--keep') + 1] : undefined;
  const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-graph-'));
  fs.mkdirSync(dir, { recursive: true });
  const dbPath = path.join(dir, 'graph.db');
  const reuse = keep !== undefined && fs.existsSync(dbPath);
  openStore(dbPath).close();
  const svc = (i: number) => `svc-${String(i).padStart(4, '0')}`;
  const edges: [string, string][] = [];
  const seen = new Set<string>();
  while (edges.length < EDGES) {
    const a = Math.floor(rnd() * SERVICES);
    const b = Math.floor(rnd() * SERVICES);
    if (a === b || seen.has(`${a}>${b}`)) continue;
    seen.add(`${a}>${b}`);
    edges.push([svc(a), svc(b)]);
  }
  const startMinute = reuse ? Number(fs.readFileSync(path.join(dir, 'start-minute'), 'utf8')) : Math.floor(Date.now() / 60_000) - MINUTES;
  if (!reuse) fill(dbPath, edges, startMinute, svc);
  const bytes = fs.statSync(dbPath).size + (fs.existsSync(`${dbPath}-wal`) ? fs.statSync(`${dbPath}-wal`).size : 0);
  console.log(`faultline graph API benchmark: ${SERVICES} services, ${EDGES} edges, ${MINUTES} minutes of rollups (every edge every minute), ${(bytes / 1e6).toFixed(0)} MB; ${os.cpus().length} CPUs`);
  if (keep) fs.writeFileSync(path.join(dir, 'start-minute'), String(startMinute));
  // Mid-minute, just after the last filled minute, as a live dashboard would ask.
  const now = (startMinute + MINUTES) * 60_000 + 23_000;
  measure(dbPath, startMinute, now);
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
}

function fill(dbPath: string, edges: [string, string][], startMinute: number, svc: (i: number) => string): void {
  const db = new LiveDb(dbPath);
  db.claim('bench', startMinute * 60_000, 1e12);
  const t0 = performance.now();
  const cursor = 0;
  const flushCpu: number[] = [];
  const flushWall: number[] = [];
  let bytes = 0;
  let sealed = 0;
  for (let m = 0; m < MINUTES; m++) {
    const delta = new RollupDelta();
    const b = delta.at(startMinute + m);
    for (const [from, to] of edges) {
      const e = b.edge(from, to, 'sync');
      const calls = 1 + Math.floor(rnd() * 6);
      for (let k = 0; k < calls; k++) {
        const ms = 2 + rnd() * 200;
        b.call(e, 'ab'.repeat(16), ms, rnd() < 0.02, ms * 0.9);
        e.paired++;
      }
    }
    for (let i = 0; i < SERVICES; i++) {
      const n = b.node(svc(i), 'service');
      for (let k = 0; k < 6; k++) b.hit(n, 2 + rnd() * 200, rnd() < 0.02);
      for (let k = 0; k < 3; k++) {
        const op = b.op(svc(i), `GET /op${k}`);
        op.calls += 2;
        op.lat.add(5 + rnd() * 100);
        op.lat.add(5 + rnd() * 100);
      }
      if (m === 0) delta.info({ id: svc(i), kind: 'service', name: svc(i) });
    }
    // The analyzer flushes every pass; here one flush per minute, 5 s after it ends.
    const nowMs = (startMinute + m + 1) * 60_000 + 5_000;
    let ok = false;
    const w = performance.now();
    flushCpu.push(cpuMs(() => {
      ok = db.flush({
        owner: 'bench', fromSeq: cursor, toSeq: cursor, maxTraceKey: 0, nowMs, leaseMs: 1e12,
        delta, tiers: [1, 60], pendingAdded: [], pendingRemoved: [], pendingDropped: 0, pendingClients: 0, flushes: db.state()!.flushes,
      });
    }));
    flushWall.push(performance.now() - w);
    if (!ok) throw new Error('flush refused');
    bytes += db.lastBlockStats.bytesWritten;
    sealed += db.lastBlockStats.sealed;
  }
  // Live ingest at 50k spans/s: passes of ~20,000 spans (the analyzer's chunk), each a delta of
  // ~10,000 calls over random edges, several per minute into the same minute block.
  const passCpu: number[] = [];
  const liveMinute = startMinute + MINUTES;
  for (let pass = 0; pass < 10; pass++) {
    const delta = new RollupDelta();
    const b = delta.at(liveMinute);
    for (let k = 0; k < 10_000; k++) {
      const [from, to] = edges[Math.floor(rnd() * edges.length)];
      const ms = 2 + rnd() * 200;
      b.call(b.edge(from, to, 'sync'), 'cd'.repeat(16), ms, rnd() < 0.02, ms * 0.9);
      b.hit(b.node(to, 'service'), ms * 0.9, false);
    }
    const nowMs = liveMinute * 60_000 + 5_000 + pass * 400;
    passCpu.push(cpuMs(() => db.flush({
      owner: 'bench', fromSeq: cursor, toSeq: cursor, maxTraceKey: 0, nowMs, leaseMs: 1e12,
      delta, tiers: [1, 60], pendingAdded: [], pendingRemoved: [], pendingDropped: 0, pendingClients: 0, flushes: db.state()!.flushes,
    })));
  }
  db.close();
  const passMean = passCpu.reduce((x, y) => x + y, 0) / passCpu.length;
  const sorted = flushCpu.slice().sort((x, y) => x - y);
  const mean = flushCpu.reduce((x, y) => x + y, 0) / flushCpu.length;
  console.log(`rollups written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(
    `flush of one minute (${EDGES} edges, ${SERVICES} services, ${SERVICES * 3} operations; minute block + seal pass): ` +
      `CPU mean ${mean.toFixed(1)} ms, p50 ${pct(sorted, 50).toFixed(1)} ms, p95 ${pct(sorted, 95).toFixed(1)} ms, max ${sorted[sorted.length - 1].toFixed(1)} ms; ` +
      `wall p50 ${pct(flushWall.slice().sort((x, y) => x - y), 50).toFixed(1)} ms; graph blocks ${(bytes / MINUTES / 1e6).toFixed(2)} MB/flush; ${sealed} coarse blocks sealed`,
  );
  console.log(
    `live pass flush (10,000 calls on random edges into a minute already holding ${EDGES} edges): CPU mean ${passMean.toFixed(1)} ms, ` +
      `max ${Math.max(...passCpu).toFixed(1)} ms; at 50k spans/s (2.5 passes of 20,000 spans/s) ≈ ${((passMean * 2.5) / 10).toFixed(0)}% of a core`,
  );
}

function measure(dbPath: string, startMinute: number, now: number): void {
  const store = openStore(dbPath);
  const q = new Query({ store, rollups: new RollupReader(dbPath), graphCacheMs: 0, now: () => now });
  const last15 = { fromMs: now - 15 * 60_000, toMs: now };
  const g = q.graph(last15);
  console.log(`graph of the last 15 min: ${g.nodes.length} nodes, ${g.edges.length} edges, ${q.graphJson(last15).length} bytes of JSON`);
  const report = (label: string, ms: number[], extra = '') =>
    console.log(`${label}: p50 ${pct(ms, 50).toFixed(1)} ms, p95 ${pct(ms, 95).toFixed(1)} ms, max ${ms[ms.length - 1].toFixed(1)} ms (${ms.length} runs)${extra}`);
  const blocks = (w: { fromMs: number; toMs: number }) => {
    const a = { from: Math.floor(w.fromMs / 60_000), to: Math.ceil(w.toMs / 60_000) };
    return q.rollups.graphBlocks(a.from, a.to).bodies.length;
  };
  const windows: [string, number][] = [['5 min', 5], ['15 min', 15], ['1 h', 60], ['6 h', 360], ['24 h', 1440]];
  // A server answers many requests: let the JIT settle on every window first (otherwise the first
  // window measured pays for compiling the merge and writer code).
  for (let k = 0; k < 2; k++) for (const [, minutes] of windows) q.graphJson({ fromMs: now - minutes * 60_000, toMs: now });
  for (const [label, minutes] of windows) {
    const w = { fromMs: now - minutes * 60_000, toMs: now };
    let cpu = 0;
    const ms = time(RUNS, (i) => {
      const c = process.cpuUsage();
      q.graphJson(w);
      const d = process.cpuUsage(c);
      if (i >= 0) cpu += (d.user + d.system) / 1000;
    });
    report(`GET /api/v1/graph, last ${label}, cold (no result cache)`, ms, `; CPU mean ${(cpu / RUNS).toFixed(1)} ms; ${blocks(w)} blocks`);
  }
  // Arbitrary from/to: ragged ends anywhere in (and around) the filled span, any length.
  const span = MINUTES * 60_000;
  const dataStart = startMinute * 60_000;
  const arbitrary = Array.from({ length: RUNS + 1 }, () => {
    const from = dataStart - 10 * 60_000 + Math.floor(rnd() * (span + 10 * 60_000));
    return { fromMs: from, toMs: from + 60_000 + Math.floor(rnd() * Math.max(span, 1440 * 60_000)) };
  });
  let maxBlocks = 0;
  for (const w of arbitrary) maxBlocks = Math.max(maxBlocks, blocks(w));
  let arbitraryCpu = 0;
  const arbitraryMs = time(RUNS, (i) => {
    const c = process.cpuUsage();
    q.graphJson(arbitrary[i + 1]);
    const d = process.cpuUsage(c);
    if (i >= 0) arbitraryCpu += (d.user + d.system) / 1000;
  });
  report('GET /api/v1/graph, arbitrary from/to (random ragged windows of 1 min to 24 h), cold', arbitraryMs, `; CPU mean ${(arbitraryCpu / RUNS).toFixed(1)} ms; up to ${maxBlocks} blocks`);
  const warm = new Query({ store, rollups: new RollupReader(dbPath), now: () => now });
  report('GET /api/v1/graph, last 15 min, warm: no rollup of the window changed since the last build', time(RUNS, () => warm.graphJson(last15)));
  warm.rollups.close();
  // A freshly opened reader also reads the rollup key dictionary once.
  report(
    'GET /api/v1/graph, last 15 min, first request of a freshly opened reader',
    time(Math.min(RUNS, 10), () => {
      const fresh = new Query({ store, rollups: new RollupReader(dbPath), graphCacheMs: 0, now: () => now });
      fresh.graphJson(last15);
      fresh.rollups.close();
    }),
  );
  let svcCpu = 0;
  let svcBytes = 0;
  const svc = time(RUNS, (i) => {
    const c = process.cpuUsage();
    svcBytes = q.servicesJson({ ...last15, stepMs: 60_000 }).length;
    const d = process.cpuUsage(c);
    if (i >= 0) svcCpu += (d.user + d.system) / 1000;
  });
  report('GET /api/v1/services, last 15 min, step 1m, cold', svc, `; CPU mean ${(svcCpu / RUNS).toFixed(1)} ms; ${svcBytes} bytes of JSON`);
  q.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
