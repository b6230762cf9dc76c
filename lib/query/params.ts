// Query-string parameters of /api/v1/* → typed values, or a problem naming the parameter and
// the reason (`from: not a date (RFC 3339) or epoch milliseconds`). Route handlers map a problem
// to its HTTP status in one place (app/api/v1/respond.ts).

export class ApiProblem {
  constructor(
    readonly status: 400 | 404 | 500 | 503,
    readonly message: string,
  ) {}
}

export const isProblem = (x: unknown): x is ApiProblem => x instanceof ApiProblem;
export const bad = (param: string, reason: string): ApiProblem => new ApiProblem(400, `${param}: ${reason}`);

export const DEFAULT_WINDOW_MS = 15 * 60_000;
/** The oldest instant a window may start at (rejects typos like year 0026). */
const MIN_EPOCH_MS = Date.UTC(1990, 0, 1);
const MAX_EPOCH_MS = Date.UTC(2200, 0, 1);

export interface Window {
  fromMs: number;
  toMs: number;
}

/** RFC 3339 (`2026-11-22T04:00:00Z`, offsets, fractions) or epoch milliseconds. */
export function parseTime(param: string, raw: string): number | ApiProblem {
  const v = raw.trim();
  if (v === '') return bad(param, 'empty');
  let ms: number;
  if (/^-?\d+(\.\d+)?$/.test(v)) ms = Number(v);
  else if (/^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2}))?$/.test(v)) ms = Date.parse(v);
  else return bad(param, `not an RFC 3339 time or epoch milliseconds: ${JSON.stringify(v.slice(0, 40))}`);
  if (!Number.isFinite(ms)) return bad(param, `not a valid time: ${JSON.stringify(v.slice(0, 40))}`);
  if (ms < MIN_EPOCH_MS || ms > MAX_EPOCH_MS) return bad(param, 'out of range (epoch milliseconds between 1990 and 2200 expected)');
  return Math.floor(ms);
}

/** `from`/`to`; defaults: to = now, from = to − 15 min. */
export function parseWindow(q: URLSearchParams, nowMs: number, defaultMs = DEFAULT_WINDOW_MS): Window | ApiProblem {
  const rawTo = q.get('to');
  const rawFrom = q.get('from');
  const toMs = rawTo === null ? nowMs : parseTime('to', rawTo);
  if (isProblem(toMs)) return toMs;
  const fromMs = rawFrom === null ? toMs - defaultMs : parseTime('from', rawFrom);
  if (isProblem(fromMs)) return fromMs;
  if (fromMs >= toMs) return bad('from', 'must be before to');
  return { fromMs, toMs };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `250ms`, `1.5s`, `5m`, `1h`, `1d`, or a plain number of milliseconds. */
export function parseDuration(param: string, raw: string): number | ApiProblem {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(raw);
  if (!m) return bad(param, `not a duration (e.g. 250ms, 1.5s, 5m, or milliseconds): ${JSON.stringify(raw.slice(0, 40))}`);
  const v = Number(m[1]) * UNITS[m[2] ?? 'ms'];
  if (!Number.isFinite(v)) return bad(param, 'too large');
  return v;
}

export const MAX_POINTS = 10_000;

/**
 * `step`: whole minutes (rollups are per minute), e.g. `60s`, `5m`, `1h` or ms. Without one, the
 * smallest of a fixed ladder that gives at most `targetPoints` points over the window.
 */
export function parseStep(q: URLSearchParams, w: Window, targetPoints = 60): number | ApiProblem {
  const raw = q.get('step');
  const span = w.toMs - w.fromMs;
  if (raw === null) return defaultStep(span, targetPoints);
  const ms = parseDuration('step', raw);
  if (isProblem(ms)) return ms;
  if (ms < 60_000) return bad('step', 'must be at least 60s (rollups are per minute)');
  if (ms % 60_000 !== 0) return bad('step', 'must be a whole number of minutes (rollups are per minute)');
  if (Math.ceil(span / ms) > MAX_POINTS) return bad('step', `too small for the window: more than ${MAX_POINTS} points`);
  return ms;
}

const LADDER = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080].map((m) => m * 60_000);

export function defaultStep(spanMs: number, targetPoints: number): number {
  for (const s of LADDER) if (spanMs / s <= targetPoints) return s;
  return Math.ceil(spanMs / targetPoints / 86_400_000) * 86_400_000;
}

export function parseLimit(q: URLSearchParams, dflt: number, max: number): number | ApiProblem {
  const raw = q.get('limit');
  if (raw === null) return dflt;
  if (!/^\s*\d+\s*$/.test(raw)) return bad('limit', `not a whole number: ${JSON.stringify(raw.slice(0, 20))}`);
  const n = Number(raw);
  if (n < 1 || n > max) return bad('limit', `must be between 1 and ${max}`);
  return n;
}

export type AttributeFilter = Record<string, string | number | boolean>;

/**
 * `attr=key=value`, repeatable. Values are matched typed: `true`/`false` → boolean, a number →
 * number, `"quoted"` → the string inside, anything else → string.
 */
export function parseAttributes(q: URLSearchParams): AttributeFilter | ApiProblem {
  const out: AttributeFilter = {};
  for (const raw of q.getAll('attr')) {
    const i = raw.indexOf('=');
    if (i <= 0) return bad('attr', `expected key=value, got ${JSON.stringify(raw.slice(0, 60))}`);
    const key = raw.slice(0, i).trim();
    const v = raw.slice(i + 1);
    if (key === '') return bad('attr', 'empty key');
    if (key in out) return bad('attr', `key given twice: ${JSON.stringify(key)}`);
    out[key] = typedValue(v);
  }
  return out;
}

function typedValue(v: string): string | number | boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(v) && Number.isFinite(Number(v))) return Number(v);
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1);
  return v;
}

export type StatusFilter = 'ok' | 'error' | 'unset';

export function parseStatus(q: URLSearchParams): StatusFilter | undefined | ApiProblem {
  const raw = q.get('status');
  if (raw === null || raw === '') return undefined;
  const v = raw.toLowerCase();
  if (v === 'ok' || v === 'error' || v === 'unset') return v;
  return bad('status', `must be ok, error or unset, got ${JSON.stringify(raw.slice(0, 20))}`);
}

/** A non-empty, bounded free-text parameter (service, operation). */
export function parseText(q: URLSearchParams, param: string, maxLength = 512): string | undefined | ApiProblem {
  const raw = q.get(param);
  if (raw === null || raw === '') return undefined;
  if (raw.length > maxLength) return bad(param, `longer than ${maxLength} characters`);
  return raw;
}

export function parseTraceId(raw: string): string | ApiProblem {
  const v = raw.trim().toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(v)) return bad('traceId', 'must be 32 hexadecimal characters');
  return v;
}
