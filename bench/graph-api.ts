// Graph API benchmark (issue 3): GET /api/v1/graph over 1,000 services and 10,000 edges, answered
// from the rollups. Fills an hour of per-minute rollups through the live analyzer's own writer
// (every edge and service active every minute: the worst case for a window query), then times
// Query.graph — the function the route handler calls — for a 15-minute and a 1-hour window, and
// the services list, without result caching. Target: graph p95 ≤ 100 ms.
//
//   npm run bench:graph-api -- [--services 1000] [--edges 10000] [--minutes 60] [--runs 20]
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

function time(runs: number, f: () => unknown): number[] {
  f(); // warm up (JIT, page cache)
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
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
  const now = keep ? (startMinute + MINUTES) * 60_000 : Date.now();
  measure(dbPath, startMinute, now);
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
}

function fill(dbPath: string, edges: [string, string][], startMinute: number, svc: (i: number) => string): void {
  const db = new LiveDb(dbPath);
  db.claim('bench', Date.now(), 600_000);
  const t0 = performance.now();
  const cursor = 0;
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
    const ok = db.flush({
      owner: 'bench', fromSeq: cursor, toSeq: cursor, maxTraceKey: 0, nowMs: Date.now(), leaseMs: 600_000,
      delta, tiers: [1, 60], pendingAdded: [], pendingRemoved: [], pendingDropped: 0,
    });
    if (!ok) throw new Error('flush refused');
  }
  db.close();
  console.log(`rollups written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

function measure(dbPath: string, startMinute: number, now: number): void {
  const store = openStore(dbPath);
  const q = new Query({ store, rollups: new RollupReader(dbPath), graphCacheMs: 0, now: () => now });
  const last15 = { fromMs: now - 15 * 60_000, toMs: now };
  const hourStart = Math.ceil((startMinute * 60_000) / 3_600_000) * 3_600_000;
  const g = q.graph(last15);
  console.log(`graph of the last 15 min: ${g.nodes.length} nodes, ${g.edges.length} edges, ${JSON.stringify(g).length} bytes of JSON`);
  const report = (label: string, ms: number[]) => console.log(`${label}: p50 ${pct(ms, 50).toFixed(1)} ms, p95 ${pct(ms, 95).toFixed(1)} ms, max ${ms[ms.length - 1].toFixed(1)} ms (${ms.length} runs)`);
  report('GET /api/v1/graph, last 15 min (minute rollups), cold: rebuilt from the rollups every time', time(RUNS, () => JSON.stringify(q.graph(last15))));
  const warm = new Query({ store, rollups: new RollupReader(dbPath), now: () => now });
  report('GET /api/v1/graph, last 15 min, warm: no rollup of the window changed since the last build', time(RUNS, () => JSON.stringify(warm.graph(last15))));
  warm.rollups.close();
  if (hourStart + 3_600_000 <= now) {
    report('GET /api/v1/graph, one whole hour (hour rollups)', time(RUNS, () => JSON.stringify(q.graph({ fromMs: hourStart, toMs: hourStart + 3_600_000 }))));
  }
  report(`GET /api/v1/graph, last ${MINUTES} min (hour + minute rollups)`, time(RUNS, () => JSON.stringify(q.graph({ fromMs: now - MINUTES * 60_000, toMs: now }))));
  report('GET /api/v1/services, last 15 min, step 1m', time(RUNS, () => JSON.stringify(q.services({ ...last15, stepMs: 60_000 }))));
  q.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
