import { describe, expect, it } from 'vitest';
import { errorMessageFromBody, withQuery } from '../../components/ui/fetch-json.ts';
import { formatCount, formatMs, formatPercent, formatRate } from '../../components/ui/format.ts';
import { appPath, safeHttpUrl } from '../../components/ui/safe-url.ts';
import { sparklineGeometry } from '../../components/ui/sparkline-path.ts';
import { compareValues, nextSort, sortRows } from '../../components/ui/table-sort.ts';
import { parseTimeParam, parseTimeWindow, resolveTimeWindow, timeWindowParams, windowAround } from '../../components/ui/time-window.ts';
import { patchQuery } from '../../components/ui/use-view-state.ts';
import { isActivePath } from '../../components/ui/NavLinks.tsx';

const params = (q: string) => new URLSearchParams(q);

describe('time window from the URL', () => {
  it('defaults to the last hour', () => {
    const spec = parseTimeWindow(params(''));
    expect(spec.kind === 'preset' && spec.preset.id).toBe('1h');
    expect(resolveTimeWindow(spec, 10_000_000)).toEqual({ fromMs: 10_000_000 - 3_600_000, toMs: 10_000_000 });
  });

  it('reads a preset, and falls back on an unknown one', () => {
    const s = parseTimeWindow(params('range=7d'));
    expect(s.kind === 'preset' && s.preset.ms).toBe(7 * 24 * 3600_000);
    const bad = parseTimeWindow(params('range=banana'));
    expect(bad.kind === 'preset' && bad.preset.id).toBe('1h');
  });

  it('prefers a valid custom window in epoch ms or RFC 3339', () => {
    expect(parseTimeWindow(params('range=15m&from=1000&to=2000'))).toEqual({ kind: 'custom', fromMs: 1000, toMs: 2000 });
    expect(parseTimeWindow(params('from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z'))).toEqual({ kind: 'custom', fromMs: Date.UTC(2020, 0, 1), toMs: Date.UTC(2020, 0, 2) });
  });

  it('ignores a reversed or unparsable custom window', () => {
    expect(parseTimeWindow(params('from=2000&to=1000')).kind).toBe('preset');
    expect(parseTimeWindow(params('from=yesterday&to=1000')).kind).toBe('preset');
    expect(parseTimeParam('')).toBeUndefined();
    expect(parseTimeParam('0')).toBe(0);
    expect(parseTimeParam('1571896435368.848')).toBe(1571896435369);
  });

  it('writes one form and clears the other', () => {
    expect(timeWindowParams({ kind: 'custom', fromMs: 1.4, toMs: 9 })).toEqual({ range: null, from: '1', to: '9' });
    const p = parseTimeWindow(params('range=6h'));
    expect(timeWindowParams(p)).toEqual({ range: '6h', from: null, to: null });
  });

  it('frames old data with padding of at least 30 s', () => {
    expect(windowAround(100_000, 100_000)).toEqual({ fromMs: 70_000, toMs: 130_000 });
    const w = windowAround(0, 10_000_000);
    expect(w.fromMs).toBe(-500_000);
  });
});

describe('URL view state', () => {
  it('patches the query string: sets, replaces and deletes', () => {
    expect(patchQuery('a=1&b=2', { a: '3', b: null, c: 4 })).toBe('a=3&c=4');
    expect(patchQuery('', { flag: true, off: false, empty: '' })).toBe('flag=1');
  });

  it('marks the active nav entry, with / only for the home page', () => {
    expect(isActivePath('/', '/')).toBe(true);
    expect(isActivePath('/services', '/')).toBe(false);
    expect(isActivePath('/services/orders', '/services')).toBe(true);
    expect(isActivePath('/servicesx', '/services')).toBe(false);
  });
});

describe('formatting', () => {
  it.each([
    [0, '0 ms'],
    [0.25, '250 µs'],
    [3.14159, '3.14 ms'],
    [42.2, '42.2 ms'],
    [420, '420 ms'],
    [1500, '1.50 s'],
    [90_000, '1.5 min'],
    [Number.NaN, '–'],
  ])('formats %s ms as %s', (v, s) => expect(formatMs(v)).toBe(s));

  it('formats rates per second, per minute or per hour by magnitude', () => {
    expect(formatRate(1500)).toBe('1.5k/s');
    expect(formatRate(12.4)).toBe('12/s');
    expect(formatRate(0.5)).toBe('0.50/s');
    expect(formatRate(0.05)).toBe('3.0/min');
    expect(formatRate(0.0001)).toBe('0.4/h');
    expect(formatRate(0)).toBe('0/s');
  });

  it('formats shares as percentages', () => {
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.0004)).toBe('<0.1%');
    expect(formatPercent(0.0512)).toBe('5.1%');
    expect(formatPercent(0.5)).toBe('50%');
    expect(formatCount(12_345)).toBe('12k');
    expect(formatCount(1_500_000)).toBe('1.5M');
  });
});

describe('safe links', () => {
  it.each([
    ['https://example.com/x', 'https://example.com/x'],
    ['http://a.b', 'http://a.b/'],
    ['javascript:alert(1)', undefined],
    ['JaVaScRiPt:alert(1)', undefined],
    ['data:text/html,<script>alert(1)</script>', undefined],
    ['//evil.com', undefined],
    ['/relative', undefined],
    [42, undefined],
  ])('%s → %s', (input, out) => expect(safeHttpUrl(input)).toBe(out));

  it('encodes every path segment and drops empty query values', () => {
    expect(appPath(['services', 'a/b?c#d'])).toBe('/services/a%2Fb%3Fc%23d');
    expect(appPath(['traces', 'abc'], { highlight: 'x,y', empty: '', none: undefined })).toBe('/traces/abc?highlight=x%2Cy');
    expect(withQuery('/api/v1/graph', { from: 1, to: 2, x: null })).toBe('/api/v1/graph?from=1&to=2');
  });
});

describe('API error messages', () => {
  it('reads the message of an ApiError body and common variants', () => {
    expect(errorMessageFromBody({ error: 'from: not a time' })).toBe('from: not a time');
    expect(errorMessageFromBody({ message: 'm' })).toBe('m');
    expect(errorMessageFromBody({ error: { message: 'nested' } })).toBe('nested');
    expect(errorMessageFromBody('text')).toBeUndefined();
    expect(errorMessageFromBody(null)).toBeUndefined();
  });
});

describe('table sorting', () => {
  const rows = [
    { n: 'b', v: 2 },
    { n: 'a', v: null },
    { n: 'c', v: 10 },
    { n: 'd', v: 2 },
  ];
  it('sorts numbers either way with missing values last, ties by key', () => {
    expect(sortRows(rows, (r) => r.v, 'desc', (r) => r.n).map((r) => r.n)).toEqual(['c', 'b', 'd', 'a']);
    expect(sortRows(rows, (r) => r.v, 'asc', (r) => r.n).map((r) => r.n)).toEqual(['b', 'd', 'c', 'a']);
  });
  it('sorts strings by locale', () => {
    expect(compareValues('apple', 'Banana', 'asc')).toBeLessThan(0);
  });
  it('flips the direction on the sorted column and starts a new one at its natural direction', () => {
    expect(nextSort({ column: 'rate', dir: 'desc' }, 'rate', 'desc')).toEqual({ column: 'rate', dir: 'asc' });
    expect(nextSort({ column: 'rate', dir: 'asc' }, 'name', 'asc')).toEqual({ column: 'name', dir: 'asc' });
  });
});

describe('sparkline', () => {
  it('returns null without values and a flat line for one value', () => {
    expect(sparklineGeometry([], 100, 20)).toBeNull();
    const one = sparklineGeometry([5], 100, 20)!;
    expect(one.line).toMatch(/^M/);
    expect(one.line).not.toMatch(/NaN/);
  });
  it('maps the maximum to the top and zero to the bottom', () => {
    const g = sparklineGeometry([0, 10], 100, 20, 0)!;
    expect(g.line).toBe('M0,20L100,0');
  });
  it('treats non-finite values as zero', () => {
    expect(sparklineGeometry([Number.NaN, Infinity, 1], 10, 10)!.line).not.toMatch(/NaN|Infinity/);
  });
});
