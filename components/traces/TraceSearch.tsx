'use client';
// /traces: find traces by service, operation, duration, status, attribute and time window; a
// duration-over-time scatter to brush and a results table. Every filter lives in the URL.
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { ServicesResponse, TraceSummaryJson, TracesResponse } from '../../lib/query/types.ts';
import { DataTable, type Column } from '../ui/DataTable.tsx';
import { LastDataHint } from '../ui/LastDataHint.tsx';
import { fetchJson, withQuery } from '../ui/fetch-json.ts';
import { formatDateTime } from '../ui/format.ts';
import { EmptyState, ErrorState, Loading } from '../ui/states.tsx';
import { useTimeWindow, useViewState } from '../ui/use-view-state.ts';
import { serviceColors } from '../waterfall/colors.ts';
import { formatDuration } from '../waterfall/geometry.ts';
import { DurationScatter } from './DurationScatter.tsx';
import { LIMIT_CHOICES, apiQuery, filtersFromParams, filtersToParams, validateFilters, type TraceFilters } from './search-params.ts';
import styles from './traces.module.css';

function tracePath(traceId: string): string {
  return `/traces/${encodeURIComponent(traceId)}`;
}

export function TraceSearch() {
  const view = useViewState();
  const tw = useTimeWindow();
  const router = useRouter();
  const applied = useMemo(() => filtersFromParams(view.params), [view.params]);
  const [draft, setDraft] = useState<TraceFilters>(applied);
  const [touched, setTouched] = useState(false);
  // A back/forward navigation or a shared link changes the URL: the form follows it.
  useEffect(() => {
    setDraft(applied);
    setTouched(false);
  }, [applied]);
  const problems = validateFilters(draft);

  const services = useQuery({
    queryKey: ['services', tw.key],
    queryFn: ({ signal }) => {
      const w = tw.resolve();
      return fetchJson<ServicesResponse>(withQuery('/api/v1/services', { from: w.fromMs, to: w.toMs }), { signal });
    },
    select: (r) => r.services.map((s) => s.name).sort(),
  });

  const appliedKey = JSON.stringify(applied);
  const traces = useQuery({
    queryKey: ['traces', appliedKey, tw.key],
    queryFn: async ({ signal }) => {
      const w = tw.resolve();
      const res = await fetchJson<TracesResponse>(withQuery('/api/v1/traces', apiQuery(applied, w)), { signal });
      return { res, window: w };
    },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(problems).length > 0) return;
    view.set(filtersToParams(draft), { push: true });
  };
  const reset = () => view.set(Object.fromEntries(Object.keys(filtersToParams(draft)).map((k) => [k, null])), { push: true });
  const field = <K extends keyof TraceFilters>(k: K, v: TraceFilters[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const showProblem = (k: keyof TraceFilters) => (touched || draft[k] !== applied[k] ? problems[k] : undefined);

  const rows = traces.data?.res.traces ?? [];
  const colors = useMemo(() => serviceColors(rows.flatMap((t) => t.services)), [rows]);
  const maxDur = Math.max(1, ...rows.map((t) => t.durationMs));

  const columns: Column<TraceSummaryJson>[] = [
    {
      id: 'trace',
      label: 'Trace',
      sortValue: (t) => `${t.rootService} ${t.rootName}`,
      naturalDir: 'asc',
      render: (t) => (
        <div className={styles.traceName}>
          <a className={styles.root} href={tracePath(t.traceId)} onClick={(e) => { e.preventDefault(); router.push(tracePath(t.traceId)); }} data-testid="trace-link">
            <span style={{ color: colors.get(t.rootService) }}>{t.rootService}</span>: {t.rootName}
          </a>
          <span className={styles.id}>{t.traceId}</span>
        </div>
      ),
    },
    { id: 'start', label: 'Started', sortValue: (t) => t.startMs, render: (t) => <span className="muted">{formatDateTime(t.startMs)}:{String(new Date(t.startMs).getSeconds()).padStart(2, '0')}</span> },
    {
      id: 'duration',
      label: 'Duration',
      align: 'right',
      sortValue: (t) => t.durationMs,
      render: (t) => (
        <div className={styles.durCell}>
          <span className={t.errorCount ? `${styles.durBar} ${styles.durBarErr}` : styles.durBar} style={{ width: Math.max(2, (t.durationMs / maxDur) * 90) }} />
          <span className="num">{formatDuration(t.durationMs)}</span>
        </div>
      ),
    },
    { id: 'spans', label: 'Spans', align: 'right', sortValue: (t) => t.spanCount, render: (t) => <span className="num">{t.spanCount}</span> },
    {
      id: 'errors',
      label: 'Errors',
      align: 'right',
      sortValue: (t) => t.errorCount,
      render: (t) => (t.errorCount > 0 ? <span className={styles.errBadge}>{t.errorCount}</span> : <span className="muted">0</span>),
    },
    {
      id: 'services',
      label: 'Services',
      sortValue: (t) => t.services.length,
      render: (t) => (
        <div className={styles.svcList}>
          {t.services.slice(0, 4).map((s) => (
            <span key={s} className={styles.svc} title={s}>
              <span className="dot" style={{ background: colors.get(s) }} />
              {s}
            </span>
          ))}
          {t.services.length > 4 ? (
            <span className="muted" title={t.services.slice(4).join(', ')}>
              +{t.services.length - 4}
            </span>
          ) : null}
        </div>
      ),
    },
  ];

  return (
    <div className="page" data-testid="trace-search">
      <div className="page-head">
        <h1>Traces</h1>
        <span className="sub">Search stored traces; open one to see its waterfall and critical path.</span>
      </div>
      <form className={styles.filters} onSubmit={submit} data-testid="trace-filters">
        <div className={styles.field}>
          <label htmlFor="f-service">Service</label>
          <input id="f-service" list="f-service-list" value={draft.service} placeholder="any" onChange={(e) => field('service', e.target.value)} />
          <datalist id="f-service-list">
            {(services.data ?? []).map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </div>
        <div className={styles.field}>
          <label htmlFor="f-operation">Operation</label>
          <input id="f-operation" value={draft.operation} placeholder="e.g. GET /checkout" onChange={(e) => field('operation', e.target.value)} />
        </div>
        <div className={styles.field}>
          <label htmlFor="f-min">Min duration</label>
          <input id="f-min" value={draft.minDuration} placeholder="250ms" aria-invalid={showProblem('minDuration') ? true : undefined} title={showProblem('minDuration')} onChange={(e) => field('minDuration', e.target.value)} />
        </div>
        <div className={styles.field}>
          <label htmlFor="f-max">Max duration</label>
          <input id="f-max" value={draft.maxDuration} placeholder="5s" aria-invalid={showProblem('maxDuration') ? true : undefined} title={showProblem('maxDuration')} onChange={(e) => field('maxDuration', e.target.value)} />
        </div>
        <div className={styles.field}>
          <label htmlFor="f-status">Status</label>
          <select id="f-status" value={draft.status} onChange={(e) => field('status', e.target.value as TraceFilters['status'])}>
            <option value="">any</option>
            <option value="error">error</option>
            <option value="ok">ok</option>
            <option value="unset">unset</option>
          </select>
        </div>
        <div className={styles.field}>
          <label htmlFor="f-attr">Attribute</label>
          <input id="f-attr" value={draft.attr} placeholder="key=value" aria-invalid={showProblem('attr') ? true : undefined} title={showProblem('attr')} onChange={(e) => field('attr', e.target.value)} />
        </div>
        <div className={styles.field}>
          <label htmlFor="f-limit">Limit</label>
          <select id="f-limit" value={draft.limit} onChange={(e) => field('limit', Number(e.target.value))}>
            {LIMIT_CHOICES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <div className={styles.actions}>
          <button type="submit" className="btn btn-primary" data-testid="find-traces">
            Find traces
          </button>
          <button type="button" className="btn" onClick={reset}>
            Reset
          </button>
        </div>
        {Object.entries(problems).map(([k, msg]) =>
          showProblem(k as keyof TraceFilters) ? (
            <div key={k} className={styles.fieldError} role="alert">
              {msg}
            </div>
          ) : null,
        )}
      </form>
      {traces.isPending ? (
        <Loading label="Searching traces…" />
      ) : traces.isError ? (
        <ErrorState error={traces.error} title="Could not search traces" onRetry={() => void traces.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title="No traces match in this window" showExporterHelp={Object.values(filtersToParams(applied)).every((v) => v === null)}>
          <p className="state-detail">Widen the time window or loosen the filters.</p>
          <LastDataHint />
        </EmptyState>
      ) : (
        <>
          <DurationScatter
            traces={rows}
            window={traces.data!.window}
            onBrush={(fromMs, toMs) => tw.setSpec({ kind: 'custom', fromMs, toMs })}
            onOpen={(id) => router.push(tracePath(id))}
          />
          <div className={styles.resultsHead}>
            <span className={styles.count} data-testid="trace-count">
              {rows.length} {rows.length === 1 ? 'trace' : 'traces'}
            </span>
            <span className="muted">newest first{traces.data!.res.truncated ? ` · limit ${traces.data!.res.limit} reached, narrow the search to see others` : ''}</span>
          </div>
          <DataTable rows={rows} columns={columns} rowKey={(t) => t.traceId} defaultSort={{ column: 'start', dir: 'desc' }} onRowClick={(t) => router.push(tracePath(t.traceId))} testId="trace-results" />
        </>
      )}
    </div>
  );
}
