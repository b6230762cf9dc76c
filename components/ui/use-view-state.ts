'use client';
// Shareable view state lives in the query string (ARCHITECTURE.md §3 "Pages"): every selection,
// filter and window is a URL param, so a link reproduces the view exactly.
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import { parseTimeWindow, resolveTimeWindow, timeWindowParams, type ResolvedWindow, type TimeWindowSpec } from './time-window.ts';

export type ViewPatch = Record<string, string | number | boolean | null | undefined>;

/** Applies a patch to a query string: null/undefined/'' delete the key. Pure, for tests and links. */
export function patchQuery(current: string, patch: ViewPatch): string {
  const next = new URLSearchParams(current);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined || value === '' || value === false) next.delete(key);
    else next.set(key, value === true ? '1' : String(value));
  }
  return next.toString();
}

export interface ViewState {
  /** The raw param, or null. */
  get(key: string): string | null;
  /** A comma-separated list param (`highlight=a,b`), empty when absent. */
  getList(key: string): string[];
  getNumber(key: string, fallback: number): number;
  /** Replaces the URL (no history entry) unless `push` is set; scroll is kept. */
  set(patch: ViewPatch, opts?: { push?: boolean }): void;
  /** `?…` for a link to another page that keeps the given keys (the time window by default). */
  carry(keys?: readonly string[]): string;
  params: URLSearchParams;
}

export const TIME_KEYS = ['range', 'from', 'to'] as const;

export function useViewState(): ViewState {
  const search = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const raw = search?.toString() ?? '';
  const set = useCallback(
    (patch: ViewPatch, opts?: { push?: boolean }) => {
      const qs = patchQuery(typeof window === 'undefined' ? raw : window.location.search, patch);
      const href = qs ? `${pathname}?${qs}` : pathname;
      if (opts?.push) router.push(href, { scroll: false });
      else router.replace(href, { scroll: false });
    },
    [pathname, raw, router],
  );
  return useMemo(() => {
    const params = new URLSearchParams(raw);
    return {
      params,
      get: (key) => params.get(key),
      getList: (key) =>
        (params.get(key) ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      getNumber: (key, fallback) => {
        const v = params.get(key);
        const n = v === null ? NaN : Number(v);
        return Number.isFinite(n) ? n : fallback;
      },
      set,
      carry: (keys = TIME_KEYS) => {
        const out = new URLSearchParams();
        for (const k of keys) {
          const v = params.get(k);
          if (v !== null) out.set(k, v);
        }
        const s = out.toString();
        return s ? `?${s}` : '';
      },
    };
  }, [raw, set]);
}

export interface TimeWindowState {
  spec: TimeWindowSpec;
  /** Stable while the URL does not change: use it in query keys (a sliding window re-resolves at fetch time). */
  key: string;
  /** from/to for a request made now. */
  resolve(): ResolvedWindow;
  setSpec(spec: TimeWindowSpec): void;
}

export function useTimeWindow(): TimeWindowState {
  const view = useViewState();
  const spec = parseTimeWindow(view.params);
  const key = spec.kind === 'preset' ? spec.preset.id : `${spec.fromMs}-${spec.toMs}`;
  return useMemo(
    () => ({
      spec,
      key,
      resolve: () => resolveTimeWindow(spec, Date.now()),
      // A chosen window replaces one the page picked by itself (see LastDataHint), so its notice goes.
      setSpec: (next: TimeWindowSpec) => view.set({ ...timeWindowParams(next), adapted: null }, { push: true }),
    }),
    // spec is derived from key, so key alone decides when the object changes.
    [key, view.set],
  );
}
