'use client';
// The side panel of a clicked node: RED, top operations, callers and callees, findings, and
// the ways out (its RED page, its traces, focus on it).
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import Link from 'next/link';
import type { Finding, GraphEdgeJson, GraphNodeJson, ServiceRedResponse } from '../../lib/query/types.ts';
import { SeverityBadge } from '../findings/SeverityBadge.tsx';
import { fetchJson, withQuery } from '../ui/fetch-json.ts';
import { formatMs, formatPercent, formatRate } from '../ui/format.ts';
import { appPath } from '../ui/safe-url.ts';
import { Muted } from '../ui/states.tsx';
import { useTimeWindow } from '../ui/use-view-state.ts';
import { findingEdgeIds, findingNodeIds, indexGraph } from './badges.ts';
import { RedGrid } from './ServiceMap.tsx';
import { NODE_KIND_STYLE, errorColor } from './style.ts';

interface Props {
  node: GraphNodeJson;
  nodes: readonly GraphNodeJson[];
  edges: readonly GraphEdgeJson[];
  findings: readonly Finding[];
  carry: string;
  focused: boolean;
  onClose(): void;
  onSelect(id: string): void;
  onFocus(): void;
}

export function SidePanel({ node, nodes, edges, findings, carry, focused, onClose, onSelect, onFocus }: Props) {
  const tw = useTimeWindow();
  const isService = node.kind === 'service';
  const red = useQuery({
    queryKey: ['service-red', node.id, tw.key],
    enabled: isService,
    queryFn: ({ signal }) => {
      const w = tw.resolve();
      return fetchJson<ServiceRedResponse>(withQuery(`/api/v1/services/${encodeURIComponent(node.id)}/red`, { from: w.fromMs, to: w.toMs }), { signal });
    },
  });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const upstream = edges.filter((e) => e.target === node.id && e.source !== node.id);
  const downstream = edges.filter((e) => e.source === node.id && e.target !== node.id);
  const idx = useMemo(() => indexGraph(nodes, edges), [nodes, edges]);
  const mine = useMemo(
    () => findings.filter((f) => findingNodeIds(f, idx).includes(node.id) || findingEdgeIds(f, idx).some((id) => id.startsWith(`${node.id}->`) || id.includes(`->${node.id}|`))),
    [findings, idx, node.id],
  );
  const timeQuery = carry.startsWith('?') ? carry.slice(1) : carry;
  const tracesHref = `/traces?${new URLSearchParams([...new URLSearchParams(timeQuery), ['service', node.id]]).toString()}`;

  return (
    <aside className="side-panel" aria-label={`Details of ${node.name}`} data-testid="side-panel">
      <header className="sp-head">
        <div>
          <div className="sp-kind" style={{ color: NODE_KIND_STYLE[node.kind].stroke }}>
            {NODE_KIND_STYLE[node.kind].label}
          </div>
          <h2 className="sp-title">{node.name}</h2>
        </div>
        <button type="button" className="icon-btn" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      <div className="sp-actions">
        {isService ? (
          <Link className="btn btn-primary" href={`${appPath(['services', node.id])}${carry}`}>
            RED dashboard
          </Link>
        ) : null}
        <Link className="btn" href={tracesHref}>
          Traces
        </Link>
        <button type="button" className={focused ? 'btn active' : 'btn'} onClick={onFocus}>
          {focused ? 'Unfocus' : 'Focus'}
        </button>
      </div>
      <section className="sp-section">
        <RedGrid rate={node.ratePerSec} errorRate={node.errorRate} p50={node.p50Ms} p95={node.p95Ms} p99={node.p99Ms} calls={node.calls} />
      </section>
      {node.kind === 'database' ? (
        <section className="sp-section">
          <h3>Database</h3>
          <dl className="kv">
            <dt>System</dt>
            <dd>{node.dbSystem ?? '–'}</dd>
            <dt>Address</dt>
            <dd>{node.address || '–'}</dd>
            <dt>Namespace</dt>
            <dd>{node.namespace || '–'}</dd>
          </dl>
          {node.tables && node.tables.length > 0 ? (
            <ul className="plain-list">
              {node.tables.slice(0, 12).map((t) => (
                <li key={t.name}>
                  <code>{t.name}</code> <span className="muted">read by {t.readers.join(', ') || '–'}; written by {t.writers.join(', ') || '–'}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}
      {isService ? (
        <section className="sp-section">
          <h3>Top operations</h3>
          {red.isPending ? (
            <Muted>Loading…</Muted>
          ) : red.error ? (
            <Muted>Could not load operations: {(red.error as Error).message}</Muted>
          ) : red.data && red.data.operations.length > 0 ? (
            <table className="mini-table">
              <thead>
                <tr>
                  <th>Operation</th>
                  <th className="num">Rate</th>
                  <th className="num">Err</th>
                  <th className="num">p95</th>
                </tr>
              </thead>
              <tbody>
                {red.data.operations.slice(0, 8).map((o) => (
                  <tr key={o.operation}>
                    <td className="ellipsis" title={o.operation}>
                      {o.operation}
                    </td>
                    <td className="num">{formatRate(o.ratePerSec)}</td>
                    <td className="num" style={{ color: o.errorRate > 0 ? errorColor(o.errorRate) : undefined }}>
                      {formatPercent(o.errorRate)}
                    </td>
                    <td className="num">{formatMs(o.p95Ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <Muted>No operations in this window.</Muted>
          )}
        </section>
      ) : null}
      <NeighbourList title="Upstream (callers)" edges={upstream} other={(e) => e.source} byId={byId} onSelect={onSelect} />
      <NeighbourList title="Downstream (calls)" edges={downstream} other={(e) => e.target} byId={byId} onSelect={onSelect} />
      <section className="sp-section">
        <h3>Findings ({mine.length})</h3>
        {mine.length === 0 ? (
          <Muted>No findings concern this node.</Muted>
        ) : (
          <ul className="plain-list">
            {mine.slice(0, 12).map((f) => (
              <li key={f.fingerprint} className="sp-finding">
                <SeverityBadge severity={f.severity} />
                <Link href={`/findings${withFinding(carry, f.fingerprint)}`}>{f.title}</Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </aside>
  );
}

function withFinding(carry: string, fingerprint: string): string {
  const q = new URLSearchParams(carry.startsWith('?') ? carry.slice(1) : carry);
  q.set('finding', fingerprint);
  return `?${q.toString()}`;
}

function NeighbourList({ title, edges, other, byId, onSelect }: { title: string; edges: GraphEdgeJson[]; other(e: GraphEdgeJson): string; byId: Map<string, GraphNodeJson>; onSelect(id: string): void }) {
  return (
    <section className="sp-section">
      <h3>
        {title} ({edges.length})
      </h3>
      {edges.length === 0 ? (
        <Muted>None in this window.</Muted>
      ) : (
        <ul className="plain-list neighbours">
          {[...edges]
            .sort((a, b) => b.ratePerSec - a.ratePerSec)
            .slice(0, 15)
            .map((e) => {
              const id = other(e);
              const n = byId.get(id);
              return (
                <li key={e.id}>
                  <button type="button" className="link-btn" onClick={() => onSelect(id)}>
                    <span className="dot" style={{ background: n ? NODE_KIND_STYLE[n.kind].stroke : '#888' }} />
                    {n?.name ?? id}
                  </button>
                  <span className="muted num">
                    {formatRate(e.ratePerSec)} · <span style={{ color: e.errorRate > 0 ? errorColor(e.errorRate) : undefined }}>{formatPercent(e.errorRate)}</span> · p95 {formatMs(e.p95Ms)}
                  </span>
                </li>
              );
            })}
        </ul>
      )}
    </section>
  );
}
