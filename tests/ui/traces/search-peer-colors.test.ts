import { describe, expect, it } from 'vitest';
import { serviceColors } from '../../../components/waterfall/colors.ts';
import { mapFocusHref, peerServiceOf } from '../../../components/waterfall/peer.ts';
import { buildRowModel } from '../../../components/waterfall/rows.ts';
import { parseHighlight, searchSpans } from '../../../components/waterfall/search.ts';
import { rowsOf } from './helpers.ts';

const spans = rowsOf({
  id: '1', service: 'frontend', name: 'GET /checkout', start: 0, dur: 50, kind: 'server',
  children: [
    { id: '2', service: 'frontend', name: 'POST payment', start: 1, dur: 20, kind: 'client', attrs: { 'peer.service': 'payments-attr' },
      children: [{ id: '3', service: 'payments', name: 'charge', start: 2, dur: 15, kind: 'server', attrs: { 'http.response.status_code': 502 } }] },
    { id: '4', service: 'frontend', name: 'SELECT orders', start: 25, dur: 5, kind: 'client', attrs: { 'db.system': 'postgresql', big: 'x'.repeat(1_000_000) + 'needle' } },
    { id: '5', service: 'frontend', name: 'GET inventory', start: 31, dur: 5, kind: 'client', attrs: { 'server.address': 'inventory.internal' } },
  ],
});

describe('searchSpans', () => {
  it('matches names, services and attribute values case-insensitively', () => {
    expect(searchSpans(spans, 'CHECKOUT')).toEqual([0]);
    expect(searchSpans(spans, 'payments')).toEqual([1, 2]);
    expect(searchSpans(spans, 'postgres')).toEqual([3]);
  });
  it('treats key=value as an exact attribute match', () => {
    expect(searchSpans(spans, 'http.response.status_code=502')).toEqual([2]);
    expect(searchSpans(spans, 'http.response.status_code=50')).toEqual([]);
  });
  it('needs every term to match', () => {
    expect(searchSpans(spans, 'frontend inventory')).toEqual([4]);
  });
  it('matches a span id exactly', () => {
    expect(searchSpans(spans, '0000000000000004')).toEqual([3]);
  });
  it('does not scan past the first 4 KiB of a huge value', () => {
    expect(searchSpans(spans, 'needle')).toEqual([]);
  });
  it('returns nothing for a blank query', () => {
    expect(searchSpans(spans, '   ')).toEqual([]);
  });
});

describe('parseHighlight', () => {
  it('keeps valid span ids, lowercased and de-duplicated', () => {
    expect(parseHighlight('00000000000000AB, 00000000000000ab,zz,<script>,0000000000000001')).toEqual(['00000000000000ab', '0000000000000001']);
  });
  it('accepts a missing parameter', () => {
    expect(parseHighlight(null)).toEqual([]);
  });
});

describe('peerServiceOf', () => {
  const m = buildRowModel(spans);
  it('prefers the server half that arrived', () => {
    expect(peerServiceOf(spans, 1, m.subtreeEnd)).toBe('payments');
  });
  it('falls back to what the client span says', () => {
    expect(peerServiceOf(spans, 3, m.subtreeEnd)).toBe('postgresql');
    expect(peerServiceOf(spans, 4, m.subtreeEnd)).toBe('inventory.internal');
  });
  it('has no peer for a server span', () => {
    expect(peerServiceOf(spans, 0, m.subtreeEnd)).toBeNull();
  });
  it('builds an encoded internal map link', () => {
    expect(mapFocusHref('a&b=<c>')).toBe('/?focus=a%26b%3D%3Cc%3E');
  });
});

describe('serviceColors', () => {
  it('is stable whatever the input order', () => {
    expect(serviceColors(['b', 'a', 'c'])).toEqual(serviceColors(['c', 'b', 'a', 'a']));
  });
  it('keeps colours distinct past the palette size', () => {
    const names = Array.from({ length: 40 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    expect(new Set(serviceColors(names).values()).size).toBe(40);
  });
});
