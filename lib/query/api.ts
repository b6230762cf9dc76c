// /api/v1/* requests → Query calls: the parameter parsing every route shares, and the one place
// that turns a result into an HTTP status and JSON body. Route handlers in app/api/v1 are one line.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EMPTY_CONFIG, parseConfig, type FaultlineConfig } from '../analysis/findings/index.ts';
import { openStore } from '../store/index.ts';
import { RollupReader } from '../store/rollups/reader.ts';
import {
  ApiProblem,
  isProblem,
  parseAttributes,
  parseDuration,
  parseLimit,
  parseStatus,
  parseStep,
  parseText,
  parseTraceId,
  parseWindow,
} from './params.ts';
import { Query, type TracesQuery } from './query.ts';

/** `json`, when present, is the body already serialized (sent as is); `body` is then its parsed value. */
export type ApiResult = { status: number; body: unknown; json?: Uint8Array<ArrayBuffer> };

const ok = (body: unknown): ApiResult => ({ status: 200, body });
const problem = (p: ApiProblem): ApiResult => ({ status: p.status, body: { error: p.message } });

const utf8 = new TextDecoder();

export function graphApi(q: Query, params: URLSearchParams): ApiResult {
  const w = parseWindow(params, q.nowMs());
  if (isProblem(w)) return problem(w);
  // The graph is megabytes of JSON: written as bytes directly (graph-json.ts).
  return jsonResult(q.graphJson(w));
}

/** A 200 whose body is already JSON bytes; `body` parses them for a caller that wants the value. */
function jsonResult(json: Uint8Array<ArrayBuffer>): ApiResult {
  return {
    status: 200,
    json,
    get body(): unknown {
      return JSON.parse(utf8.decode(json));
    },
  };
}

export function servicesApi(q: Query, params: URLSearchParams): ApiResult {
  const w = parseWindow(params, q.nowMs());
  if (isProblem(w)) return problem(w);
  const stepMs = parseStep(params, w, 30);
  if (isProblem(stepMs)) return problem(stepMs);
  return jsonResult(q.servicesJson({ ...w, stepMs }));
}

export function serviceRedApi(q: Query, name: string, params: URLSearchParams): ApiResult {
  const w = parseWindow(params, q.nowMs());
  if (isProblem(w)) return problem(w);
  const stepMs = parseStep(params, w, 60);
  if (isProblem(stepMs)) return problem(stepMs);
  const r = q.serviceRed(name, { ...w, stepMs });
  return isProblem(r) ? problem(r) : ok(r);
}

export function tracesApi(q: Query, params: URLSearchParams): ApiResult {
  const w = parseWindow(params, q.nowMs());
  if (isProblem(w)) return problem(w);
  const limit = parseLimit(params, 20, 1000);
  if (isProblem(limit)) return problem(limit);
  const tq: TracesQuery = { ...w, limit };
  for (const [param, key] of [['service', 'service'], ['operation', 'operation']] as const) {
    const v = parseText(params, param);
    if (isProblem(v)) return problem(v);
    if (v !== undefined) tq[key] = v;
  }
  for (const [param, key] of [['minDuration', 'minDurationMs'], ['maxDuration', 'maxDurationMs']] as const) {
    const raw = params.get(param);
    if (raw === null || raw === '') continue;
    const v = parseDuration(param, raw);
    if (isProblem(v)) return problem(v);
    tq[key] = v;
  }
  const status = parseStatus(params);
  if (isProblem(status)) return problem(status);
  if (status !== undefined) tq.status = status;
  const attributes = parseAttributes(params);
  if (isProblem(attributes)) return problem(attributes);
  tq.attributes = attributes;
  const r = q.traces(tq);
  return isProblem(r) ? problem(r) : ok(r);
}

export function traceApi(q: Query, rawId: string): ApiResult {
  const id = parseTraceId(rawId);
  if (isProblem(id)) return problem(id);
  const r = q.trace(id);
  return isProblem(r) ? problem(r) : ok(r);
}

export function findingsApi(q: Query, params: URLSearchParams): ApiResult {
  const w = parseWindow(params, q.nowMs());
  if (isProblem(w)) return problem(w);
  return ok(q.findings(w));
}

/** Runs an API call; a bug or an unavailable database becomes a JSON 500/503, never an HTML page. */
export function guarded(run: () => ApiResult): ApiResult {
  try {
    return run();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof ApiProblem) return problem(err);
    const busy = /SQLITE_BUSY|database is locked|unable to open|no such table/i.test(message);
    return { status: busy ? 503 : 500, body: { error: busy ? `database unavailable: ${message}` : `internal error: ${message}` } };
  }
}

// ---- The process-wide Query (one store per process, opened on first use) -------------------

const KEY = Symbol.for('faultline.query.default');
type Holder = { [KEY]?: Query | ApiProblem };

/**
 * The Query of this process over FAULTLINE_DB (default ./data/faultline.db). Opened once and
 * kept on globalThis so Next.js's per-route module copies share it. A database that cannot be
 * opened is remembered as a 503 problem (retried after a restart).
 */
export function defaultQuery(): Query | ApiProblem {
  const g = globalThis as Holder;
  const cur = g[KEY];
  if (cur && !isProblem(cur)) return cur;
  try {
    const store = openStore(process.env.FAULTLINE_DB);
    const config = loadConfig();
    if (isProblem(config)) {
      store.close();
      return config;
    }
    const q = new Query({ store, rollups: new RollupReader(store.url), config });
    g[KEY] = q;
    return q;
  } catch (err) {
    return new ApiProblem(503, `database unavailable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** FAULTLINE_CONFIG, else ./faultline.config.json / .yaml / .yml when present. */
function loadConfig(): FaultlineConfig | ApiProblem {
  const candidates = process.env.FAULTLINE_CONFIG
    ? [process.env.FAULTLINE_CONFIG]
    : ['faultline.config.json', 'faultline.config.yaml', 'faultline.config.yml'].map((f) => path.resolve(/*turbopackIgnore: true*/ process.cwd(), f));
  for (const file of candidates) {
    if (!existsSync(file)) {
      if (process.env.FAULTLINE_CONFIG) return new ApiProblem(500, `FAULTLINE_CONFIG: file not found: ${file}`);
      continue;
    }
    const r = parseConfig(readFileSync(file, 'utf8'), file.endsWith('.json') ? 'json' : 'yaml', file);
    return r.ok ? r.config : new ApiProblem(500, `invalid configuration: ${r.errors.join('; ')}`);
  }
  return EMPTY_CONFIG;
}

/** For route handlers: query string in, Response out. */
export function respond(req: Request, call: (q: Query, params: URLSearchParams) => ApiResult): Response {
  const q = defaultQuery();
  const result = isProblem(q) ? problem(q) : guarded(() => call(q, new URL(req.url).searchParams));
  if (result.json) return new Response(result.json, { status: result.status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' } });
  return Response.json(result.body, { status: result.status, headers: { 'Cache-Control': 'no-store' } });
}
