// The trace search form ↔ URL ↔ API request. Pure, so the mapping is tested without a browser.
// URL keys: service, operation, minDuration, maxDuration (human durations: 250ms, 1.5s, 2m),
// status (error|ok|unset), attr (key=value), limit.

export interface TraceFilters {
  service: string;
  operation: string;
  minDuration: string;
  maxDuration: string;
  status: '' | 'error' | 'ok' | 'unset';
  attr: string;
  limit: number;
}

export const FILTER_KEYS = ['service', 'operation', 'minDuration', 'maxDuration', 'status', 'attr', 'limit'] as const;
export const DEFAULT_LIMIT = 100;
const LIMITS = [20, 50, 100, 200, 500, 1000];
export const LIMIT_CHOICES: readonly number[] = LIMITS;

const UNIT_MS: Record<string, number> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** "250ms", "1.5s", "2m", "800us", bare numbers as ms → milliseconds; undefined when unreadable. */
export function parseDurationMs(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|min|h)?\s*$/i.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]) * UNIT_MS[(m[2] ?? 'ms').toLowerCase()];
  return Number.isFinite(v) ? v : undefined;
}

/** `key=value` → [key, value]; undefined when there is no key or no `=`. */
export function parseAttr(text: string): [string, string] | undefined {
  const i = text.indexOf('=');
  if (i <= 0) return undefined;
  const key = text.slice(0, i).trim();
  const value = text.slice(i + 1).trim();
  return key ? [key, value] : undefined;
}

export function filtersFromParams(params: { get(name: string): string | null }): TraceFilters {
  const status = params.get('status');
  const limit = Number(params.get('limit'));
  return {
    service: params.get('service') ?? '',
    operation: params.get('operation') ?? '',
    minDuration: params.get('minDuration') ?? '',
    maxDuration: params.get('maxDuration') ?? '',
    status: status === 'error' || status === 'ok' || status === 'unset' ? status : '',
    attr: params.get('attr') ?? '',
    limit: LIMITS.includes(limit) ? limit : DEFAULT_LIMIT,
  };
}

/** Problems a user can fix, by field; an empty object means the form can be submitted. */
export function validateFilters(f: TraceFilters): Partial<Record<keyof TraceFilters, string>> {
  const out: Partial<Record<keyof TraceFilters, string>> = {};
  const min = f.minDuration ? parseDurationMs(f.minDuration) : undefined;
  const max = f.maxDuration ? parseDurationMs(f.maxDuration) : undefined;
  if (f.minDuration && min === undefined) out.minDuration = 'Use a duration like 250ms, 1.5s or 2m';
  if (f.maxDuration && max === undefined) out.maxDuration = 'Use a duration like 250ms, 1.5s or 2m';
  if (min !== undefined && max !== undefined && min > max) out.maxDuration = 'Max must be at least min';
  if (f.attr && parseAttr(f.attr) === undefined) out.attr = 'Use key=value, e.g. http.route=/checkout';
  return out;
}

/** The URL patch for a submitted form (empty fields removed from the URL). */
export function filtersToParams(f: TraceFilters): Record<string, string | null> {
  return {
    service: f.service || null,
    operation: f.operation || null,
    minDuration: f.minDuration.trim() || null,
    maxDuration: f.maxDuration.trim() || null,
    status: f.status || null,
    attr: f.attr.trim() || null,
    limit: f.limit === DEFAULT_LIMIT ? null : String(f.limit),
  };
}

/** The /api/v1/traces query: durations in ms, the window as epoch ms; unreadable filters are left out. */
export function apiQuery(f: TraceFilters, window: { fromMs: number; toMs: number }): Record<string, string | number | undefined> {
  const min = f.minDuration ? parseDurationMs(f.minDuration) : undefined;
  const max = f.maxDuration ? parseDurationMs(f.maxDuration) : undefined;
  return {
    service: f.service || undefined,
    operation: f.operation || undefined,
    minDuration: min,
    maxDuration: max,
    status: f.status || undefined,
    attr: f.attr && parseAttr(f.attr) ? f.attr.trim() : undefined,
    from: Math.floor(window.fromMs),
    to: Math.ceil(window.toMs),
    limit: f.limit,
  };
}
