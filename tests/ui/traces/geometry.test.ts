import { describe, expect, it } from 'vitest';
import { MIN_BAR_PX, barGeometry, formatDuration, rowWindow, scrollToRow, timeTicks, zoomToSelection } from '../../../components/waterfall/geometry.ts';

describe('barGeometry', () => {
  it('maps a span onto the window', () => {
    expect(barGeometry(25, 50, 0, 100, 1000)).toEqual({ x: 250, width: 500, hidden: false, clippedStart: false, clippedEnd: false });
  });
  it('gives tiny spans a minimum width', () => {
    const b = barGeometry(50, 0.0001, 0, 10_000, 1000);
    expect(b.width).toBe(MIN_BAR_PX);
    expect(b.x).toBeCloseTo(5);
  });
  it('keeps a minimum-width bar at the right edge inside the column', () => {
    const b = barGeometry(100, 0, 0, 100, 1000);
    expect(b.x + b.width).toBeLessThanOrEqual(1000);
  });
  it('clips to a zoom window and says so', () => {
    const b = barGeometry(0, 100, 40, 60, 200);
    expect(b).toMatchObject({ x: 0, width: 200, clippedStart: true, clippedEnd: true });
  });
  it('hides spans outside the zoom window', () => {
    expect(barGeometry(0, 10, 50, 60, 200).hidden).toBe(true);
    expect(barGeometry(70, 10, 50, 60, 200).hidden).toBe(true);
  });
  it('never produces NaN for empty windows or widths', () => {
    expect(barGeometry(0, 10, 5, 5, 200).hidden).toBe(true);
    expect(barGeometry(0, 10, 0, 10, 0).hidden).toBe(true);
    expect(barGeometry(0, -5, 0, 10, 100)).toMatchObject({ x: 0, width: MIN_BAR_PX });
  });
});

describe('rowWindow', () => {
  it('covers the viewport plus overscan', () => {
    expect(rowWindow(0, 240, 24, 1000, 5)).toEqual({ start: 0, end: 16 });
    expect(rowWindow(2400, 240, 24, 1000, 5)).toEqual({ start: 95, end: 116 });
  });
  it('clamps at the end and for empty lists', () => {
    expect(rowWindow(1e9, 240, 24, 10, 5)).toEqual({ start: 9, end: 10 });
    expect(rowWindow(0, 240, 24, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe('scrollToRow', () => {
  it('leaves a visible row where it is', () => {
    expect(scrollToRow(5, 0, 240, 24)).toBe(0);
  });
  it('centres an off-screen row', () => {
    expect(scrollToRow(100, 0, 240, 24)).toBe(100 * 24 - 120 + 24);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [0.85, '850 µs'],
    [0.0123, '12.3 µs'],
    [12.345, '12.3 ms'],
    [4210, '4.21 s'],
    [125_000, '2m 05s'],
    [Number.NaN, '–'],
  ])('%s ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('timeTicks and zoom', () => {
  it('puts round ticks inside the column', () => {
    const t = timeTicks(0, 100, 1000, 5);
    expect(t.map((x) => x.label)).toEqual(['0 ms', '20 ms', '40 ms', '60 ms', '80 ms', '100 ms']);
    expect(t[1].x).toBeCloseTo(200);
  });
  it('zooms to a dragged selection and ignores clicks', () => {
    expect(zoomToSelection(0, 100, 1000, 600, 200)).toEqual([20, 60]);
    expect(zoomToSelection(0, 100, 1000, 200, 201)).toBeNull();
  });
});
