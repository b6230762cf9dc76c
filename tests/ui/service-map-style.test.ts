import { describe, expect, it } from 'vitest';
import { EDGE_KIND_STYLE, ERROR_BANDS, NODE_KIND_STYLE, edgeWidthScale, errorColor, nodeRadiusScale, shapePath, shortLabel, showLabels } from '../../components/service-map/style.ts';

describe('node and edge styling', () => {
  it('gives every node kind its own shape and colour', () => {
    const kinds = Object.values(NODE_KIND_STYLE);
    expect(new Set(kinds.map((k) => k.shape)).size).toBe(kinds.length);
    expect(new Set(kinds.map((k) => k.stroke)).size).toBe(kinds.length);
  });

  it('draws sync edges solid and async/db edges with distinct dashes', () => {
    expect(EDGE_KIND_STYLE.sync.dash).toBeUndefined();
    expect(EDGE_KIND_STYLE.async.dash).toBeTruthy();
    expect(EDGE_KIND_STYLE.db.dash).toBeTruthy();
    expect(EDGE_KIND_STYLE.async.dash).not.toBe(EDGE_KIND_STYLE.db.dash);
  });

  it.each([
    [0, '#56627a'],
    [0.001, '#a8c66c'],
    [0.01, '#fade2a'],
    [0.049, '#fade2a'],
    [0.05, '#ff7a45'],
    [0.2, '#f2495c'],
    [1, '#f2495c'],
    [Number.NaN, '#56627a'],
  ])('colours error rate %s as %s', (rate, color) => {
    expect(errorColor(rate)).toBe(color);
  });

  it('has a legend entry for every colour errorColor can return', () => {
    const legend = new Set(ERROR_BANDS.map((b) => b.color));
    for (const r of [0, 1e-5, 0.02, 0.1, 0.5]) expect(legend.has(errorColor(r))).toBe(true);
  });

  it('scales edge width by rate from 1 to 8 px, monotonic and clamped', () => {
    const w = edgeWidthScale(100);
    expect(w(0)).toBe(1);
    expect(w(100)).toBe(8);
    expect(w(500)).toBe(8);
    expect(w(25)).toBeGreaterThan(w(5));
    expect(w(Number.NaN)).toBe(1);
    expect(edgeWidthScale(0)(0)).toBe(1);
  });

  it('scales node radius by rate within 14–30 px', () => {
    const r = nodeRadiusScale(1000);
    expect(r(0)).toBeCloseTo(14, 0);
    expect(r(1000)).toBeCloseTo(30, 0);
    expect(r(10)).toBeGreaterThan(r(1));
  });

  it('builds closed SVG paths for every shape', () => {
    for (const s of ['circle', 'cylinder', 'hexagon', 'diamond', 'square'] as const) {
      const d = shapePath(s, 10);
      expect(d.startsWith('M')).toBe(true);
      expect(d).toContain('Z');
      expect(d).not.toMatch(/NaN/);
    }
  });

  it('shows labels only when zoomed in enough for the number of nodes (level of detail)', () => {
    expect(showLabels(1, 20)).toBe(true);
    expect(showLabels(0.3, 20)).toBe(false);
    expect(showLabels(0.8, 200)).toBe(true);
    expect(showLabels(0.5, 200)).toBe(false);
    expect(showLabels(1, 1000)).toBe(false);
    expect(showLabels(1.5, 1000)).toBe(true);
  });

  it('ellipsizes long labels', () => {
    expect(shortLabel('orders')).toBe('orders');
    const long = shortLabel('a'.repeat(40), 10);
    expect(long).toHaveLength(10);
    expect(long.endsWith('…')).toBe(true);
  });
});
