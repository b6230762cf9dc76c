'use client';
// The circuits of the page's time window. Polls faster than the other queries: a breaker that
// opens should show on the map within a few seconds, and the API reads committed spans directly.
import { useQuery } from '@tanstack/react-query';
import type { CircuitsResponse } from '../../lib/query/types.ts';
import { fetchJson, withQuery } from '../ui/fetch-json.ts';
import { useTimeWindow } from '../ui/use-view-state.ts';

export const CIRCUITS_REFRESH_MS = 2_000;

export function useCircuits() {
  const tw = useTimeWindow();
  return useQuery({
    queryKey: ['circuits', tw.key],
    refetchInterval: CIRCUITS_REFRESH_MS,
    staleTime: CIRCUITS_REFRESH_MS / 2,
    queryFn: ({ signal }) => {
      const w = tw.resolve();
      return fetchJson<CircuitsResponse>(withQuery('/api/v1/circuits', { from: w.fromMs, to: w.toMs }), { signal });
    },
  });
}
