// Analysis benchmark (issue 3). Three measurements, each in its own process so peak RSS is its own:
//  1. full analysis of 1M spans from a file: an OTLP JSON-lines file of a realistic synthetic
//     system (gateway → services → databases, topics, uninstrumented peers) is read with
//     readTraceFile and analyzed by Analyzer (graph, RED and every rule) — target ≤20 s and
//     ≤1 GB peak RSS;
//  2. graph build over 1,000 services and 10,000 edges (GraphAccumulator.build + graphToJson +
//     JSON.stringify, what GET /api/v1/graph does after the rollups are merged) — target p95 ≤100 ms;
//  3. the same 1M spans analyzed from memory by analyzeSpans (graph + RED, no parsing, no rules).
//
//   npm run bench:analysis -- [--spans 1000000] [--keep]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Analyzer } from '../lib/analysis/analyze.ts';
import { analyzeSpans } from '../lib/analysis/analyzer.ts';
import { GraphAccumulator } from '../lib/analysis/graph/accumulator.ts';
import { graphToJson } from '../lib/analysis/graph/json.ts';
import { buildTraceTree } from '../lib/analysis/trace/tree.ts';
import type { Span } from '../lib/model/index.ts';
import { readTraceFile } from '../lib/otlp/files.ts';

const SELF = fileURLToPath(import.meta.url);
function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const SPANS = flag('spans', 1_000_000);

// ---------- a deterministic synthetic system ----------

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const hex = (r: () => number, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += ((r() * 16) | 0).toString(16);
  return s;
};

interface Svc {
  name: string;
  callees: number[];
  db?: { system: string; address: string; ns: string; tables: string[] };
  topic?: { dest: string; consumer: number };
  external?: string;
}

/** 60 services in layers; each calls 1-3 deeper ones, most own a database, some publish. */
function topology(r: () => number): Svc[] {
  const n = 60;
  const svcs: Svc[] = [];
  for (let i = 0; i < n; i++) {
    const layer = i === 0 ? 0 : Math.min(4, 1 + Math.floor((i - 1) / 15));
    const deeper = Array.from({ length: n }, (_, j) => j).filter((j) => j > i && Math.min(4, 1 + Math.floor((j - 1) / 15)) === layer + 1);
    const callees: number[] = [];
    const k = deeper.length ? 1 + Math.floor(r() * 3) : 0;
    for (let c = 0; c < k; c++) callees.push(deeper[Math.floor(r() * deeper.length)]);
    const s: Svc = { name: i === 0 ? 'gateway' : `svc-${i}`, callees: [...new Set(callees)] };
    if (i > 0 && r() < 0.7) {
      const shared = r() < 0.15; // a few share one database: the smell the graph must show
      s.db = { system: r() < 0.6 ? 'postgresql' : 'mysql', address: shared ? 'db-shared:5432' : `db-${i}:5432`, ns: shared ? 'core' : `s${i}`, tables: [`t${i}_a`, `t${i}_b`, shared ? 'customers' : `t${i}_c`] };
    }
    if (i > 0 && r() < 0.15) s.topic = { dest: `events.${i}`, consumer: 1 + Math.floor(r() * (n - 1)) };
    if (r() < 0.1) s.external = `api.partner-${i}.com`;
    svcs.push(s);
  }
  return svcs;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string } }[];
  status?: { code: number };
}

/** Emits traces of ~20 spans until `total` spans; calls `out(service, span)` per span. */
function generate(total: number, out: (service: string, s: OtlpSpan) => void): void {
  const r = rng(1);
  const svcs = topology(r);
  let emitted = 0;
  const base = 1_767_225_600_000_000_000n; // 2026-01-01, ns
  let t = 0;
  const sattr = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const emit = (svc: Svc, s: OtlpSpan) => {
    emitted++;
    out(svc.name, s);
  };
  const span = (traceId: string, parent: string | undefined, name: string, kind: number, startUs: number, durUs: number, attrs: OtlpSpan['attributes'], err = false): OtlpSpan => ({
    traceId,
    spanId: hex(r, 16),
    ...(parent ? { parentSpanId: parent } : {}),
    name,
    kind,
    startTimeUnixNano: String(base + BigInt(Math.round(startUs * 1000))),
    endTimeUnixNano: String(base + BigInt(Math.round((startUs + durUs) * 1000))),
    attributes: attrs,
    ...(err ? { status: { code: 2 } } : {}),
  });
  // SERVER span of `svc` handling a request, with its own db calls, downstream calls, messages.
  const handle = (traceId: string, svcIdx: number, parent: string | undefined, startUs: number, budgetUs: number, depth: number, kind = 2): void => {
    const svc = svcs[svcIdx];
    const route = `/api/v1/${svc.name}/${['items', 'orders', 'users'][Math.floor(r() * 3)]}`;
    const err = r() < 0.01;
    const server = span(traceId, parent, `GET ${route}`, kind, startUs, budgetUs, [sattr('http.request.method', 'GET'), sattr('http.route', route), { key: 'http.response.status_code', value: { intValue: err ? '500' : '200' } }], err);
    emit(svc, server);
    let cursor = startUs + budgetUs * 0.05;
    if (svc.db) {
      const q = 1 + Math.floor(r() * 3);
      for (let i = 0; i < q; i++) {
        const table = svc.db.tables[Math.floor(r() * svc.db.tables.length)];
        const write = r() < 0.3;
        const text = write ? `UPDATE ${table} SET v = ? WHERE id = ?` : `SELECT * FROM ${table} WHERE id = ?`;
        const d = budgetUs * 0.05;
        emit(svc, span(traceId, server.spanId, `${write ? 'UPDATE' : 'SELECT'} ${svc.db.ns}.${table}`, 3, cursor, d, [sattr('db.system.name', svc.db.system), sattr('server.address', svc.db.address.split(':')[0]), { key: 'server.port', value: { intValue: svc.db.address.split(':')[1] } }, sattr('db.namespace', svc.db.ns), sattr('db.query.text', text)]));
        cursor += d;
      }
    }
    if (depth < 6) {
      for (const c of svc.callees) {
        if (r() < 0.35) continue;
        const d = budgetUs * 0.25;
        const client = span(traceId, server.spanId, 'GET', 3, cursor, d, [sattr('http.request.method', 'GET'), sattr('server.address', svcs[c].name)]);
        emit(svc, client);
        handle(traceId, c, client.spanId, cursor + d * 0.02, d * 0.96, depth + 1);
        cursor += d * 0.3;
        if (emitted >= total) return;
      }
    }
    if (svc.topic && r() < 0.5) {
      const p = span(traceId, server.spanId, `publish ${svc.topic.dest}`, 4, cursor, 200, [sattr('messaging.system', 'kafka'), sattr('messaging.destination.name', svc.topic.dest)]);
      emit(svc, p);
      if (emitted < total) {
        const consumer = svcs[svc.topic.consumer];
        const cs = span(traceId, p.spanId, `process ${svc.topic.dest}`, 5, cursor + 5000, budgetUs * 0.3, [sattr('messaging.system', 'kafka'), sattr('messaging.destination.name', svc.topic.dest)]);
        emit(consumer, cs);
      }
    }
    if (svc.external && r() < 0.3) emit(svc, span(traceId, server.spanId, 'POST', 3, cursor, 3000, [sattr('server.address', svc.external), { key: 'server.port', value: { intValue: '443' } }]));
    emit(svc, span(traceId, server.spanId, 'render', 1, cursor, 100, []));
  };
  while (emitted < total) {
    t += 1_000 + r() * 2_000; // a request every ~2 ms (µs clock)
    handle(hex(r, 32), 0, undefined, t, 50_000 + r() * 200_000, 0);
  }
}

function writeFile(file: string, total: number): number {
  const fd = fs.openSync(file, 'w');
  // One ExportTraceServiceRequest per line, grouped by service, like the collector file exporter.
  let pending = new Map<string, OtlpSpan[]>();
  let count = 0;
  let lines = 0;
  const flush = () => {
    const resourceSpans = [...pending.entries()].map(([service, spans]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: `${service}-7c9f6d5b8-x2k4q` } }, { key: 'service.version', value: { stringValue: '1.0.0' } }] },
      scopeSpans: [{ scope: { name: 'bench' }, spans }],
    }));
    fs.writeSync(fd, JSON.stringify({ resourceSpans }) + '\n');
    pending = new Map();
    count = 0;
    lines++;
  };
  generate(total, (service, s) => {
    const l = pending.get(service);
    if (l) l.push(s);
    else pending.set(service, [s]);
    if (++count >= 512) flush();
  });
  if (count > 0) flush();
  fs.closeSync(fd);
  return lines;
}

/** CPU ms of this process (user + system) since `from`: on a shared machine, wall time measures the neighbours too. */
function cpuMs(from?: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return Math.round((u.user + u.system) / 1000);
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

// ---------- sub-commands (each runs in its own process) ----------

async function runFile(file: string): Promise<void> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const a = new Analyzer({ now: Date.now() });
  let rejected = 0;
  for await (const batch of readTraceFile(file)) {
    a.add(batch.spans);
    rejected += batch.rejected;
  }
  const tRead = performance.now();
  const cRead = process.cpuUsage();
  const r = a.finish();
  const t1 = performance.now();
  const byRule: Record<string, number> = {};
  for (const f of r.findings.findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  console.log(
    JSON.stringify({
      findings: byRule,
      notEvaluated: r.findings.notEvaluated.length,
      spans: r.spans,
      rejected,
      traces: r.traces,
      nodes: r.graph.nodes.length,
      edges: r.graph.edges.length,
      services: r.services.length,
      readMs: Math.round(tRead - t0),
      analyzeMs: Math.round(t1 - tRead),
      totalMs: Math.round(t1 - t0),
      readCpuMs: cpuMs(c0) - cpuMs(cRead),
      analyzeCpuMs: cpuMs(cRead),
      totalCpuMs: cpuMs(c0),
      peakRssMb: peakRssMb(),
      quality: r.quality,
    }),
  );
}

async function runMemory(file: string): Promise<void> {
  const spans: Span[] = [];
  for await (const batch of readTraceFile(file)) for (const s of batch.spans) spans.push(s);
  const rssBefore = Math.round(process.memoryUsage().rss / 1048576);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = analyzeSpans(spans, { now: Date.now() });
  const t1 = performance.now();
  console.log(JSON.stringify({ spans: r.spans, analyzeMs: Math.round(t1 - t0), analyzeCpuMs: cpuMs(c0), rssWithSpansMb: rssBefore, peakRssMb: peakRssMb() }));
}

function runGraph(): void {
  // 1,000 services and 10,000 edges: feed one synthetic two-span trace per edge, repeated so
  // sketches hold realistic spreads, then time build() + JSON like the graph API does.
  const r = rng(7);
  const acc = new GraphAccumulator();
  const pairs = new Set<string>();
  const base = 1_767_225_600_000_000_000n;
  let i = 0;
  const mk = (svc: string, id: string, parent: string | undefined, kind: Span['kind'], durMs: number, name: string): Span => ({
    traceId: hex(r, 32),
    spanId: id,
    parentSpanId: parent,
    name,
    kind,
    startNs: base,
    endNs: base + BigInt(Math.round(durMs * 1e6)),
    durationNs: Math.round(durMs * 1e6),
    status: { code: r() < 0.02 ? 'error' : 'unset' },
    attributes: {},
    events: [],
    links: [],
    resource: { serviceName: svc, attributes: {} },
    scope: { name: 'bench' },
  });
  while (pairs.size < 10_000) {
    const a = Math.floor(r() * 1000);
    const b = Math.floor(r() * 1000);
    if (a === b || pairs.has(`${a}>${b}`)) continue;
    pairs.add(`${a}>${b}`);
  }
  for (const p of pairs) {
    const [a, b] = p.split('>');
    for (let k = 0; k < 20; k++) {
      const d = 1 + r() * 200;
      const c = mk(`s${a}`, (++i).toString(16).padStart(16, '0'), undefined, 'client', d, 'GET');
      const s = mk(`s${b}`, (++i).toString(16).padStart(16, '0'), c.spanId, 'server', d * 0.9, `GET /r${k % 4}`);
      s.traceId = c.traceId;
      acc.addTrace(buildTraceTree([c, s]));
    }
  }
  // Cold: every build starts from a freshly merged accumulator (no memoized summaries), as when a
  // window is answered by merging rollups. Warm: the same live accumulator rebuilt (memo hits for
  // sketches that did not change), as when the API polls the in-memory recent graph.
  const timeIt = (operations: boolean, cold: boolean) => {
    const times: number[] = [];
    const cpu: number[] = [];
    let bytes = 0;
    let nodes = 0;
    let edges = 0;
    for (let k = 0; k < 30; k++) {
      let subject = acc;
      if (cold) {
        subject = new GraphAccumulator();
        subject.merge(acc);
      }
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const g = subject.build({ operations });
      const json = JSON.stringify(graphToJson(g, { detail: operations ? 'full' : 'contract' }));
      times.push(performance.now() - t0);
      const cu = process.cpuUsage(c0);
      cpu.push((cu.user + cu.system) / 1000);
      bytes = json.length;
      nodes = g.nodes.length;
      edges = g.edges.length;
    }
    times.sort((x, y) => x - y);
    cpu.sort((x, y) => x - y);
    const q = (a: number[], p: number) => Math.round(a[Math.min(a.length - 1, Math.floor(p * a.length))] * 10) / 10;
    return { nodes, edges, p50Ms: q(times, 0.5), p95Ms: q(times, 0.95), cpuP50Ms: q(cpu, 0.5), cpuP95Ms: q(cpu, 0.95), jsonBytes: bytes };
  };
  const contract = timeIt(false, true);
  const full = timeIt(true, true);
  const warm = timeIt(false, false);
  // Merge cost: 60 per-minute accumulators into one hour (what a window query over rollups does).
  const tm0 = performance.now();
  const cm0 = process.cpuUsage();
  const merged = new GraphAccumulator();
  for (let m = 0; m < 60; m++) merged.merge(acc);
  const mergeMs = Math.round(performance.now() - tm0);
  const mergeCpuMs = cpuMs(cm0);
  console.log(JSON.stringify({ ...contract, full, warm, merge60Ms: mergeMs, merge60CpuMs: mergeCpuMs, peakRssMb: peakRssMb() }));
}

function child(args: string[]): Record<string, unknown> {
  const res = spawnSync(process.execPath, ['--import', 'tsx', SELF, ...args], { encoding: 'utf8', maxBuffer: 1 << 24, env: { ...process.env, NODE_OPTIONS: '' } });
  if (res.status !== 0) {
    process.stderr.write(res.stderr);
    throw new Error(`bench step ${args[0]} failed (exit ${res.status})`);
  }
  const last = res.stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(last) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const sub = process.argv[2];
  if (sub === '--generate') {
    const t0 = performance.now();
    const lines = writeFile(process.argv[3], Number(process.argv[4]));
    console.log(JSON.stringify({ lines, ms: Math.round(performance.now() - t0) }));
    return;
  }
  if (sub === '--file') return runFile(process.argv[3]);
  if (sub === '--memory') return runMemory(process.argv[3]);
  if (sub === '--graph') return runGraph();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-analysis-'));
  const file = path.join(dir, 'spans.jsonl');
  try {
    console.log(`generating ${SPANS.toLocaleString()} spans → ${file}`);
    const g = child(['--generate', file, String(SPANS)]);
    console.log(`  ${g.lines} OTLP JSON lines, ${(fs.statSync(file).size / 1048576).toFixed(0)} MiB, ${g.ms} ms`);

    const f = child(['--file', file]);
    const okT = (f.totalMs as number) <= 20_000;
    const okM = (f.peakRssMb as number) <= 1024;
    console.log(`full analysis from file: ${f.spans} spans, ${f.traces} traces → ${f.nodes} nodes, ${f.edges} edges`);
    console.log(`  wall: read+decode ${f.readMs} ms, analyze ${f.analyzeMs} ms, total ${f.totalMs} ms (target ≤20000) ${okT ? 'OK' : 'MISSED'}`);
    console.log(`  cpu:  read+decode ${f.readCpuMs} ms, analyze ${f.analyzeCpuMs} ms, total ${f.totalCpuMs} ms (load average now ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
    console.log(`  peak RSS ${f.peakRssMb} MB (target ≤1024) ${okM ? 'OK' : 'MISSED'}`);
    console.log(`  quality ${JSON.stringify(f.quality)}`);
    console.log(`  findings by rule ${JSON.stringify(f.findings)} (${f.notEvaluated} rules not evaluated)`);

    const m = child(['--memory', file]);
    console.log(`graph + RED alone (spans already in memory, no rules): ${m.analyzeMs} ms wall, ${m.analyzeCpuMs} ms cpu; RSS with spans ${m.rssWithSpansMb} MB, peak ${m.peakRssMb} MB`);

    const gr = child(['--graph']);
    const full = gr.full as { p50Ms: number; p95Ms: number; jsonBytes: number };
    console.log(`graph build + §3 JSON over ${gr.nodes} nodes / ${gr.edges} edges (cold): wall p50 ${gr.p50Ms} ms, p95 ${gr.p95Ms} ms (target ≤100) ${(gr.p95Ms as number) <= 100 ? 'OK' : 'MISSED'}; cpu p50 ${gr.cpuP50Ms} ms, p95 ${gr.cpuP95Ms} ms; ${((gr.jsonBytes as number) / 1024).toFixed(0)} KiB`);
    const warm = gr.warm as { p50Ms: number; p95Ms: number; cpuP50Ms: number; cpuP95Ms: number };
    console.log(`  warm (live accumulator rebuilt, unchanged sketches memoized): wall p50 ${warm.p50Ms} ms, p95 ${warm.p95Ms} ms; cpu p50 ${warm.cpuP50Ms} ms, p95 ${warm.cpuP95Ms} ms`);
    console.log(`  with per-edge operations (full JSON, cold): wall p50 ${full.p50Ms} ms, p95 ${full.p95Ms} ms, ${(full.jsonBytes / 1024).toFixed(0)} KiB`);
    console.log(`  merging 60 per-minute GraphAccumulators of that graph (a 1 h window): ${gr.merge60Ms} ms wall, ${gr.merge60CpuMs} ms cpu; peak RSS ${gr.peakRssMb} MB`);
  } finally {
    if (!process.argv.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
