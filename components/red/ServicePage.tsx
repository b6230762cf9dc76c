'use client';
// /services/{name}: RED over time (rate, error rate, p50/p95/p99 with a shared crosshair), the
// operations table, callers and callees, and the findings that name this service.
import Link from 'next/link';
import { useState } from 'react';
import type { DependencyJson, Finding, OperationRedJson, RedPointJson } from '../../lib/query/types.ts';
import { SeverityBadge } from '../findings/SeverityBadge.tsx';
import { useFindings } from '../service-map/MapPage.tsx';
import { NODE_KIND_STYLE, errorColor } from '../service-map/style.ts';
import { DataTable, type Column } from '../ui/DataTable.tsx';
import { formatCount, formatMs, formatPercent, formatRate, rateFormatter } from '../ui/format.ts';
import { LastDataHint } from '../ui/LastDataHint.tsx';
import { appPath } from '../ui/safe-url.ts';
import { EmptyState, ErrorState, Loading, Muted } from '../ui/states.tsx';
import { useViewState } from '../ui/use-view-state.ts';
import type { ChartSeries } from './chart-geometry.ts';
import { useServiceRed } from './queries.ts';
import { describeStep } from './step.ts';
import { TimeSeriesChart } from './TimeSeriesChart.tsx';

const RATE: ChartSeries<RedPointJson>[] = [{ key: 'rate', label: 'requests/s', color: '#5b9cff', value: (p) => p.ratePerSec, fill: true }];
const hadCalls = (p: RedPointJson) => p.calls > 0;
const ERRORS: ChartSeries<RedPointJson>[] = [{ key: 'err', label: 'error rate', color: '#f2495c', value: (p) => p.errorRate, fill: true, defined: hadCalls }];
const LATENCY: ChartSeries<RedPointJson>[] = [
  { key: 'p50', label: 'p50', color: '#73bf69', value: (p) => p.p50Ms, defined: hadCalls },
  { key: 'p95', label: 'p95', color: '#fade2a', value: (p) => p.p95Ms, defined: hadCalls },
  { key: 'p99', label: 'p99', color: '#ff7a45', value: (p) => p.p99Ms, defined: hadCalls },
];

export function ServicePage({ name }: { name: string }) {
  const red = useServiceRed(name);
  const findings = useFindings();
  const view = useViewState();
  const carry = view.carry();
  const [hoverTime, setHoverTime] = useState<number | null>(null);

  const head = (
    <div className="crumbs">
      <Link href={`/services${carry}`}>Services</Link> /
    </div>
  );
  if (red.isPending) return <Loading label={`Loading ${name}…`} />;
  if (red.error && !red.data) {
    const notFound = (red.error as { status?: number }).status === 404;
    return (
      <div className="page">
        {head}
        {notFound ? (
          <EmptyState title={`No data for “${name}” in this time window`}>
            <LastDataHint />
          </EmptyState>
        ) : (
          <ErrorState error={red.error} title={`Could not load ${name}`} onRetry={() => void red.refetch()} />
        )}
      </div>
    );
  }
  const d = red.data!;
  const t = d.totals;
  const mine: Finding[] = (findings.data?.findings ?? []).filter((f) => f.services.includes(name));
  const domain: [number, number] = [d.window.fromMs, d.window.toMs];
  const mapHref = `/${withParams(carry, { select: name })}`;
  const tracesHref = `/traces${withParams(carry, { service: name })}`;

  return (
    <div className="page" data-testid="service-page">
      {head}
      <div className="page-head">
        <h1>{d.service}</h1>
        <span className="sub">
          {formatCount(t.calls)} requests · {d.operations.length} operations · {describeStep(d.stepMs)} buckets
        </span>
        <div className="toolbar-spacer" />
        <Link className="btn" href={mapHref}>
          Show on map
        </Link>
        <Link className="btn btn-primary" href={tracesHref}>
          Traces
        </Link>
      </div>
      <div className="stats">
        <Stat label="Request rate" value={formatRate(t.ratePerSec)} />
        <Stat label="Error rate" value={formatPercent(t.errorRate)} color={t.errorRate > 0 ? errorColor(t.errorRate) : undefined} />
        <Stat label="p50" value={formatMs(t.p50Ms)} />
        <Stat label="p95" value={formatMs(t.p95Ms)} />
        <Stat label="p99" value={formatMs(t.p99Ms)} />
        <Stat label="Impact rank" value={t.impactRank > 0 ? `#${t.impactRank}` : '–'} hint={`${formatMs(t.impactMs)} total request time`} />
      </div>
      {t.calls === 0 ? (
        <EmptyState title={`${d.service} handled no requests in this window`} showExporterHelp={false}>
          <LastDataHint />
        </EmptyState>
      ) : null}
      <div className="grid grid-3">
        <TimeSeriesChart title="Request rate" points={d.series} series={RATE} yFormat={rateFormatter(Math.max(0, ...d.series.map((p) => p.ratePerSec)))} domainMs={domain} hoverTime={hoverTime} onHoverTime={setHoverTime} testId="chart-rate" />
        <TimeSeriesChart title="Error rate" points={d.series} series={ERRORS} yFormat={formatPercent} domainMs={domain} hoverTime={hoverTime} onHoverTime={setHoverTime} testId="chart-errors" />
        <TimeSeriesChart title="Latency" points={d.series} series={LATENCY} yFormat={formatMs} domainMs={domain} hoverTime={hoverTime} onHoverTime={setHoverTime} testId="chart-latency" />
      </div>
      <h2 className="section-title">Operations</h2>
      {d.operations.length === 0 ? <Muted>No operations in this window.</Muted> : <DataTable rows={d.operations} columns={OPERATION_COLUMNS} rowKey={(o) => o.operation} defaultSort={{ column: 'impact', dir: 'desc' }} paramPrefix="ops." testId="operations-table" />}
      <div className="grid grid-2 section-gap">
        <DependencyCard title="Upstream (callers)" deps={d.upstream} carry={carry} />
        <DependencyCard title="Downstream (calls)" deps={d.downstream} carry={carry} />
      </div>
      <h2 className="section-title">Findings</h2>
      {findings.isPending ? (
        <Muted>Loading findings…</Muted>
      ) : findings.error ? (
        <Muted>Findings are unavailable: {(findings.error as Error).message}</Muted>
      ) : mine.length === 0 ? (
        <Muted>No findings name {d.service} in this window.</Muted>
      ) : (
        <div className="card">
          <ul className="plain-list">
            {mine.map((f) => (
              <li key={f.fingerprint} className="sp-finding">
                <SeverityBadge severity={f.severity} />
                <Link href={`/findings${withParams(carry, { finding: f.fingerprint })}`}>{f.title}</Link>
                <code className="muted">{f.rule}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function withParams(carry: string, extra: Record<string, string>): string {
  const q = new URLSearchParams(carry.startsWith('?') ? carry.slice(1) : carry);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return `?${q.toString()}`;
}

function Stat({ label, value, color, hint }: { label: string; value: string; color?: string; hint?: string }) {
  return (
    <div className="stat" title={hint}>
      <div className="stat-label">{label}</div>
      <div className="stat-value" style={color ? { color } : undefined}>
        {value}
      </div>
    </div>
  );
}

const OPERATION_COLUMNS: Column<OperationRedJson>[] = [
  { id: 'operation', label: 'Operation', sortValue: (o) => o.operation, naturalDir: 'asc', render: (o) => <span className="op-name">{o.operation}</span> },
  { id: 'rate', label: 'Rate', align: 'right', sortValue: (o) => o.ratePerSec, render: (o) => formatRate(o.ratePerSec) },
  { id: 'errorRate', label: 'Error rate', align: 'right', sortValue: (o) => o.errorRate, render: (o) => <span style={{ color: o.errorRate > 0 ? errorColor(o.errorRate) : undefined }}>{formatPercent(o.errorRate)}</span> },
  { id: 'p50', label: 'p50', align: 'right', sortValue: (o) => o.p50Ms, render: (o) => formatMs(o.p50Ms) },
  { id: 'p95', label: 'p95', align: 'right', sortValue: (o) => o.p95Ms, render: (o) => formatMs(o.p95Ms) },
  { id: 'p99', label: 'p99', align: 'right', sortValue: (o) => o.p99Ms, render: (o) => formatMs(o.p99Ms) },
  { id: 'self', label: 'Self time', align: 'right', title: 'Mean time spent in the service itself per request', sortValue: (o) => o.meanSelfTimeMs, render: (o) => formatMs(o.meanSelfTimeMs) },
  { id: 'impact', label: 'Impact', align: 'right', sortValue: (o) => o.impactMs, render: (o) => formatMs(o.impactMs) },
  { id: 'calls', label: 'Calls', align: 'right', sortValue: (o) => o.calls, render: (o) => formatCount(o.calls) },
];

function DependencyCard({ title, deps, carry }: { title: string; deps: DependencyJson[]; carry: string }) {
  return (
    <div className="card">
      <div className="card-head">
        <span className="card-title">
          {title} · {deps.length}
        </span>
      </div>
      {deps.length === 0 ? (
        <Muted>None in this window.</Muted>
      ) : (
        <table className="mini-table">
          <thead>
            <tr>
              <th>Node</th>
              <th className="num">Rate</th>
              <th className="num">Errors</th>
              <th className="num">p95</th>
            </tr>
          </thead>
          <tbody>
            {[...deps]
              .sort((a, b) => b.ratePerSec - a.ratePerSec)
              .map((dep) => (
                <tr key={`${dep.id}|${dep.edgeKind}`}>
                  <td className="ellipsis" title={dep.name}>
                    <span className="dot" style={{ background: NODE_KIND_STYLE[dep.kind].stroke, marginRight: 8 }} />
                    {dep.kind === 'service' ? <Link href={`${appPath(['services', dep.id])}${carry}`}>{dep.name}</Link> : dep.name}
                    <span className="muted"> · {dep.edgeKind}</span>
                  </td>
                  <td className="num">{formatRate(dep.ratePerSec)}</td>
                  <td className="num" style={{ color: dep.errorRate > 0 ? errorColor(dep.errorRate) : undefined }}>
                    {formatPercent(dep.errorRate)}
                  </td>
                  <td className="num">{formatMs(dep.p95Ms)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
