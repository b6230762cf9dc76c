// The waterfall's row model: pure, array-backed so 100,000 spans cost a few typed arrays,
// not 100,000 objects. The API sends spans in DFS pre-order, so every subtree is one
// contiguous run [i, subtreeEnd[i]): collapsing a row is "skip to subtreeEnd", with no tree walk.

/** The span fields the row model needs (a subset of TraceSpanJson, so tests can build them small). */
export interface RowSpan {
  spanId: string;
  parentIndex: number;
  depth: number;
  service: string;
  name: string;
  offsetMs: number;
  durationMs: number;
  onCriticalPath: boolean;
  status: { code: 'unset' | 'ok' | 'error' };
}

export interface RowModel {
  count: number;
  /** Exclusive end of each row's subtree in tree order. */
  subtreeEnd: Int32Array;
  /** Direct children per row (a row with none has no expand toggle). */
  childCount: Int32Array;
  /** 1 when the row's subtree (itself excluded) holds an error / a critical-path span. */
  descendantError: Uint8Array;
  descendantCritical: Uint8Array;
  /** Row index by span id (first occurrence: Zipkin shared halves repeat an id). */
  indexById: Map<string, number>;
}

export function buildRowModel(spans: readonly RowSpan[]): RowModel {
  const n = spans.length;
  const subtreeEnd = new Int32Array(n);
  const childCount = new Int32Array(n);
  const descendantError = new Uint8Array(n);
  const descendantCritical = new Uint8Array(n);
  const indexById = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    subtreeEnd[i] = i + 1;
    if (!indexById.has(spans[i].spanId)) indexById.set(spans[i].spanId, i);
  }
  // Children follow their parents in pre-order, so one backward pass folds every subtree up.
  for (let i = n - 1; i >= 0; i--) {
    const p = spans[i].parentIndex;
    if (p < 0 || p >= i) continue;
    childCount[p]++;
    if (subtreeEnd[i] > subtreeEnd[p]) subtreeEnd[p] = subtreeEnd[i];
    if (spans[i].status.code === 'error' || descendantError[i]) descendantError[p] = 1;
    if (spans[i].onCriticalPath || descendantCritical[i]) descendantCritical[p] = 1;
  }
  return { count: n, subtreeEnd, childCount, descendantError, descendantCritical, indexById };
}

/** Row indices shown given the collapsed rows: a collapsed row stays, its subtree is skipped. */
export function visibleRows(model: RowModel, collapsed: ReadonlySet<number>): Int32Array {
  if (collapsed.size === 0) {
    const all = new Int32Array(model.count);
    for (let i = 0; i < model.count; i++) all[i] = i;
    return all;
  }
  const out = new Int32Array(model.count);
  let k = 0;
  let i = 0;
  while (i < model.count) {
    out[k++] = i;
    i = collapsed.has(i) ? model.subtreeEnd[i] : i + 1;
  }
  return out.slice(0, k);
}

/** Rows to collapse so only the first `depth` levels show (e.g. "collapse to services"). */
export function collapseBelowDepth(spans: readonly RowSpan[], model: RowModel, depth: number): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < spans.length; i++) if (spans[i].depth >= depth && model.childCount[i] > 0) out.add(i);
  return out;
}

/** Ancestors of a row, nearest first (parentIndex chain; bounded by the row count against cycles). */
export function ancestorsOf(spans: readonly RowSpan[], index: number): number[] {
  const out: number[] = [];
  let p = spans[index]?.parentIndex ?? -1;
  while (p >= 0 && out.length < spans.length) {
    out.push(p);
    p = spans[p].parentIndex;
  }
  return out;
}

/** The collapsed set with every ancestor of `targets` expanded, so each target is visible. */
export function revealRows(spans: readonly RowSpan[], collapsed: ReadonlySet<number>, targets: Iterable<number>): Set<number> {
  const out = new Set(collapsed);
  for (const t of targets) for (const a of ancestorsOf(spans, t)) out.delete(a);
  return out;
}

/** Toggles one row; a row without children never enters the set. */
export function toggleRow(model: RowModel, collapsed: ReadonlySet<number>, index: number): Set<number> {
  const out = new Set(collapsed);
  if (out.has(index)) out.delete(index);
  else if (model.childCount[index] > 0) out.add(index);
  return out;
}
