'use client';
// Server data comes through TanStack Query: every query polls every few seconds, so new spans
// show up without a reload, and keeps its previous data while a new window loads (no flashing).
import { QueryClient, QueryClientProvider, keepPreviousData } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { CollectorUrlProvider } from '../components/ui/collector-context.tsx';
import { FetchJsonError } from '../components/ui/fetch-json.ts';
import { LIVE_REFRESH_MS } from '../components/ui/time-window.ts';

export function Providers({ children, collectorUrl }: { children: ReactNode; collectorUrl: string }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            refetchInterval: LIVE_REFRESH_MS,
            refetchIntervalInBackground: false,
            staleTime: LIVE_REFRESH_MS / 2,
            placeholderData: keepPreviousData,
            // A 4xx will not heal by retrying; a network blip or a 5xx may.
            retry: (count, err) => count < 2 && !(err instanceof FetchJsonError && err.kind === 'http' && (err.status ?? 500) < 500),
          },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      <CollectorUrlProvider url={collectorUrl}>{children}</CollectorUrlProvider>
    </QueryClientProvider>
  );
}
