// Grafana Faro receiver: POST /collect on the collector port (WIRE.md, "Grafana Faro").
// Browser CORS allow-list, optional x-api-key, per-client rate limit (429 + Retry-After), a
// 5 MiB body cap on raw and inflated bytes, then the payload is split into OTLP/JSON requests
// that join the ordinary writer pipeline. 202 means every part is committed.
// Nothing in a payload is ever fetched: no source maps, no page URLs (the SSRF of another
// product's Faro receiver came from exactly that).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { faroToOtlp } from '../../lib/otlp/faro.ts';
import { drain, readBody } from '../body.ts';
import type { CollectorMetrics, Signal } from '../metrics.ts';
import { sendStatus } from '../respond.ts';
import type { WriterClient } from '../writer.ts';
import { ClientRateLimiter, originAllowed, parseOrigins } from './faro-limits.ts';

export const FARO_PATH = '/collect';
export const FARO_DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

export interface FaroOptions {
  /** Origins whose pages may post (exact, e.g. http://localhost:3000); `*` for any. */
  allowedOrigins: string[];
  /** When set, requests must carry it in `x-api-key`. */
  apiKey?: string;
  ratePerSec: number;
  burst: number;
  maxBodyBytes: number;
}

/** Where the dashboard runs when `serve` did not say which port: any port on this machine. */
const LOOPBACK_ANY_PORT = 'http://localhost:*,http://127.0.0.1:*,http://[::1]:*';

/**
 * Options from the environment: FAULTLINE_FARO_ORIGINS (comma list; default the dashboard's
 * origin: localhost/127.0.0.1 on FAULTLINE_PORT, or on any port when that is unset, as with
 * `serve --port`), FAULTLINE_FARO_API_KEY, FAULTLINE_FARO_RATE (requests/s per client, default
 * 10), FAULTLINE_FARO_BURST (default 50), FAULTLINE_FARO_MAX_BYTES.
 */
export function faroOptionsFromEnv(env: Record<string, string | undefined> = process.env): FaroOptions {
  const port = env.FAULTLINE_PORT && /^[1-9]\d*$/.test(env.FAULTLINE_PORT) ? env.FAULTLINE_PORT : undefined;
  const origins = env.FAULTLINE_FARO_ORIGINS ?? (port ? `http://localhost:${port},http://127.0.0.1:${port},http://[::1]:${port}` : LOOPBACK_ANY_PORT);
  const num = (v: string | undefined, d: number) => {
    const n = Number(v);
    return v !== undefined && v !== '' && Number.isFinite(n) && n > 0 ? n : d;
  };
  return {
    allowedOrigins: parseOrigins(origins),
    apiKey: env.FAULTLINE_FARO_API_KEY || undefined,
    ratePerSec: num(env.FAULTLINE_FARO_RATE, 10),
    burst: num(env.FAULTLINE_FARO_BURST, 50),
    maxBodyBytes: num(env.FAULTLINE_FARO_MAX_BYTES, FARO_DEFAULT_MAX_BYTES),
  };
}

export interface FaroDeps {
  writer: WriterClient;
  metrics: CollectorMetrics;
  faro?: FaroOptions;
}

interface FaroState {
  opts: FaroOptions;
  limiter: ClientRateLimiter;
}

// One limiter per server (keyed by its deps object), created on the first request.
const states = new WeakMap<object, FaroState>();

function stateFor(deps: FaroDeps): FaroState {
  let s = states.get(deps);
  if (s === undefined) {
    const opts = deps.faro ?? faroOptionsFromEnv();
    s = { opts, limiter: new ClientRateLimiter({ ratePerSec: opts.ratePerSec, burst: opts.burst, maxClients: 10_000 }) };
    states.set(deps, s);
  }
  return s;
}

const ALLOW_HEADERS = 'content-type, content-encoding, x-api-key, x-faro-session-id, idempotency-key';

function corsHeaders(origin: string | undefined): Record<string, string> {
  if (origin === undefined) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': 'Retry-After, X-Faro-Session-Status',
    Vary: 'Origin',
  };
}

function keyMatches(given: string | string[] | undefined, want: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Who a request counts against: its API key when it has one, else its address. */
function clientOf(req: IncomingMessage): string {
  const key = req.headers['x-api-key'];
  if (typeof key === 'string' && key.length > 0) return `key:${key.slice(0, 128)}`;
  return `addr:${req.socket.remoteAddress ?? 'unknown'}`;
}

export async function handleFaro(req: IncomingMessage, res: ServerResponse, deps: FaroDeps): Promise<void> {
  const { metrics } = deps;
  const { opts, limiter } = stateFor(deps);
  const originHeader = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
  // Browsers send "null" from sandboxed frames and file: pages; treat it as an origin like any other.
  const originOk = originHeader === undefined || originAllowed(originHeader, opts.allowedOrigins);
  const cors = originOk ? corsHeaders(originHeader) : {};
  const refuse = (status: number, reason: string, message: string, extra: Record<string, string> = {}) => {
    metrics.refuse('other', `faro_${reason}`);
    metrics.respond('other', status);
    sendStatus(res, status, message, 'json', { ...cors, ...extra });
  };

  if (req.method === 'OPTIONS') {
    drain(req);
    if (!originOk) {
      refuse(403, 'origin', `origin ${JSON.stringify(originHeader)} is not allowed to send Faro data; add it to FAULTLINE_FARO_ORIGINS`);
      return;
    }
    res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'POST, OPTIONS', 'Access-Control-Allow-Headers': ALLOW_HEADERS, 'Access-Control-Max-Age': '600', 'Content-Length': '0' });
    res.end();
    return;
  }
  if (req.method !== 'POST') {
    drain(req);
    refuse(405, 'method', `method ${req.method} not allowed on ${FARO_PATH}; use POST`, { Allow: 'POST, OPTIONS' });
    return;
  }
  if (!originOk) {
    drain(req);
    refuse(403, 'origin', `origin ${JSON.stringify(originHeader)} is not allowed to send Faro data; add it to FAULTLINE_FARO_ORIGINS`);
    return;
  }
  if (opts.apiKey !== undefined && !keyMatches(req.headers['x-api-key'], opts.apiKey)) {
    drain(req);
    refuse(401, 'api_key', 'missing or wrong x-api-key');
    return;
  }
  const decision = limiter.take(clientOf(req), Date.now());
  if (!decision.allowed) {
    drain(req);
    refuse(429, 'rate_limited', `too many requests from this client; retry after ${decision.retryAfterS} s`, { 'Retry-After': String(decision.retryAfterS) });
    return;
  }
  const mime = (req.headers['content-type'] ?? 'application/json').split(';', 1)[0].trim().toLowerCase();
  // The SDK sends application/json; sendBeacon-style clients send text/plain to avoid a preflight.
  if (mime !== 'application/json' && mime !== 'text/plain') {
    drain(req);
    refuse(415, 'content_type', `unsupported Content-Type ${JSON.stringify(req.headers['content-type'])}; Faro sends application/json`);
    return;
  }
  const read = await readBody(req, opts.maxBodyBytes);
  if (!read.ok) {
    refuse(read.status, read.status === 413 ? 'too_large' : 'bad_body', read.message, read.status === 413 ? { Connection: 'close' } : {});
    return;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(read.body.toString('utf8'));
  } catch (err) {
    refuse(400, 'bad_request', `request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  const translated = faroToOtlp(parsed, BigInt(Date.now()) * 1_000_000n);
  if (!translated.ok) {
    refuse(400, 'bad_request', translated.message);
    return;
  }
  const parts: [Signal, object][] = [];
  const t = translated.value;
  if (t.traces) parts.push(['traces', t.traces]);
  if (t.logs) parts.push(['logs', t.logs]);
  if (t.metrics) parts.push(['metrics', t.metrics]);

  let rejected = t.rejected;
  const errors = [...t.errors];
  const submitted = parts.map(([signal, body]) => ({ signal, sub: deps.writer.submit(signal, 'json', Buffer.from(JSON.stringify(body))) }));
  const refused = submitted.find((s) => !s.sub.queued);
  const outcomes = await Promise.all(submitted.map(async (s) => ({ signal: s.signal, outcome: s.sub.queued ? await s.sub.outcome : undefined })));
  if (refused !== undefined) {
    // Parts already queued commit anyway; a retry re-sends them and spans are idempotent by id.
    refuse(503, 'store_busy', 'the write queue is full; retry after 1 s', { 'Retry-After': '1' });
    return;
  }
  for (const { signal, outcome } of outcomes) {
    if (outcome === undefined) continue;
    if (outcome.kind === 'invalid') {
      refuse(400, 'bad_request', `${signal}: ${outcome.message}`);
      return;
    }
    if (outcome.kind === 'failed') {
      metrics.dropped[signal] += outcome.items;
      if (outcome.transient) refuse(503, 'store_busy', `could not store: ${outcome.message}; retry after 1 s`, { 'Retry-After': '1' });
      else refuse(500, 'store_error', `could not store: ${outcome.message}`);
      return;
    }
    metrics.received[signal] += outcome.items + outcome.rejected;
    metrics.accepted[signal] += outcome.items;
    metrics.rejected[signal] += outcome.rejected;
    rejected += outcome.rejected;
    for (const e of outcome.errors) if (errors.length < 5) errors.push(e);
  }
  metrics.respond('other', 202);
  const body = JSON.stringify(rejected > 0 ? { rejected, errors } : {});
  res.writeHead(202, { ...cors, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
