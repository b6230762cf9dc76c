import { describe, expect, it } from 'vitest';
import { ancestorsOf, buildRowModel, collapseBelowDepth, revealRows, toggleRow, visibleRows } from '../../../components/waterfall/rows.ts';
import { rowsOf } from './helpers.ts';

// root(0) ─ a(1) ─ a1(2)
//         │      └ a2(3, error)
//         └ b(4, critical) ─ b1(5, critical)
const spans = rowsOf({
  id: '0', start: 0, dur: 100, critical: true,
  children: [
    { id: '1', start: 1, dur: 30, children: [{ id: '2', start: 2, dur: 5 }, { id: '3', start: 10, dur: 5, error: true }] },
    { id: '4', start: 40, dur: 60, critical: true, children: [{ id: '5', start: 41, dur: 50, critical: true }] },
  ],
});

describe('buildRowModel', () => {
  const m = buildRowModel(spans);
  it('finds each subtree as a contiguous run', () => {
    expect(Array.from(m.subtreeEnd)).toEqual([6, 4, 3, 4, 6, 6]);
    expect(Array.from(m.childCount)).toEqual([2, 2, 0, 0, 1, 0]);
  });
  it('folds errors and the critical path up to ancestors only', () => {
    expect(Array.from(m.descendantError)).toEqual([1, 1, 0, 0, 0, 0]);
    expect(Array.from(m.descendantCritical)).toEqual([1, 0, 0, 0, 1, 0]);
  });
  it('indexes rows by span id', () => {
    expect(m.indexById.get('0000000000000003')).toBe(3);
  });
  it('survives a parent index that does not precede its child (bad data, not a crash)', () => {
    const bad = rowsOf({ id: '0', start: 0, dur: 1 }, { id: '1', start: 0, dur: 1 });
    bad[0].parentIndex = 1;
    const mb = buildRowModel(bad);
    expect(Array.from(mb.subtreeEnd)).toEqual([1, 2]);
  });
});

describe('visibleRows', () => {
  const m = buildRowModel(spans);
  it('shows everything with nothing collapsed', () => {
    expect(Array.from(visibleRows(m, new Set()))).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it('keeps a collapsed row and hides its subtree', () => {
    expect(Array.from(visibleRows(m, new Set([1])))).toEqual([0, 1, 4, 5]);
    expect(Array.from(visibleRows(m, new Set([1, 4])))).toEqual([0, 1, 4]);
    expect(Array.from(visibleRows(m, new Set([0])))).toEqual([0]);
  });
  it('ignores collapsed rows hidden inside a collapsed ancestor', () => {
    expect(Array.from(visibleRows(m, new Set([0, 1])))).toEqual([0]);
  });
});

describe('collapse helpers', () => {
  const m = buildRowModel(spans);
  it('toggles only rows that have children', () => {
    expect([...toggleRow(m, new Set(), 2)]).toEqual([]);
    expect([...toggleRow(m, new Set(), 1)]).toEqual([1]);
    expect([...toggleRow(m, new Set([1]), 1)]).toEqual([]);
  });
  it('collapses below a depth', () => {
    expect([...collapseBelowDepth(spans, m, 1)].sort()).toEqual([1, 4]);
  });
  it('reveals a row by expanding its ancestors', () => {
    expect(ancestorsOf(spans, 5)).toEqual([4, 0]);
    expect([...revealRows(spans, new Set([0, 1, 4]), [5])]).toEqual([1]);
  });
  it('stops on a parent cycle instead of looping', () => {
    const cyc = rowsOf({ id: '0', start: 0, dur: 1, children: [{ id: '1', start: 0, dur: 1 }] });
    cyc[0].parentIndex = 1;
    expect(ancestorsOf(cyc, 1).length).toBeLessThanOrEqual(2);
  });
});

describe('100,000 rows', () => {
  it('builds and collapses a wide, deep trace', () => {
    const big = rowsOf({
      id: 'r', start: 0, dur: 1000,
      children: Array.from({ length: 1000 }, (_, i) => ({
        id: `c${i}`, start: i, dur: 1,
        children: Array.from({ length: 99 }, (_, j) => ({ id: `c${i}-${j}`, start: i, dur: 0.5 })),
      })),
    });
    expect(big.length).toBe(100_001);
    const m = buildRowModel(big);
    const kids = new Set<number>();
    for (let i = 0; i < big.length; i++) if (big[i].depth === 1) kids.add(i);
    expect(visibleRows(m, kids).length).toBe(1001);
  });
});
