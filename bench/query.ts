// Storage benchmark: loads realistic spans (HTTP server/client and database spans with
// semantic-convention attributes, ~20 per trace, 8 services with 3 instances each) into a
// fresh SQLite store in 512-span batches, then measures bytes per span on disk, trace lookup
// by id and a service + time-window search. Prints figures, targets and ratios; asserts
// nothing. Usage: npm run bench:query [-- --spans N[,N…]] (default 1000000,10000000).
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Attributes, IngestBatch, Resource, Span, SpanKind } from '../lib/model/index.ts';
import { openStore } from '../lib/store/index.ts';

const BATCH = 512;
const SERVICES = ['api-gateway', 'orders', 'payments', 'inventory', 'users', 'shipping', 'notifications', 'catalog'];
const TABLES = ['orders', 'order_items', 'payments', 'users', 'sessions', 'stock', 'shipments', 'products'];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'okhttp/4.12.0',
  'python-requests/2.32.3',
  'Go-http-client/1.1',
];

function rnd(n: number): number {
  return Math.floor(Math.random() * n);
}

function pick<T>(xs: readonly T[]): T {
  return xs[rnd(xs.length)];
}

function makeResources(): Map<string, Resource[]> {
  const out = new Map<string, Resource[]>();
  for (const svc of SERVICES) {
    const list: Resource[] = [];
    for (let i = 0; i < 3; i++) {
      const instance = `${svc}-7d9f8c${i}b4-x${i}q2z`;
      const attributes: Attributes = {
        'service.name': svc,
        'service.namespace': 'shop',
        'service.version': '1.14.2',
        'service.instance.id': instance,
        'telemetry.sdk.name': 'opentelemetry',
        'telemetry.sdk.language': 'nodejs',
        'telemetry.sdk.version': '2.2.0',
        'host.name': instance,
        'process.pid': 1000 + i,
        'process.runtime.name': 'nodejs',
        'process.runtime.version': '20.18.0',
        'k8s.namespace.name': 'shop',
        'k8s.pod.name': instance,
        'deployment.environment.name': 'production',
      };
      list.push({
        serviceName: svc,
        serviceNamespace: 'shop',
        serviceVersion: '1.14.2',
        serviceInstanceId: instance,
        sdk: { name: 'opentelemetry', language: 'nodejs', version: '2.2.0' },
        attributes,
      });
    }
    out.set(svc, list);
  }
  return out;
}

const HTTP_SCOPE = { name: '@opentelemetry/instrumentation-http', version: '0.57.0' };
const PG_SCOPE = { name: '@opentelemetry/instrumentation-pg', version: '0.50.0' };
const APP_SCOPE = { name: 'shop-app' };

/** Generates whole traces; spans of consecutive traces are interleaved like concurrent requests. */
export class TraceGenerator {
  private readonly resources = makeResources();
  private clockNs = BigInt(Date.now() - 3_600_000) * 1_000_000n;
  private ids = randomBytes(0);
  private idPos = 0;
  readonly sampleTraceIds: string[] = [];
  traces = 0;

  private hex(bytes: number): string {
    if (this.idPos + bytes > this.ids.length) {
      this.ids = randomBytes(1 << 16);
      this.idPos = 0;
    }
    const s = this.ids.toString('hex', this.idPos, this.idPos + bytes);
    this.idPos += bytes;
    return s;
  }

  private span(
    traceId: string,
    parent: Span | undefined,
    svc: string,
    res: Resource,
    name: string,
    kind: SpanKind,
    startNs: bigint,
    durNs: number,
    attributes: Attributes,
    scope: Span['scope'],
    error = false,
  ): Span {
    const s: Span = {
      traceId,
      spanId: this.hex(8),
      parentSpanId: parent?.spanId,
      flags: 1,
      name,
      kind,
      startNs,
      endNs: startNs + BigInt(durNs),
      durationNs: durNs,
      status: error ? { code: 'error', message: 'upstream failed' } : { code: 'unset' },
      attributes,
      events: [],
      links: [],
      resource: res,
      scope,
    };
    if (!parent) delete s.parentSpanId;
    if (error && Math.random() < 0.3) {
      s.events.push({
        timeNs: startNs + BigInt(Math.floor(durNs / 2)),
        name: 'exception',
        attributes: {
          'exception.type': 'TimeoutError',
          'exception.message': `request to ${svc} timed out after 2000ms`,
          'exception.stacktrace': `TimeoutError: request timed out\n    at Timeout._onTimeout (/app/src/client.js:88:17)\n    at listOnTimeout (node:internal/timers:581:17)\n    at process.processTimers (node:internal/timers:519:7)`,
        },
      });
    }
    return s;
  }

  private dbSpans(traceId: string, parent: Span, svc: string, res: Resource, out: Span[]): void {
    const n = 1 + rnd(3);
    let t = parent.startNs + 200_000n;
    for (let i = 0; i < n; i++) {
      const table = TABLES[(SERVICES.indexOf(svc) + i) % TABLES.length];
      const op = pick(['SELECT', 'SELECT', 'SELECT', 'INSERT', 'UPDATE']);
      const text =
        op === 'SELECT'
          ? `SELECT id, status, created_at, updated_at FROM ${table} WHERE id = $1 AND tenant_id = $2`
          : op === 'INSERT'
            ? `INSERT INTO ${table} (id, tenant_id, payload, created_at) VALUES ($1, $2, $3, now())`
            : `UPDATE ${table} SET status = $1, updated_at = now() WHERE id = $2`;
      const dur = 300_000 + rnd(3_000_000);
      out.push(
        this.span(traceId, parent, svc, res, `${op} shop.${table}`, 'client', t, dur, {
          'db.system.name': 'postgresql',
          'db.namespace': 'shop',
          'db.collection.name': table,
          'db.operation.name': op,
          'db.query.text': text,
          'server.address': 'postgres.shop.svc.cluster.local',
          'server.port': 5432,
          'network.peer.address': '10.0.3.17',
        }, PG_SCOPE),
      );
      t += BigInt(dur + 50_000);
    }
  }

  /** One request through the gateway: ~20 spans. */
  trace(out: Span[]): void {
    const traceId = this.hex(16);
    this.traces++;
    if (this.sampleTraceIds.length < 5000) this.sampleTraceIds.push(traceId);
    else if (Math.random() < 5000 / this.traces) this.sampleTraceIds[rnd(5000)] = traceId;
    this.clockNs += BigInt(1_000_000 + rnd(2_000_000));
    const start = this.clockNs;
    const gw = pick(this.resources.get('api-gateway')!);
    const error = Math.random() < 0.02;
    const userId = rnd(100_000);
    const route = pick(['/api/orders/:id', '/api/cart/:id', '/api/users/:id/profile', '/api/checkout/:id']);
    const urlPath = route.replace(':id', String(userId));
    const rootDur = 20_000_000 + rnd(80_000_000);
    const root = this.span(traceId, undefined, 'api-gateway', gw, `GET ${route}`, 'server', start, rootDur, {
      'http.request.method': 'GET',
      'url.path': urlPath,
      'url.scheme': 'https',
      'http.route': route,
      'http.response.status_code': error ? 502 : 200,
      'server.address': 'shop.example.com',
      'server.port': 443,
      'network.protocol.version': '1.1',
      'user_agent.original': pick(AGENTS),
      'client.address': `203.0.113.${rnd(250)}`,
      'network.peer.port': 30000 + rnd(30000),
    }, HTTP_SCOPE, error);
    out.push(root);
    out.push(this.span(traceId, root, 'api-gateway', gw, 'auth middleware', 'internal', start + 100_000n, 900_000, {
      'code.function.name': 'authenticate',
      'code.file.path': '/app/src/middleware/auth.js',
    }, APP_SCOPE));
    let t = start + 1_500_000n;
    const calls = 3;
    for (let c = 0; c < calls; c++) {
      const svc = SERVICES[1 + rnd(SERVICES.length - 1)];
      const res = pick(this.resources.get(svc)!);
      const dur = 3_000_000 + rnd(10_000_000);
      const callErr = error && c === calls - 1;
      const path = `/internal/${svc}/${userId}`;
      const client = this.span(traceId, root, 'api-gateway', gw, 'GET', 'client', t, dur, {
        'http.request.method': 'GET',
        'url.full': `http://${svc}.shop.svc.cluster.local:8080${path}`,
        'server.address': `${svc}.shop.svc.cluster.local`,
        'server.port': 8080,
        'http.response.status_code': callErr ? 503 : 200,
        'network.peer.address': `10.0.2.${SERVICES.indexOf(svc)}`,
        'network.protocol.version': '1.1',
      }, HTTP_SCOPE, callErr);
      out.push(client);
      const server = this.span(traceId, client, svc, res, `GET /internal/${svc}/:id`, 'server', t + 300_000n, dur - 600_000, {
        'http.request.method': 'GET',
        'url.path': path,
        'url.scheme': 'http',
        'http.route': `/internal/${svc}/:id`,
        'http.response.status_code': callErr ? 503 : 200,
        'server.address': `${svc}.shop.svc.cluster.local`,
        'server.port': 8080,
        'network.protocol.version': '1.1',
        'client.address': '10.0.1.4',
        'user_agent.original': 'node',
      }, HTTP_SCOPE, callErr);
      out.push(server);
      out.push(this.span(traceId, server, svc, res, `handle ${svc}`, 'internal', t + 400_000n, 200_000, {
        'code.function.name': `${svc}Handler`,
      }, APP_SCOPE));
      this.dbSpans(traceId, server, svc, res, out);
      if (Math.random() < 0.5) {
        const next = SERVICES[1 + ((SERVICES.indexOf(svc) + 1) % (SERVICES.length - 1))];
        const nres = pick(this.resources.get(next)!);
        const c2 = this.span(traceId, server, svc, res, 'GET', 'client', t + 1_000_000n, 2_000_000, {
          'http.request.method': 'GET',
          'url.full': `http://${next}.shop.svc.cluster.local:8080/internal/${next}/${userId}`,
          'server.address': `${next}.shop.svc.cluster.local`,
          'server.port': 8080,
          'http.response.status_code': 200,
        }, HTTP_SCOPE);
        out.push(c2);
        const s2 = this.span(traceId, c2, next, nres, `GET /internal/${next}/:id`, 'server', t + 1_100_000n, 1_800_000, {
          'http.request.method': 'GET',
          'url.path': `/internal/${next}/${userId}`,
          'http.route': `/internal/${next}/:id`,
          'http.response.status_code': 200,
          'server.port': 8080,
        }, HTTP_SCOPE);
        out.push(s2);
        this.dbSpans(traceId, s2, next, nres, out);
      }
      t += BigInt(dur + 200_000);
    }
  }
}

/** Yields 512-span batches; spans of ~40 concurrent traces interleave as an SDK exporter would send them. */
export function* batches(gen: TraceGenerator, total: number): Generator<Span[]> {
  let pool: Span[] = [];
  let emitted = 0;
  while (emitted < total) {
    while (pool.length < BATCH * 2) gen.trace(pool);
    // Shuffle the window so a batch mixes spans of many traces.
    for (let i = pool.length - 1; i > 0; i--) {
      const j = rnd(i + 1);
      const tmp = pool[i];
      pool[i] = pool[j];
      pool[j] = tmp;
    }
    const n = Math.min(BATCH, total - emitted);
    yield pool.slice(0, n);
    pool = pool.slice(n);
    emitted += n;
  }
}

/**
 * The raw limit, for ratios that survive a busy machine: the same spans as naive rows (hex
 * ids, JSON attributes/events/links/resource) into a bare table with no index, 512 per
 * transaction, same pragmas. Returns CPU-time rate and bytes per span.
 */
function rawLimit(dir: string, total: number): { cpuRate: number; bytesPerSpan: number } {
  const file = path.join(dir, 'raw-limit.db');
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE spans (trace_id TEXT, span_id TEXT, parent_span_id TEXT, name TEXT, kind TEXT, start_ns INTEGER,
    end_ns INTEGER, status_code TEXT, status_message TEXT, attributes TEXT, events TEXT, links TEXT, resource TEXT, scope TEXT)`);
  const insert = db.prepare('INSERT INTO spans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const json = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  const write = db.transaction((spans: Span[]) => {
    for (const s of spans) {
      insert.run(s.traceId, s.spanId, s.parentSpanId ?? null, s.name, s.kind, s.startNs, s.endNs, s.status.code,
        s.status.message ?? null, json(s.attributes), json(s.events), json(s.links), s.resource.serviceName, s.scope.name);
    }
  });
  let cpuUs = 0;
  for (const spans of batches(new TraceGenerator(), total)) {
    const c0 = process.cpuUsage();
    write.immediate(spans);
    const c = process.cpuUsage(c0);
    cpuUs += c.user + c.system;
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const bytes = statSync(file).size;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  return { cpuRate: total / (cpuUs / 1e6), bytesPerSpan: bytes / total };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** A store's database and everything SQLite and Faultline keep beside it (WAL, the trace-id index). */
function removeStoreFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-trace-ids`, `${file}-trace-ids-wal`, `${file}-trace-ids-shm`]) rmSync(f, { force: true });
}

function run(total: number, dir: string): void {
  const file = path.join(dir, `query-${total}.db`);
  removeStoreFiles(file);
  const store = openStore(file);
  const gen = new TraceGenerator();
  console.log(`\n== ${fmt(total, 0)} spans → ${file}`);
  let writeMs = 0;
  let writeCpuUs = 0;
  let loaded = 0;
  let nextReport = 1_000_000;
  const wall = performance.now();
  for (const spans of batches(gen, total)) {
    const batch: IngestBatch = { spans, metrics: [], logs: [] };
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    store.writeBatch(batch);
    const c1 = process.cpuUsage(c0);
    writeMs += performance.now() - t0;
    writeCpuUs += c1.user + c1.system;
    loaded += spans.length;
    if (loaded >= nextReport) {
      console.log(`  loaded ${fmt(loaded, 0)}: ${fmt(loaded / (writeMs / 1000), 0)} spans/s (writeBatch only)`);
      nextReport += 1_000_000;
    }
  }
  const wallMs = performance.now() - wall;
  store.checkpoint();
  const stats = store.stats();
  const writeRate = loaded / (writeMs / 1000);
  const bytesPerSpan = stats.bytesOnDisk / loaded;
  const cpuRate = loaded / (writeCpuUs / 1e6);
  console.log(`load: ${fmt(writeRate, 0)} spans/s in writeBatch (512-span batches, wall clock); ${fmt(cpuRate, 0)} spans per CPU-second; ${fmt(loaded / (wallMs / 1000), 0)} spans/s including generation`);
  const raw = rawLimit(dir, Math.min(total, 200_000));
  console.log(
    `raw limit (naive rows, bare table, no index, ${fmt(Math.min(total, 200_000), 0)} spans): ${fmt(raw.cpuRate, 0)} spans per CPU-second, ${fmt(raw.bytesPerSpan)} B/span → writeBatch/raw ratio ${fmt(cpuRate / raw.cpuRate, 2)}`,
  );
  console.log(`  target ≥150,000 spans/s for writeBatch → ratio ${fmt(writeRate / 150_000, 2)} wall clock, ${fmt(cpuRate / 150_000, 2)} per CPU-second`);
  console.log(`disk: ${fmt(stats.bytesOnDisk / 1e6)} MB = ${fmt(bytesPerSpan)} B/span (${fmt(gen.traces, 0)} traces)`);
  console.log(`  target ≤150 B/span → ratio ${fmt(bytesPerSpan / 150, 2)} (lower is better)`);

  if (process.env.BENCH_LOAD_ONLY) {
    store.close();
    removeStoreFiles(file);
    return;
  }
  // Trace by id: random sampled ids, full decode of every span.
  const ids = gen.sampleTraceIds;
  const lookups: number[] = [];
  const lookupsCpu: number[] = [];
  let spansRead = 0;
  for (let i = 0; i < Math.max(1000, ids.length); i++) {
    const id = ids[rnd(ids.length)];
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    spansRead += store.getTrace(id).length;
    const c = process.cpuUsage(c0);
    lookups.push(performance.now() - t0);
    lookupsCpu.push((c.user + c.system) / 1000);
  }
  lookups.sort((a, b) => a - b);
  lookupsCpu.sort((a, b) => a - b);
  console.log(
    `trace by id (${lookups.length} random, ${fmt(spansRead / lookups.length)} spans each): p50 ${fmt(percentile(lookups, 50), 3)} ms, p99 ${fmt(percentile(lookups, 99), 3)} ms wall clock; CPU time p50 ${fmt(percentile(lookupsCpu, 50), 3)} ms, p99 ${fmt(percentile(lookupsCpu, 99), 3)} ms`,
  );
  console.log(
    `  target p99 ≤25 ms → ratio ${fmt(percentile(lookups, 99) / 25, 3)} wall clock, ${fmt(percentile(lookupsCpu, 99) / 25, 3)} CPU time (lower is better)`,
  );

  // Service + 5-minute window search, newest 20 traces.
  const clockEnd = gen['clockNs'] as bigint;
  const spanNs = clockEnd - (BigInt(Date.now() - 3_600_000) * 1_000_000n);
  const searches: number[] = [];
  const searchesCpu: number[] = [];
  let found = 0;
  for (let i = 0; i < 300; i++) {
    const svc = pick(SERVICES);
    const windowNs = 5n * 60n * 1_000_000_000n;
    const offset = BigInt(Math.floor(Math.random() * Number(spanNs)));
    const toNs = clockEnd - offset + windowNs / 2n;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    found += store.searchTraces({ service: svc, fromNs: toNs - windowNs, toNs, limit: 20 }).length;
    const c = process.cpuUsage(c0);
    searches.push(performance.now() - t0);
    searchesCpu.push((c.user + c.system) / 1000);
  }
  searches.sort((a, b) => a - b);
  searchesCpu.sort((a, b) => a - b);
  console.log(
    `service+time search (300, 5-min window, limit 20, ${fmt(found / searches.length)} traces each): p50 ${fmt(percentile(searches, 50), 3)} ms, p99 ${fmt(percentile(searches, 99), 3)} ms wall clock; CPU time p50 ${fmt(percentile(searchesCpu, 50), 3)} ms, p99 ${fmt(percentile(searchesCpu, 99), 3)} ms`,
  );
  const errSearch: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t0 = performance.now();
    store.searchTraces({ status: 'error', attributes: { 'http.route': '/api/orders/:id' }, limit: 20 });
    errSearch.push(performance.now() - t0);
  }
  errSearch.sort((a, b) => a - b);
  console.log(`error+attribute search over all services (50): p50 ${fmt(percentile(errSearch, 50), 3)} ms, p99 ${fmt(percentile(errSearch, 99), 3)} ms`);
  store.close();
  removeStoreFiles(file);
}

function main(): void {
  const arg = process.argv.indexOf('--spans');
  const sizes = arg >= 0 ? process.argv[arg + 1].split(',').map((s) => Number(s.replace(/_/g, ''))) : [1_000_000, 10_000_000];
  if (sizes.some((n) => !Number.isSafeInteger(n) || n <= 0)) {
    console.error('usage: npm run bench:query [-- --spans N[,N…]]');
    process.exitCode = 2;
    return;
  }
  const dir = path.resolve('data/bench');
  mkdirSync(dir, { recursive: true });
  console.log(`bench:query — SQLite store, ${BATCH}-span batches, realistic spans (~20/trace, ${SERVICES.length} services)`);
  for (const n of sizes) run(n, dir);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
