'use client';
// A sortable table whose sort lives in the URL (`sort`, `dir`), so a shared link keeps it.
import { useState, type ReactNode } from 'react';
import { nextSort, sortRows, type SortDir, type SortValue } from './table-sort.ts';
import { useViewState } from './use-view-state.ts';

export interface Column<T> {
  id: string;
  label: string;
  align?: 'left' | 'right';
  /** Without one the column is not sortable. */
  sortValue?: (row: T) => SortValue;
  /** Direction on first click: numbers usually start descending. */
  naturalDir?: SortDir;
  render: (row: T) => ReactNode;
  title?: string;
  width?: string;
}

export function DataTable<T>({
  rows,
  columns,
  rowKey,
  defaultSort,
  paramPrefix = '',
  onRowClick,
  testId,
  maxRows = 200,
}: {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  defaultSort: { column: string; dir: SortDir };
  /** Distinguishes two tables on one page (`ops.sort=`). */
  paramPrefix?: string;
  onRowClick?: (row: T) => void;
  testId?: string;
  /** Rows drawn before "show all": a 1,000-service table with sparklines would stall the page. */
  maxRows?: number;
}) {
  const [showAll, setShowAll] = useState(false);
  const view = useViewState();
  const sortKey = `${paramPrefix}sort`;
  const dirKey = `${paramPrefix}dir`;
  const requested = view.get(sortKey);
  const column = columns.find((c) => c.id === requested && c.sortValue) ?? columns.find((c) => c.id === defaultSort.column);
  const dir: SortDir = view.get(dirKey) === 'asc' ? 'asc' : view.get(dirKey) === 'desc' ? 'desc' : defaultSort.dir;
  const sorted = column?.sortValue ? sortRows(rows, column.sortValue, dir, rowKey) : [...rows];
  const shown = showAll ? sorted : sorted.slice(0, maxRows);
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid={testId}>
        <thead>
          <tr>
            {columns.map((c) => {
              const active = column?.id === c.id;
              return (
                <th key={c.id} className={c.align === 'right' ? 'num' : undefined} style={c.width ? { width: c.width } : undefined} title={c.title} aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : undefined}>
                  {c.sortValue ? (
                    <button
                      type="button"
                      className={active ? 'th-sort active' : 'th-sort'}
                      onClick={() => {
                        const next = nextSort({ column: column?.id ?? '', dir }, c.id, c.naturalDir ?? 'desc');
                        view.set({ [sortKey]: next.column, [dirKey]: next.dir });
                      }}
                    >
                      {c.label}
                      <span className="sort-arrow" aria-hidden="true">
                        {active ? (dir === 'asc' ? '▲' : '▼') : ''}
                      </span>
                    </button>
                  ) : (
                    c.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr key={rowKey(row)} className={onRowClick ? 'clickable' : undefined} onClick={onRowClick ? () => onRowClick(row) : undefined}>
              {columns.map((c) => (
                <td key={c.id} className={c.align === 'right' ? 'num' : undefined}>
                  {c.render(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length < sorted.length ? (
        <div className="table-more">
          <span className="muted">
            Showing {shown.length} of {sorted.length} (sorted by {column?.label ?? 'default'})
          </span>
          <button type="button" className="btn btn-sm" onClick={() => setShowAll(true)}>
            Show all {sorted.length}
          </button>
        </div>
      ) : null}
    </div>
  );
}
