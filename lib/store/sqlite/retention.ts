// Retention: delete what ended before a cutoff in small transactions so a concurrent ingest
// batch waits at most one chunk. Spans are found through span_minutes (minute → seq range),
// scanned in fixed-width seq windows, so each transaction's work is bounded even when a
// minute's range is wide. Trace rows left without spans go too; dictionary rows stay
// (small, and still referenced by later spans more often than not).
import type Database from 'better-sqlite3';
import { SQL } from '../sql/sqlite.ts';
import { minuteOf, type RunWrite } from './writer.ts';

export interface RetentionOptions {
  chunkSize?: number;
}

export function deleteOlderThan(
  db: Database.Database,
  beforeNs: bigint,
  opts: RetentionOptions = {},
  runWrite: RunWrite = (f) => db.transaction(f).immediate(),
  /** Told, after each commit, which trace rows it deleted (the trace-id index forgets them). */
  forgetTraces: (rows: { key: number; traceId: Buffer }[]) => void = () => {},
): number {
  const chunk = Math.max(1, Math.floor(opts.chunkSize ?? 2000));
  let removed = 0;
  const st = {
    oldMinutes: db.prepare(SQL.oldMinutes).safeIntegers(true),
    expired: db.prepare(SQL.expiredSpans).safeIntegers(true),
    deleteSpan: db.prepare(SQL.deleteSpan),
    traceHasSpans: db.prepare(SQL.traceHasSpans),
    traceIdByKey: db.prepare(SQL.traceIdByKey).pluck(),
    deleteTrace: db.prepare(SQL.deleteTrace),
    forgetMinuteSpans: db.prepare(SQL.forgetMinuteSpans),
    emptyMinutes: db.prepare(SQL.emptyMinutes),
    expiredPoints: db.prepare(SQL.expiredPoints).safeIntegers(true),
    deletePoint: db.prepare(SQL.deletePoint),
    expiredLogs: db.prepare(SQL.expiredLogs).safeIntegers(true),
    expiredBlocks: db.prepare(SQL.expiredBlocks).safeIntegers(true),
    deleteBlock: db.prepare(SQL.deleteBlock),
    deleteLog: db.prepare(SQL.deleteLog),
  };

  // A span that ended before the cutoff started in a minute <= the cutoff's minute.
  const lastMinute = minuteOf(beforeNs);
  const minutes = st.oldMinutes.all(lastMinute + 1) as { minute: bigint; min_seq: bigint; max_seq: bigint }[];
  const window = BigInt(chunk);
  for (const m of minutes) {
    for (let lo = m.min_seq; lo <= m.max_seq; lo += window) {
      const hi = lo + window - 1n < m.max_seq ? lo + window - 1n : m.max_seq;
      const gone: { key: number; traceId: Buffer }[] = [];
      removed += runWrite(() => {
        gone.length = 0;
        const rows = st.expired.all(lo, hi, beforeNs, chunk) as { seq: bigint; trace_key: bigint; start_ns: bigint }[];
        const keys = new Set<bigint>();
        const perMinute = new Map<number, number>();
        for (const r of rows) {
          st.deleteSpan.run(r.seq);
          keys.add(r.trace_key);
          const minute = minuteOf(r.start_ns);
          perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
        }
        for (const [minute, n] of perMinute) st.forgetMinuteSpans.run(n, minute);
        let tracesDeleted = 0;
        for (const k of keys) {
          if (st.traceHasSpans.get(k) !== undefined) continue;
          const traceId = st.traceIdByKey.get(k) as Buffer | undefined;
          if (traceId === undefined) continue;
          tracesDeleted += st.deleteTrace.run(k).changes;
          gone.push({ key: Number(k), traceId });
        }
        // Writers cache trace keys; tell them (trace-keys.ts) that some no longer exist.
        if (tracesDeleted > 0) db.pragma(`user_version = ${Number(db.pragma('user_version', { simple: true })) + 1}`);
        return rows.length;
      });
      forgetTraces(gone);
    }
  }

  // Minutes with no spans left no longer bound any seq range.
  runWrite(() => st.emptyMinutes.run(lastMinute));

  // Search blocks whose every span has ended before the cutoff (so was deleted above); not
  // counted as removed rows, they are an index.
  for (;;) {
    const n = runWrite(() => {
      const rows = st.expiredBlocks.all(beforeNs, chunk) as { id: bigint }[];
      for (const r of rows) st.deleteBlock.run(r.id);
      return rows.length;
    });
    if (n < chunk) break;
  }

  for (const [select, del] of [
    [st.expiredPoints, st.deletePoint],
    [st.expiredLogs, st.deleteLog],
  ] as const) {
    for (;;) {
      const n = runWrite(() => {
        const rows = select.all(beforeNs, chunk) as { seq: bigint }[];
        for (const r of rows) del.run(r.seq);
        return rows.length;
      });
      removed += n;
      if (n < chunk) break;
    }
  }
  return removed;
}
