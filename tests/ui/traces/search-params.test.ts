import { describe, expect, it } from 'vitest';
import { scatterLayout, SCATTER_MARGIN } from '../../../components/traces/scatter-layout.ts';
import { DEFAULT_LIMIT, apiQuery, filtersFromParams, filtersToParams, parseAttr, parseDurationMs, validateFilters } from '../../../components/traces/search-params.ts';

describe('parseDurationMs', () => {
  it.each([
    ['250ms', 250],
    ['250', 250],
    ['1.5s', 1500],
    [' 2m ', 120_000],
    ['800us', 0.8],
    ['1h', 3_600_000],
  ])('%s → %s ms', (text, ms) => expect(parseDurationMs(text)).toBeCloseTo(ms));
  it.each(['', 'fast', '-5ms', '1e3', '5 days'])('refuses %j', (text) => expect(parseDurationMs(text)).toBeUndefined());
});

describe('parseAttr', () => {
  it('splits at the first =', () => {
    expect(parseAttr('http.route=/a=b')).toEqual(['http.route', '/a=b']);
    expect(parseAttr('=x')).toBeUndefined();
    expect(parseAttr('novalue')).toBeUndefined();
  });
});

describe('filters ↔ URL ↔ API', () => {
  const params = new URLSearchParams('service=checkout&minDuration=1.5s&status=error&attr=http.route%3D%2Fpay&limit=50&junk=1');
  const f = filtersFromParams(params);
  it('reads the URL', () => {
    expect(f).toEqual({ service: 'checkout', operation: '', minDuration: '1.5s', maxDuration: '', status: 'error', attr: 'http.route=/pay', limit: 50 });
  });
  it('falls back for bad values', () => {
    expect(filtersFromParams(new URLSearchParams('status=<b>&limit=7'))).toMatchObject({ status: '', limit: DEFAULT_LIMIT });
  });
  it('writes only the fields that are set', () => {
    expect(filtersToParams(f)).toEqual({ service: 'checkout', operation: null, minDuration: '1.5s', maxDuration: null, status: 'error', attr: 'http.route=/pay', limit: '50' });
  });
  it('asks the API in milliseconds', () => {
    expect(apiQuery(f, { fromMs: 1000.4, toMs: 2000.2 })).toEqual({ service: 'checkout', operation: undefined, minDuration: 1500, maxDuration: undefined, status: 'error', attr: 'http.route=/pay', from: 1000, to: 2001, limit: 50 });
  });
  it('validates what a user can fix', () => {
    expect(validateFilters({ ...f, minDuration: 'soon', attr: 'x' })).toEqual({ minDuration: expect.any(String), attr: expect.any(String) });
    expect(validateFilters({ ...f, minDuration: '2s', maxDuration: '1s' })).toEqual({ maxDuration: 'Max must be at least min' });
    expect(validateFilters(f)).toEqual({});
  });
});

describe('scatterLayout', () => {
  const fmt = (ms: number) => `${ms}ms`;
  const traces = [
    { traceId: 'a', startMs: 1000, durationMs: 10, spanCount: 4, errorCount: 0 },
    { traceId: 'b', startMs: 2000, durationMs: 100, spanCount: 16, errorCount: 2 },
  ];
  it('places traces by start time and duration inside the plot', () => {
    const l = scatterLayout(traces, { fromMs: 0, toMs: 2000 }, 400 + SCATTER_MARGIN.left + SCATTER_MARGIN.right, 200, fmt);
    expect(l.points[0].x).toBeCloseTo(200);
    expect(l.points[1].x).toBeCloseTo(400);
    expect(l.points[1].y).toBeLessThan(l.points[0].y);
    expect(l.points[1].r).toBeGreaterThan(l.points[0].r);
    expect(l.points.map((p) => p.error)).toEqual([false, true]);
    expect(l.invertX(100)).toBeCloseTo(500);
  });
  it('switches to a log axis when durations span decades, without repeated labels', () => {
    const wide = [...traces, { traceId: 'c', startMs: 1500, durationMs: 50_000, spanCount: 1, errorCount: 0 }];
    const l = scatterLayout(wide, { fromMs: 0, toMs: 2000 }, 500, 200, fmt);
    const labels = l.yTicks.map((t) => t.label);
    expect(new Set(labels).size).toBe(labels.length);
    expect(l.points[2].y).toBeLessThan(l.points[1].y);
  });
  it('copes with no traces', () => {
    expect(scatterLayout([], { fromMs: 0, toMs: 1 }, 300, 100, fmt).points).toEqual([]);
  });
});
