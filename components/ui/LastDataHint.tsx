'use client';
// Imported trace files are often days or years old: an empty "last hour" must not look like
// "no data". This asks for the newest trace ever stored and offers a window around it.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import type { TracesResponse } from '../../lib/query/types.ts';
import { fetchJson, withQuery } from './fetch-json.ts';
import { formatDateTime } from './format.ts';
import { TIME_KEYS, useTimeWindow, useViewState } from './use-view-state.ts';

/** Hours of history the "show" button frames before the newest trace. */
const LOOKBACK_MS = 6 * 60 * 60_000;
/** The API accepts times from 1990 on; no trace is older than 2000. */
export const ALL_DATA_FROM_MS = Date.UTC(2000, 0, 1);

export function useLatestTrace() {
  return useQuery({
    queryKey: ['latest-trace'],
    queryFn: ({ signal }) => fetchJson<TracesResponse>(withQuery('/api/v1/traces', { from: ALL_DATA_FROM_MS, to: Date.now() + 60_000, limit: 1 }), { signal }),
    select: (r) => r.traces[0],
  });
}

/**
 * Rendered inside an empty state. When the user never chose a window (the URL has none) and all the
 * data is older than the default hour — the usual case after `faultline import` — it moves the
 * window to the newest data at once (replacing the URL, so Back still works), instead of greeting
 * the user with an empty page.
 */
export function LastDataHint({ adapt = true }: { adapt?: boolean }) {
  const latest = useLatestTrace();
  const tw = useTimeWindow();
  const view = useViewState();
  const adapted = useRef(false);
  const t = latest.data;
  const ts = t ? Math.round(t.startMs) : null;
  const explicit = TIME_KEYS.some((k) => view.get(k) !== null);
  const outside = ts !== null && (() => {
    const w = tw.resolve();
    return ts < w.fromMs || ts > w.toMs;
  })();
  useEffect(() => {
    if (!adapt || adapted.current || explicit || !outside || ts === null || !t) return;
    adapted.current = true;
    view.set({ range: null, from: ts - LOOKBACK_MS, to: Math.ceil(ts + Math.max(t.durationMs, 0) + 60_000), adapted: 1 });
  }, [adapt, explicit, outside, ts, t, view]);
  if (!t || ts === null) return null;
  const w = tw.resolve();
  if (ts >= w.fromMs && ts <= w.toMs) {
    // The data is in the window but not analysed yet (the live analyzer folds spans in every few seconds).
    return (
      <div className="last-data">
        <p>Spans have arrived (newest trace {formatDateTime(ts)}); the map fills in as they are analysed.</p>
      </div>
    );
  }
  return (
    <div className="last-data">
      <p>
        There is data outside this window: the newest trace started <strong>{formatDateTime(ts)}</strong>.
      </p>
      <button type="button" className="btn btn-primary" data-testid="show-last-data" onClick={() => tw.setSpec({ kind: 'custom', fromMs: ts - LOOKBACK_MS, toMs: Math.ceil(ts + Math.max(t.durationMs, 0) + 60_000) })}>
        Show the 6 hours up to it
      </button>
      <button type="button" className="btn" onClick={() => tw.setSpec({ kind: 'custom', fromMs: ALL_DATA_FROM_MS, toMs: Date.now() + 60_000 })}>
        Show all stored data
      </button>
    </div>
  );
}
