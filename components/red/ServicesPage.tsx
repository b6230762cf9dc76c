'use client';
// /services: every service ranked by impact (latency × rate), sortable by any RED column.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import type { ServiceSummaryJson } from '../../lib/query/types.ts';
import { errorColor } from '../service-map/style.ts';
import { DataTable, type Column } from '../ui/DataTable.tsx';
import { formatCount, formatMs, formatPercent, formatRate } from '../ui/format.ts';
import { LastDataHint } from '../ui/LastDataHint.tsx';
import { appPath } from '../ui/safe-url.ts';
import { Sparkline } from '../ui/Sparkline.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/states.tsx';
import { useViewState } from '../ui/use-view-state.ts';
import { useServices } from './queries.ts';

export function ServicesPage() {
  const services = useServices();
  const view = useViewState();
  const router = useRouter();
  const carry = view.carry();
  const filter = view.get('filter') ?? '';

  if (services.isPending) return <Loading label="Loading services…" />;
  if (services.error && !services.data) return <ErrorState error={services.error} title="Could not load services" onRetry={() => void services.refetch()} />;
  const data = services.data!;
  if (data.services.length === 0) {
    return (
      <div className="page">
        <EmptyState title="No services in this time window">
          <LastDataHint />
        </EmptyState>
      </div>
    );
  }
  const maxImpact = Math.max(1, ...data.services.map((s) => s.impactMs));
  const shown = filter ? data.services.filter((s) => s.name.toLowerCase().includes(filter.toLowerCase())) : data.services;
  const href = (s: ServiceSummaryJson) => `${appPath(['services', s.name])}${carry}`;
  const columns: Column<ServiceSummaryJson>[] = [
    {
      id: 'name',
      label: 'Service',
      sortValue: (s) => s.name,
      naturalDir: 'asc',
      render: (s) => (
        <Link href={href(s)} onClick={(e) => e.stopPropagation()} className="svc-link">
          {s.name}
        </Link>
      ),
    },
    { id: 'rate', label: 'Rate', align: 'right', sortValue: (s) => s.ratePerSec, render: (s) => formatRate(s.ratePerSec) },
    { id: 'rateTrend', label: 'Requests', render: (s) => <Sparkline values={s.sparkline.map((p) => p.ratePerSec)} label={`request rate of ${s.name}`} /> },
    {
      id: 'errorRate',
      label: 'Error rate',
      align: 'right',
      sortValue: (s) => s.errorRate,
      render: (s) => <span style={{ color: s.errorRate > 0 ? errorColor(s.errorRate) : undefined }}>{formatPercent(s.errorRate)}</span>,
    },
    {
      id: 'errTrend',
      label: 'Errors',
      // A flat red line reads as alarm; no errors at all is drawn muted.
      render: (s) => <Sparkline values={s.sparkline.map((p) => p.errorRate)} color={s.sparkline.some((p) => p.errors > 0) ? '#f2495c' : '#56627a'} label={`error rate of ${s.name}`} />,
    },
    { id: 'p50', label: 'p50', align: 'right', sortValue: (s) => s.p50Ms, render: (s) => formatMs(s.p50Ms) },
    { id: 'p95', label: 'p95', align: 'right', sortValue: (s) => s.p95Ms, render: (s) => formatMs(s.p95Ms) },
    { id: 'p99', label: 'p99', align: 'right', sortValue: (s) => s.p99Ms, render: (s) => formatMs(s.p99Ms) },
    { id: 'latTrend', label: 'p95 trend', render: (s) => <Sparkline values={s.sparkline.map((p) => p.p95Ms)} color="#b38cff" label={`p95 latency of ${s.name}`} /> },
    {
      id: 'impact',
      label: 'Impact',
      align: 'right',
      title: 'Total request time in the window (latency × rate): where time is spent',
      sortValue: (s) => s.impactMs,
      render: (s) => (
        <span className="impact">
          <span className="impact-bar" style={{ width: `${Math.max(2, (s.impactMs / maxImpact) * 60)}px` }} />
          {formatMs(s.impactMs)}
        </span>
      ),
    },
    { id: 'calls', label: 'Calls', align: 'right', sortValue: (s) => s.calls, render: (s) => formatCount(s.calls) },
    { id: 'ops', label: 'Ops', align: 'right', sortValue: (s) => s.operations, render: (s) => s.operations },
  ];
  return (
    <div className="page">
      <div className="page-head">
        <h1>Services</h1>
        <span className="sub">
          {data.services.length} services · ranked by impact (latency × rate)
        </span>
        <div className="toolbar-spacer" />
        <input type="search" placeholder="Filter services…" aria-label="Filter services" defaultValue={filter} onChange={(e) => view.set({ filter: e.target.value })} />
      </div>
      <DataTable rows={shown} columns={columns} rowKey={(s) => s.name} defaultSort={{ column: 'impact', dir: 'desc' }} onRowClick={(s) => router.push(href(s))} testId="services-table" />
    </div>
  );
}
