// Sorting for data tables, pure: missing values always sink to the bottom, whichever direction.

export type SortDir = 'asc' | 'desc';
export type SortValue = number | string | null | undefined;

export function compareValues(a: SortValue, b: SortValue, dir: SortDir): number {
  const aMissing = a === null || a === undefined || (typeof a === 'number' && Number.isNaN(a));
  const bMissing = b === null || b === undefined || (typeof b === 'number' && Number.isNaN(b));
  if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? 1 : -1;
  const sign = dir === 'asc' ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * sign;
  return String(a).localeCompare(String(b)) * sign;
}

export function sortRows<T>(rows: readonly T[], value: (row: T) => SortValue, dir: SortDir, tieBreak?: (row: T) => string): T[] {
  return rows
    .map((row, index) => ({ row, index }))
    .sort((x, y) => {
      const c = compareValues(value(x.row), value(y.row), dir);
      if (c !== 0) return c;
      if (tieBreak) {
        const t = tieBreak(x.row).localeCompare(tieBreak(y.row));
        if (t !== 0) return t;
      }
      return x.index - y.index;
    })
    .map((x) => x.row);
}

/** Clicking the sorted column flips it; a new column starts at its natural direction. */
export function nextSort(current: { column: string; dir: SortDir }, clicked: string, naturalDir: SortDir): { column: string; dir: SortDir } {
  if (current.column === clicked) return { column: clicked, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { column: clicked, dir: naturalDir };
}
