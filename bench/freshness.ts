// Freshness benchmark (issue 3): how long after the collector acknowledges a span does the graph
// query show it, under steady ingest. A collector runs in its own process (as under `serve`) with
// its live analyzer thread; an open-loop load sends the ingest benchmark's 512-span OTLP protobuf
// batches built by the real SDK (bench/workload.ts: each service's spans in separate requests,
// so calls pair across requests); every `--probe-ms` a probe request carries one probe-web →
// probe-api call, and a poller asks Query.graph until the edge count includes it. Prints ack → visible p50/p95/max and the rate reached.
//
//   npm run bench:freshness -- [--seconds 30] [--rate 50000] [--probe-ms 500]
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { forkCollector } from '../collector/index.ts';
import { Query } from '../lib/query/query.ts';
import { openStore } from '../lib/store/index.ts';
import { RollupReader } from '../lib/store/rollups/reader.ts';
import { BATCH, buildTemplates, freshBody, indexTemplate, nextBody } from './workload.ts';

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const SECONDS = flag('seconds', 30);
const RATE = flag('rate', 50_000);
const PROBE_MS = flag('probe-ms', 500);

function tracer(service: string, ex: InMemorySpanExporter) {
  const p = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service, 'service.version': '1.0.0' }), spanProcessors: [new SimpleSpanProcessor(ex)] });
  return p.getTracer(`@bench/${service}`, '1.0.0');
}

function probeSpans(): ReadableSpan[] {
  const exWeb = new InMemorySpanExporter();
  const exApi = new InMemorySpanExporter();
  const web = tracer('probe-web', exWeb);
  const api = tracer('probe-api', exApi);
  const root = web.startSpan('GET /probe', { kind: SpanKind.SERVER });
  const call = web.startSpan('GET', { kind: SpanKind.CLIENT }, trace.setSpan(context.active(), root));
  api.startSpan('GET /probed', { kind: SpanKind.SERVER }, trace.setSpan(context.active(), call)).end();
  call.end();
  root.end();
  return [...exWeb.getFinishedSpans(), ...exApi.getFinishedSpans()];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function post(url: string, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/x-protobuf', 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

function pct(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-fresh-'));
  const dbPath = path.join(dir, 'fresh.db');
  const templates = buildTemplates().map(indexTemplate);
  const probe = indexTemplate(ProtobufTraceSerializer.serializeRequest(probeSpans())!);
  let probeSalt = 0;
  console.log(`faultline freshness benchmark: ${SECONDS} s, target ${RATE} spans/s in ${BATCH}-span requests, a probe every ${PROBE_MS} ms; ${os.cpus().length} CPUs`);
  const collector = await forkCollector({ port: 0, dbUrl: dbPath, retentionMs: 0 });
  const url = `${collector.url}/v1/traces`;
  const store = openStore(dbPath);
  const q = new Query({ store, rollups: new RollupReader(dbPath), graphCacheMs: 0 });

  let acked = 0;
  let refused = 0;
  let failed = 0;
  let stop = false;
  const probeAcks: number[] = [];
  const visibleAt: number[] = [];
  let maxBehind = 0;
  let stopAt = Infinity;

  const load = (async () => {
    const interval = (BATCH / RATE) * 1000;
    const start = performance.now();
    const inflight = new Set<Promise<void>>();
    for (let n = 0; !stop; n++) {
      const wait = start + n * interval - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const p = post(url, nextBody(templates)).then((st) => {
        if (st === 200) acked += BATCH;
        else if (st === 503 || st === 429) refused++;
        else failed++;
      });
      inflight.add(p);
      void p.then(() => inflight.delete(p));
      if (inflight.size > 128) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  })();

  const probes = (async () => {
    await new Promise((r) => setTimeout(r, 1000));
    while (!stop) {
      const st = await post(url, freshBody(probe, ++probeSalt));
      if (st === 200) probeAcks.push(performance.now());
      await new Promise((r) => setTimeout(r, PROBE_MS));
    }
  })();

  const poll = (async () => {
    while (!stop || visibleAt.length < probeAcks.length) {
      const now = Date.now();
      const g = q.graph({ fromMs: now - 15 * 60_000, toMs: now + 60_000 });
      const t = performance.now();
      maxBehind = Math.max(maxBehind, g.freshness.spansBehind);
      const calls = g.edges.find((e) => e.id === 'probe-web->probe-api|sync')?.calls ?? 0;
      while (visibleAt.length < Math.min(calls, probeAcks.length)) visibleAt.push(t);
      if (stop && performance.now() - stopAt > 30_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  stop = true;
  stopAt = performance.now();
  await load;
  const elapsed = (performance.now() - t0) / 1000;
  await probes;
  await poll;

  const lat = probeAcks.slice(0, visibleAt.length).map((a, i) => visibleAt[i] - a).sort((a, b) => a - b);
  console.log(`ingest: ${Math.round(acked / elapsed)} spans/s acknowledged (target ${RATE}); ${refused} requests refused (503/429), ${failed} failed`);
  console.log(`probes: ${probeAcks.length} acknowledged, ${visibleAt.length} seen in the graph`);
  console.log(`ack → visible in /graph: p50 ${pct(lat, 50).toFixed(0)} ms, p95 ${pct(lat, 95).toFixed(0)} ms, max ${lat.length ? lat[lat.length - 1].toFixed(0) : 'NaN'} ms (poll every 50 ms; target p95 ≤ 5000 ms)`);
  console.log(`live analyzer lag: at most ${maxBehind} stored spans not yet folded at a poll`);
  q.close();
  await collector.close();
  fs.rmSync(dir, { recursive: true, force: true });
  agent.destroy();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
