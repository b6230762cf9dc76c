'use client';
// Says so when a page moved the time window by itself (all data was older than the default hour),
// so nobody mistakes old imported traces for live traffic.
import { formatDateTime } from './format.ts';
import { useTimeWindow, useViewState } from './use-view-state.ts';

export function AdaptedWindowNotice() {
  const view = useViewState();
  const tw = useTimeWindow();
  if (view.get('adapted') !== '1' || tw.spec.kind !== 'custom') return null;
  return (
    <div className="adapted-notice" role="status" data-testid="adapted-notice">
      <span>
        Nothing arrived in the last hour, so this shows the newest stored data: {formatDateTime(tw.spec.fromMs)} → {formatDateTime(tw.spec.toMs)}.
      </span>
      <button type="button" className="btn btn-sm" onClick={() => view.set({ adapted: null })}>
        OK
      </button>
    </div>
  );
}
