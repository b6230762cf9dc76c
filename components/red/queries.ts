'use client';
// The RED queries, keyed by the URL's time window so every page showing a service shares cache.
import { useQuery } from '@tanstack/react-query';
import type { ServiceRedResponse, ServicesResponse } from '../../lib/query/types.ts';
import { fetchJson, withQuery } from '../ui/fetch-json.ts';
import { useTimeWindow } from '../ui/use-view-state.ts';
import { chooseStepMs } from './step.ts';

export function useServices(points = 30) {
  const tw = useTimeWindow();
  return useQuery({
    queryKey: ['services', tw.key, points],
    queryFn: ({ signal }) => {
      const w = tw.resolve();
      return fetchJson<ServicesResponse>(withQuery('/api/v1/services', { from: w.fromMs, to: w.toMs, step: chooseStepMs(w.toMs - w.fromMs, points) }), { signal });
    },
  });
}

export function useServiceRed(name: string, points = 90) {
  const tw = useTimeWindow();
  return useQuery({
    queryKey: ['service-red-series', name, tw.key, points],
    queryFn: ({ signal }) => {
      const w = tw.resolve();
      return fetchJson<ServiceRedResponse>(withQuery(`/api/v1/services/${encodeURIComponent(name)}/red`, { from: w.fromMs, to: w.toMs, step: chooseStepMs(w.toMs - w.fromMs, points) }), { signal });
    },
  });
}
