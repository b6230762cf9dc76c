'use client';
// /circuits: every breaker Faultline knows of in the window — reported ones (span events,
// gauges, resilience4j, Polly) and, on edges where none reports, what a standard breaker would
// be doing (inferred, labelled so). Caller → callee, state, source, failure rate, last
// transition and a timeline strip; refreshed live. Filters live in the URL.
import Link from 'next/link';
import type { CircuitJson, CircuitsResponse } from '../../lib/query/types.ts';
import { DataTable, type Column } from '../ui/DataTable.tsx';
import { formatCount, formatDateTime, formatMs, formatPercent } from '../ui/format.ts';
import { LastDataHint } from '../ui/LastDataHint.tsx';
import { EmptyState, ErrorState, Loading, Muted } from '../ui/states.tsx';
import { useViewState } from '../ui/use-view-state.ts';
import { StateBadge } from './StateBadge.tsx';
import { TimelineStrip } from './TimelineStrip.tsx';
import { useCircuits } from './use-circuits.ts';
import { STATE_SEVERITY_ORDER } from './order.ts';

const SOURCES = ['reported', 'inferred'] as const;

function columns(data: CircuitsResponse, carry: string): Column<CircuitJson>[] {
  return [
    {
      id: 'edge',
      label: 'Caller → callee',
      sortValue: (c) => `${c.caller}->${c.callee ?? ''}`,
      naturalDir: 'asc',
      render: (c) => (
        <span>
          <Link href={`/services/${encodeURIComponent(c.caller)}${carry}`}>{c.caller}</Link> →{' '}
          {c.callee === null ? <Muted>unmapped</Muted> : <span>{c.callee}</span>}
          {c.breaker ? <div className="sub">{c.breaker}</div> : null}
        </span>
      ),
    },
    { id: 'state', label: 'State', sortValue: (c) => STATE_SEVERITY_ORDER[c.state], naturalDir: 'desc', render: (c) => <StateBadge state={c.state} inferred={c.source === 'inferred'} /> },
    {
      id: 'source',
      label: 'Source',
      sortValue: (c) => c.source,
      naturalDir: 'asc',
      render: (c) => (
        <span data-source={c.source} title={c.source === 'inferred' ? 'No breaker reports on this edge: what a standard breaker would be doing' : `Reported via ${c.reporters.join(', ')}${c.mappedBy ? `; edge from ${c.mappedBy}` : ''}`}>
          {c.source}
          {c.source === 'reported' ? <div className="sub">{c.reporters.join(', ')}</div> : null}
        </span>
      ),
    },
    { id: 'failureRate', label: 'Failure rate', align: 'right', sortValue: (c) => c.failureRate, naturalDir: 'desc', render: (c) => (c.calls ? formatPercent(c.failureRate) : <Muted>no calls</Muted>) },
    { id: 'calls', label: 'Calls', align: 'right', sortValue: (c) => c.calls, naturalDir: 'desc', render: (c) => formatCount(c.calls) },
    {
      id: 'rejected',
      label: 'Rejected',
      align: 'right',
      title: 'Reported: calls the open breaker refused. Inferred: calls a standard breaker would have refused.',
      sortValue: (c) => (c.source === 'reported' ? c.rejected : (c.wouldReject ?? 0)),
      naturalDir: 'desc',
      render: (c) => (c.source === 'reported' ? formatCount(c.rejected) : <Muted>{formatCount(c.wouldReject ?? 0)} would be</Muted>),
    },
    {
      id: 'last',
      label: 'Last transition',
      sortValue: (c) => c.lastTransitionMs ?? 0,
      naturalDir: 'desc',
      render: (c) => {
        const t = c.transitions.at(-1);
        return t ? (
          <span title={formatDateTime(t.atMs)}>
            {t.from ?? '?'} → {t.to}
            <div className="sub">{formatMs(data.generatedAtMs - t.atMs)} ago</div>
          </span>
        ) : (
          <Muted>none in window</Muted>
        );
      },
    },
    { id: 'timeline', label: 'Timeline', render: (c) => <TimelineStrip circuit={c} fromMs={data.window.fromMs} toMs={Math.min(data.window.toMs, data.generatedAtMs)} /> },
  ];
}

export function CircuitsPage() {
  const circuits = useCircuits();
  const view = useViewState();
  const source = view.get('source');
  const showClosed = view.get('closed') !== '0';

  if (circuits.isPending) return <Loading label="Reading breaker states…" />;
  if (circuits.error && !circuits.data) return <ErrorState error={circuits.error} title="Could not load circuit breakers" onRetry={() => void circuits.refetch()} />;
  const data = circuits.data!;
  if (data.circuits.length === 0) {
    return (
      <div className="page">
        <EmptyState title="No calls between services in this time window">
          <LastDataHint />
        </EmptyState>
      </div>
    );
  }
  const rows = data.circuits.filter((c) => (!source || c.source === source) && (showClosed || c.state !== 'closed'));
  const count = (s: string) => data.circuits.filter((c) => c.source === s).length;
  const s = data.settings;
  return (
    <div className="page" data-testid="circuits-page">
      <div className="page-head">
        <h1>Circuits</h1>
        <span className="sub">
          {data.circuits.filter((c) => c.state === 'open' || c.state === 'forced_open').length} open · {data.circuits.filter((c) => c.state === 'half_open').length} half-open · {data.circuits.length} circuits from{' '}
          {formatCount(data.spansRead)} spans · <span className={circuits.isFetching ? 'live fetching' : 'live'}>{circuits.error ? 'refresh failing' : 'live'}</span>
        </span>
      </div>
      {data.sampled ? (
        <div className="last-data">
          <p>The window holds more than {formatCount(data.spanLimit)} spans: only the newest minutes were read. Narrow the time window for complete states.</p>
        </div>
      ) : null}
      <div className="chips" style={{ marginBottom: 12 }}>
        <button type="button" className={source ? 'chip off' : 'chip'} onClick={() => view.set({ source: null })}>
          All <span className="chip-count">{data.circuits.length}</span>
        </button>
        {SOURCES.map((x) => (
          <button key={x} type="button" className={source && source !== x ? 'chip off' : 'chip'} aria-pressed={source === x} onClick={() => view.set({ source: source === x ? null : x })}>
            {x} <span className="chip-count">{count(x)}</span>
          </button>
        ))}
        <button type="button" className={showClosed ? 'chip' : 'chip off'} aria-pressed={showClosed} onClick={() => view.set({ closed: showClosed ? '0' : null })}>
          closed
        </button>
      </div>
      <p className="sub" style={{ marginBottom: 12 }}>
        Inferred states replay a standard breaker over each edge without one: open at ≥{Math.round(s.failureRateThreshold * 100)}% failures over ≥{s.minimumCalls} calls in {formatMs(s.windowMs)}, a
        half-open probe after {formatMs(s.openMs)}. They are Faultline&apos;s estimate, never a breaker&apos;s report.
      </p>
      <DataTable rows={rows} columns={columns(data, view.carry())} rowKey={(c) => c.id} defaultSort={{ column: 'state', dir: 'desc' }} testId="circuits-table" />
    </div>
  );
}
