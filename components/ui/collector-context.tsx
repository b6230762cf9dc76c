'use client';
// The collector's address for empty-state instructions: the server knows it (serve passes
// FAULTLINE_COLLECTOR_URL), the browser does not.
import { createContext, useContext, type ReactNode } from 'react';

export const DEFAULT_COLLECTOR_URL = 'http://localhost:4318';

const CollectorUrlContext = createContext<string>(DEFAULT_COLLECTOR_URL);

export function CollectorUrlProvider({ url, children }: { url: string; children: ReactNode }) {
  return <CollectorUrlContext.Provider value={url}>{children}</CollectorUrlContext.Provider>;
}

export function useCollectorUrl(): string {
  return useContext(CollectorUrlContext);
}
