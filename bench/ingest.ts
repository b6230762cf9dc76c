// Ingest benchmark (issue 2): concurrent clients POST 512-span OTLP protobuf batches, built by
// the OpenTelemetry SDK and its ProtobufTraceSerializer, to a collector running in its own
// process. Prints sustained spans/s, p50/p99 per batch, the collector's peak RSS, bytes per
// span on disk, and, in the same run, the raw SQLite limit (same rows, bare table, no index).
// With the live analyzer (the default) half load is measured twice: right after max load, while
// the analyzer catches up the backlog it left, and again once it has caught up. Last, 50k spans/s
// (half the 100k target), also once the analyzer has caught up.
//
//   npm run bench:ingest -- [--seconds 30] [--clients 8] [--half-seconds 20] [--target-half 50000] [--no-live] [--unique-traces]
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import Database from 'better-sqlite3';
import { forkCollector } from '../collector/index.ts';
import type { Span } from '../lib/model/index.ts';
import { decodeOtlpProtoTraces } from '../lib/otlp/protobuf.ts';
import { openStore } from '../lib/store/index.ts';
import { BATCH, type Template, buildTemplates, freshBody, indexTemplate, nextBody } from './workload.ts';

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const SECONDS = flag('seconds', 30);
const CLIENTS = flag('clients', 8);
const HALF_SECONDS = flag('half-seconds', 20);
// The p99 target is "at half that load", which reads both as half of this run's maximum
// and as half of the 100k spans/s target: the faster the writers, the further apart the two are,
// so both are measured (0 skips the second).
const TARGET_HALF = flag('target-half', 50_000);
// The collector runs the live analyzer (rollups) beside ingest by default, as the product does;
// --no-live measures ingest alone.
const LIVE = !process.argv.includes('--no-live');
// --unique-traces: every request carries new trace ids (see nextBody in workload.ts).
const UNIQUE_TRACES = process.argv.includes('--unique-traces');

// ---------- load ----------

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface PhaseResult {
  spans: number;
  seconds: number;
  latenciesMs: number[];
  refused: number;
  failed: number;
}

async function closedLoop(url: string, templates: Template[], seconds: number, clients: number): Promise<PhaseResult> {
  const latenciesMs: number[] = [];
  let spans = 0;
  let refused = 0;
  let failed = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const body = nextBody(templates, UNIQUE_TRACES);
        const t0 = performance.now();
        const status = await post(url, body).catch(() => -1);
        const dt = performance.now() - t0;
        if (status === 200) {
          latenciesMs.push(dt);
          spans += BATCH;
        } else if (status === 503 || status === 429) {
          refused++;
          await new Promise((r) => setTimeout(r, 50));
        } else failed++;
      }
    }),
  );
  return { spans, seconds: (performance.now() - start) / 1000, latenciesMs, refused, failed };
}

/** Open loop: batches sent on a fixed schedule at `spansPerSec`, whatever the answers' speed. */
async function openLoop(url: string, templates: Template[], seconds: number, spansPerSec: number): Promise<PhaseResult> {
  const latenciesMs: number[] = [];
  let spans = 0;
  let refused = 0;
  let failed = 0;
  const intervalMs = (BATCH / spansPerSec) * 1000;
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  let n = 0;
  while (performance.now() - start < seconds * 1000) {
    const due = start + n * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    n++;
    const body = nextBody(templates, UNIQUE_TRACES);
    const t0 = performance.now();
    const p = post(url, body).then(
      (status) => {
        if (status === 200) {
          latenciesMs.push(performance.now() - t0);
          spans += BATCH;
        } else if (status === 503 || status === 429) refused++;
        else failed++;
      },
      () => {
        failed++;
      },
    );
    inflight.push(p);
    if (inflight.length > 256) await inflight.shift();
  }
  await Promise.all(inflight);
  return { spans, seconds: (performance.now() - start) / 1000, latenciesMs, refused, failed };
}

/** The collector's own memory gauges from GET /metrics, in MB. */
async function collectorMemory(baseUrl: string): Promise<string> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('faultline_collector_memory_bytes{'))
    .map((l) => {
      const [labels, v] = l.slice('faultline_collector_memory_bytes'.length).split(' ');
      return `${labels.replace(/[{}"]/g, '').replace('kind=', '').replace(',thread=', '/')} ${(Number(v) / 1048576).toFixed(0)}`;
    })
    .join(', ');
}

/** Samples the live analyzer's /metrics while a phase runs: its longest flush and how far behind it is. */
function watchLive(baseUrl: string): { stop(): Promise<string> } {
  let flushMaxMs = 0;
  let behind = 0;
  const read = async () => {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    const v = (name: string) => Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN);
    flushMaxMs = Math.max(flushMaxMs, v('faultline_live_flush_seconds') * 1000);
    behind = v('faultline_live_spans_behind');
  };
  const timer = setInterval(() => void read().catch(() => {}), 250);
  return {
    async stop() {
      clearInterval(timer);
      await read().catch(() => {});
      return `live analyzer: longest rollup flush ${flushMaxMs.toFixed(1)} ms (writers wait that long for the write lock), ${fmt(behind)} spans behind at the end of the phase`;
    },
  };
}

/** The analyzer's backlog (spans committed after its cursor) from /metrics. */
async function spansBehind(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith('faultline_live_spans_behind '))?.split(' ')[1] ?? NaN);
}

/**
 * Waits, with no load, until the analyzer has caught up (at most `limitS` seconds), drawing its
 * progress; returns the seconds it took, or undefined if it had not caught up by then.
 */
async function waitCaughtUp(baseUrl: string, limitS: number): Promise<number | undefined> {
  const t0 = performance.now();
  const first = await spansBehind(baseUrl);
  let polls = 0;
  for (;;) {
    const behind = await spansBehind(baseUrl);
    const s = (performance.now() - t0) / 1000;
    const done = first > 0 ? Math.max(0, 1 - behind / first) : 1;
    const bar = '#'.repeat(Math.round(done * 30)).padEnd(30, '.');
    const line = `  analyzer catching up [${bar}] ${fmt(behind)} spans behind, ${s.toFixed(0)} s`;
    const end = behind === 0 || s >= limitS;
    // A terminal gets one line redrawn; a log file a line every 5 s and the last one.
    if (process.stdout.isTTY) process.stdout.write(`\r${line}${end ? '\n' : ''}`);
    else if (end || ++polls % 10 === 0) console.log(line);
    if (behind === 0) return s;
    if (s >= limitS) return undefined;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Waits (up to 240 s) for the analyzer to catch up with no load, and says how long it took or what follows if it did not. */
async function settle(baseUrl: string, otherwise: string): Promise<boolean> {
  const caughtUp = await waitCaughtUp(baseUrl, 240);
  console.log(caughtUp === undefined ? `  the analyzer had not caught up after 240 s: ${otherwise}` : `  caught up in ${caughtUp.toFixed(0)} s with no load`);
  return caughtUp !== undefined;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function vmHwmMb(pid: number): number {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmHWM:\s+(\d+) kB/.exec(s);
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds per thread of a process, busiest first (the writer thread should lead). */
function threadCpu(pid: number): number[] {
  return fs
    .readdirSync(`/proc/${pid}/task`)
    .map((tid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(f[11]) + Number(f[12])) / 100;
      } catch {
        return 0;
      }
    })
    .sort((a, b) => b - a);
}

function statusMb(pid: number, field: string): number {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(s);
  return m ? Number(m[1]) / 1024 : NaN;
}

function vmRssMb(pid: number): number {
  return statusMb(pid, 'VmRSS');
}

// ---------- raw SQLite limit ----------

function rawInsertRate(spans: Span[], seconds: number, dir: string): number {
  const db = new Database(path.join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE spans (trace_id BLOB, span_id BLOB, parent_id BLOB, name TEXT, kind INTEGER, start_ns INTEGER,
    end_ns INTEGER, duration_ns INTEGER, status INTEGER, service TEXT, attributes TEXT, events TEXT, links TEXT)`);
  const ins = db.prepare('INSERT INTO spans VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)');
  const kinds = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
  const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  // Rows are prepared before timing: the raw limit is SQLite's, not our encoder's.
  const rows = spans.map((s) => [
    Buffer.from(s.traceId, 'hex'), Buffer.from(s.spanId, 'hex'), s.parentSpanId ? Buffer.from(s.parentSpanId, 'hex') : null,
    s.name, kinds.indexOf(s.kind), s.startNs, s.endNs, s.durationNs, s.status.code === 'error' ? 2 : s.status.code === 'ok' ? 1 : 0,
    s.resource.serviceName, json(s.attributes), s.events.length ? json(s.events) : null, s.links.length ? json(s.links) : null,
  ]);
  const tx = db.transaction((batch: unknown[][], salt: number) => {
    for (const r of batch) {
      const t = Buffer.from(r[0] as Buffer);
      t.writeUInt32LE(salt, 0);
      ins.run(t, ...r.slice(1));
    }
  });
  let n = 0;
  let salt = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (let i = 0; i + BATCH <= rows.length; i += BATCH) {
      tx(rows.slice(i, i + BATCH), ++salt);
      n += BATCH;
    }
  }
  const rate = n / ((performance.now() - t0) / 1000);
  db.close();
  return rate;
}

// ---------- main ----------

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-ingest-'));
  const dbPath = path.join(dir, 'ingest.db');
  console.log(
    `faultline ingest benchmark: ${SECONDS} s at max load with ${CLIENTS} clients, then ${HALF_SECONDS} s at half load; ${os.cpus().length} CPUs; live analyzer ${LIVE ? 'on' : 'off (--no-live)'}`,
  );

  const templates = buildTemplates().map(indexTemplate);
  const bytesPerBatch = templates.reduce((a, t) => a + t.buf.length, 0) / templates.length;
  console.log(`templates: ${templates.length} batches of ${BATCH} spans, ${fmt(bytesPerBatch)} B per request (${fmt(bytesPerBatch / BATCH)} B/span on the wire)`);

  // Decoder alone, in this process, before the collector starts (no CPU contention).
  const sample = freshBody(templates[0], 0);
  if (process.env.DUMP_BATCH) {
    fs.writeFileSync(process.env.DUMP_BATCH, sample);
    return;
  }
  for (let i = 0; i < 100; i++) decodeOtlpProtoTraces(sample);
  let decoded = 0;
  const d0 = performance.now();
  while (performance.now() - d0 < 3000) decoded += decodeOtlpProtoTraces(sample).items.length;
  const decodeRate = decoded / ((performance.now() - d0) / 1000);
  console.log(`decode (protobuf → model + semconv), one thread: ${fmt(decodeRate)} spans/s`);
  // The design choice of collector/protocol.ts: the writer thread either decodes the raw body
  // or deserializes spans decoded elsewhere. CPU time per span of each (robust to other load).
  const perSpanUs = (run: () => void, rounds: number) => {
    const c0 = process.cpuUsage();
    for (let i = 0; i < rounds; i++) run();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / (rounds * BATCH);
  };
  const decodedSpans = decodeOtlpProtoTraces(sample).items;
  const cloned = v8.serialize(decodedSpans);
  const usDecode = perSpanUs(() => decodeOtlpProtoTraces(sample), 300);
  const usDeser = perSpanUs(() => v8.deserialize(cloned), 300);
  const usSer = perSpanUs(() => v8.serialize(decodedSpans), 300);
  console.log(
    `writer-thread cost per span: decode in the writer ${usDecode.toFixed(2)} µs vs structured clone ${usDeser.toFixed(2)} µs to deserialize (+${usSer.toFixed(2)} µs to serialize on the HTTP thread)`,
  );

  const collector = await forkCollector({ port: 0, dbUrl: dbPath, retentionMs: 0, live: LIVE });
  const url = `${collector.url}/v1/traces`;
  let peakRss = 0;
  let peakAnon = 0;
  let peakFile = 0;
  const rssTimer = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, vmRssMb(collector.pid));
      peakAnon = Math.max(peakAnon, statusMb(collector.pid, 'RssAnon'));
      peakFile = Math.max(peakFile, statusMb(collector.pid, 'RssFile') + statusMb(collector.pid, 'RssShmem'));
    } catch {
      // The collector exited; the final figure stays.
    }
  }, 250);
  try {
    // Warm up the collector (JIT, page cache) before measuring.
    await closedLoop(url, templates, 2, CLIENTS);
    const cpu0 = cpuSeconds(collector.pid);
    const threads0 = threadCpu(collector.pid);
    let live = LIVE ? watchLive(collector.url) : undefined;
    const max = await closedLoop(url, templates, SECONDS, CLIENTS);
    const liveMax = await live?.stop();
    const cpuUsed = cpuSeconds(collector.pid) - cpu0;
    const threads1 = threadCpu(collector.pid);
    const maxRate = max.spans / max.seconds;
    const lat = [...max.latenciesMs].sort((a, b) => a - b);
    console.log(`\nmax load: ${fmt(maxRate)} spans/s sustained over ${max.seconds.toFixed(1)} s (${fmt(max.spans)} spans acknowledged)`);
    console.log(`  per batch: p50 ${pct(lat, 50).toFixed(1)} ms, p99 ${pct(lat, 99).toFixed(1)} ms, max ${lat[lat.length - 1]?.toFixed(1)} ms; refused (503) ${max.refused}, failed ${max.failed}`);
    // The machine is shared: CPU the collector actually got says how contended the run was.
    console.log(`  collector CPU: ${(cpuUsed / max.seconds).toFixed(2)} cores busy, ${fmt(max.spans / cpuUsed)} spans per collector CPU-second; load average ${os.loadavg()[0].toFixed(1)}`);
    // Totals per thread (not exact deltas: thread order may change), enough to see whether the writer thread is saturated.
    const busiest = threads1.slice(0, 3).map((t, i) => `${((t - (threads0[i] ?? 0)) / max.seconds).toFixed(2)}`);
    console.log(`  busiest collector threads (cores): ${busiest.join(', ')}`);

    if (liveMax) console.log(`  ${liveMax}`);
    console.log(`  collector memory (MB): ${await collectorMemory(collector.url)}`);
    live = LIVE ? watchLive(collector.url) : undefined;
    const half = await openLoop(url, templates, HALF_SECONDS, maxRate / 2);
    const liveHalf = await live?.stop();
    const hl = [...half.latenciesMs].sort((a, b) => a - b);
    console.log(`half load${LIVE ? ', right after max load' : ''} (${fmt(maxRate / 2)} spans/s offered): ${fmt(half.spans / half.seconds)} spans/s acknowledged`);
    console.log(`  per batch: p50 ${pct(hl, 50).toFixed(1)} ms, p99 ${pct(hl, 99).toFixed(1)} ms, max ${hl[hl.length - 1]?.toFixed(1)} ms; refused ${half.refused}, failed ${half.failed}`);
    if (liveHalf) console.log(`  ${liveHalf}`);
    console.log(`  collector memory (MB): ${await collectorMemory(collector.url)}`);
    if (LIVE) {
      // The phase above starts with the analyzer far behind (it yields the CPU to ingest at max
      // load) and measures half load while it catches up. Measured again once it has: half load
      // in the steady state, the analyzer folding each commit as it lands.
      if (await settle(collector.url, 'steady state not measured')) {
        live = watchLive(collector.url);
        const steady = await openLoop(url, templates, HALF_SECONDS, maxRate / 2);
        const liveSteady = await live.stop();
        const sl = [...steady.latenciesMs].sort((a, b) => a - b);
        console.log(`half load, analyzer caught up (${fmt(maxRate / 2)} spans/s offered): ${fmt(steady.spans / steady.seconds)} spans/s acknowledged`);
        console.log(`  per batch: p50 ${pct(sl, 50).toFixed(1)} ms, p99 ${pct(sl, 99).toFixed(1)} ms, max ${sl[sl.length - 1]?.toFixed(1)} ms; refused ${steady.refused}, failed ${steady.failed}`);
        console.log(`  ${liveSteady}`);
      }
    }
    if (TARGET_HALF > 0) {
      // Steady state, as for the phase above: at half of a fast run's maximum the analyzer can end
      // that phase behind, and catching up beside this one measured the backlog of the phase
      // before (the phases right after max load measure that case).
      const settled = !LIVE || (await settle(collector.url, 'measured while it catches up'));
      live = LIVE ? watchLive(collector.url) : undefined;
      const fixed = await openLoop(url, templates, HALF_SECONDS, TARGET_HALF);
      const liveFixed = await live?.stop();
      const fl = [...fixed.latenciesMs].sort((a, b) => a - b);
      console.log(`half the 100k target (${fmt(TARGET_HALF)} spans/s offered): ${fmt(fixed.spans / fixed.seconds)} spans/s acknowledged`);
      console.log(`  per batch: p50 ${pct(fl, 50).toFixed(1)} ms, p99 ${pct(fl, 99).toFixed(1)} ms, max ${fl[fl.length - 1]?.toFixed(1)} ms; refused ${fixed.refused}, failed ${fixed.failed}${settled ? '' : ' (analyzer catching up)'}`);
      if (liveFixed) console.log(`  ${liveFixed}`);
    }
    peakRss = Math.max(peakRss, vmHwmMb(collector.pid));
    console.log(`collector peak RSS: ${peakRss.toFixed(0)} MB (the collector process: all its threads); of it at most ${peakAnon.toFixed(0)} MB anonymous (heaps, buffers) and ${peakFile.toFixed(0)} MB file-backed (code, SQLite mmap pages)`);
    clearInterval(rssTimer);
    await collector.close();
    agent.destroy();

    const store = openStore(dbPath);
    const stats = store.stats();
    store.close();
    const st = openStore(dbPath).stats();
    console.log(`stored: ${fmt(st.spans)} spans, ${fmt(st.bytesOnDisk)} B on disk → ${(st.bytesOnDisk / st.spans).toFixed(0)} B/span`);
    void stats;

    const spans = templates.flatMap((t) => decodeOtlpProtoTraces(t.buf).items);
    const raw = rawInsertRate(spans, 10, dir);
    console.log(`\nraw limit (same rows, bare SQLite table, no index, ${BATCH}/transaction, WAL): ${fmt(raw)} rows/s`);
    console.log(`ratio ingest / raw: ${(maxRate / raw).toFixed(2)}`);
    console.log('\ntargets: ≥100k spans/s, ratio ≥0.3, p99 ≤20 ms at half load, RSS ≤300 MB, ≤150 B/span');
  } finally {
    clearInterval(rssTimer);
    await collector.close().catch(() => {});
    agent.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
