// Background retention for the collector: every `intervalMs`, delete what ended more than
// `maxAgeMs` ago. deleteOlderThan works in small transactions, so ingest on the same
// connection waits at most one chunk between them.
import type { Store } from './types.ts';

export const DEFAULT_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

export interface RetentionTimerOptions {
  maxAgeMs?: number;
  intervalMs?: number;
  chunkSize?: number;
  /** Clock in epoch ms (tests pass their own). */
  now?: () => number;
  /** Called after each run with rows removed, or with the error (retention never throws into the timer). */
  onRun?: (result: { removed: number } | { error: Error }) => void;
}

/** Starts periodic retention; returns a function that stops it. */
export function startRetention(store: Pick<Store, 'deleteOlderThan'>, opts: RetentionTimerOptions = {}): () => void {
  const maxAgeMs = opts.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const intervalMs = opts.intervalMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const runOnce = () => {
    try {
      const beforeNs = BigInt(Math.floor(now() - maxAgeMs)) * 1_000_000n;
      const removed = store.deleteOlderThan(beforeNs, { chunkSize: opts.chunkSize });
      opts.onRun?.({ removed });
    } catch (err) {
      opts.onRun?.({ error: err instanceof Error ? err : new Error(String(err)) });
    }
  };
  const timer = setInterval(runOnce, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
